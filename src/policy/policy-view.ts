/**
 * The part of an object version that sharing policy reads, so that a store can keep it beside the version
 * at ingest and the gate can decide without parsing the version: versions with the same view in the same
 * collection get the same {@link decideWithoutEndpoints} decision, and the view decides exactly as the
 * whole object does (test/policy/policy-view.property.test.ts holds every rule to that).
 *
 * Kept: `type`, `object_marking_refs`, `labels`, `granular_markings` and the grading extension (what
 * `objectFacts` and the agreement rules read). Not kept: an SRO's endpoint refs, which the store keeps
 * apart, since they would make every relationship's view unique.
 */
import type { StixObject } from '../stix/object.js'
import { endpointRefs } from './decide.js'
import { GRADING_EXTENSION_ID } from './grading.js'
import { screeningTlpRank } from './screening.js'

/** What policy reads of `object`, as a STIX-shaped object that `decideWithoutEndpoints` accepts in its place. */
export function policyView(object: StixObject): StixObject {
  const view: Record<string, unknown> = { type: object.type }
  if (object.object_marking_refs !== undefined) view.object_marking_refs = object.object_marking_refs
  if (object.labels !== undefined) view.labels = object.labels
  if (object.granular_markings !== undefined) view.granular_markings = object.granular_markings
  const grading = (object.extensions as Record<string, unknown> | undefined)?.[GRADING_EXTENSION_ID]
  if (grading !== undefined) view.extensions = { [GRADING_EXTENSION_ID]: grading }
  return view as StixObject
}

/** The facts the disclosure gate needs of a version besides its stored text. */
export interface PolicyViewFacts {
  /** `JSON.stringify(policyView(object))`: equal texts, equal decisions. */
  view: string
  /** The refs a relationship or sighting needs visible; absent for other objects. */
  endpointRefs?: string[]
}

/**
 * The view and endpoint refs to store for `object`, or undefined when the version must always be judged
 * whole (an SRO missing a required ref: rejected on ingest, but never judged from a view).
 */
export function policyViewFacts(object: StixObject): PolicyViewFacts | undefined {
  const refs = endpointRefs(object)
  if (refs !== undefined && refs.missing.length > 0) return undefined
  const view = JSON.stringify(policyView(object))
  return refs === undefined ? { view } : { view, endpointRefs: refs.refs }
}

/** What a store keeps beside a version for the gate, computed once at ingest (see `IncomingObject`). */
export function storedPolicyFacts(object: StixObject): {
  tlpRank: number | null
  createdBy: string
  policyView?: PolicyViewFacts
} {
  const view = policyViewFacts(object)
  const tlpRank = screeningTlpRank(object)
  const createdBy = typeof object.created_by_ref === 'string' ? object.created_by_ref : ''
  return view === undefined ? { tlpRank, createdBy } : { tlpRank, createdBy, policyView: view }
}
