import { endpointRefs, MAX_ENDPOINT_DEPTH } from '../policy/decide.js'
import type { StixObject } from '../stix/object.js'
import type { GateFacts, Store } from '../store/types.js'
import type { PolicyViewCache } from './view-decisions.js'

/**
 * A stored version as the gate judges it: from its policy view when the store kept one (no parsing), else
 * from its whole text.
 */
export interface Candidate {
  collectionId: string
  /** Set when `view` is the stored policy view of that id (decisions are then shared by view). */
  viewId?: number
  /** The policy view, or the whole object. */
  view: StixObject
  /** The whole object, when it was parsed. */
  whole?: StixObject
  /** A relationship's or sighting's endpoint refs; undefined for other objects. */
  refs?: readonly string[]
  /** True when the SRO lacks a ref it must have (it is then withheld). */
  missingRefs: boolean
  /** For an SRO endpoint: its creator as the store recorded it (see `EndpointCandidate`). */
  createdBy?: string | null
}

/** The candidate for a version with the given gate facts and text (the text is parsed only when needed). */
export function candidateOf(
  collectionId: string,
  gate: GateFacts | undefined,
  json: string | undefined,
  views: PolicyViewCache,
): Candidate | undefined {
  const view = gate?.viewId == null ? undefined : views.get(gate.viewId)
  if (gate?.viewId != null && view !== undefined) {
    const c: Candidate = { collectionId, viewId: gate.viewId, view, missingRefs: false }
    if (gate.endpointRefs !== null) c.refs = gate.endpointRefs
    return c
  }
  if (json === undefined) return undefined
  const whole = JSON.parse(json) as StixObject
  const refs = endpointRefs(whole)
  const c: Candidate = { collectionId, view: whole, whole, missingRefs: (refs?.missing.length ?? 0) > 0 }
  if (refs !== undefined) c.refs = refs.refs
  return c
}

/** The view ids to load before judging these versions (by their gate facts). */
export function viewIdsOf(versions: Iterable<{ gate?: GateFacts | undefined }>): number[] {
  const ids: number[] = []
  for (const { gate } of versions) if (gate?.viewId != null) ids.push(gate.viewId)
  return ids
}

/**
 * SRO endpoints read from the store, by id, while the store's objects are as they were at `version`
 * (`Store.objectsVersion`): requests that saw the same version share them, and a write starts a new index.
 * A request may add what it reads later than its version was taken; that is newer, never older, than the
 * version, so every request that uses the index sees objects as they were at or after its start.
 */
export class EndpointIndex {
  readonly byId = new Map<string, Candidate[]>()
  constructor(readonly version: string) {}
}

/**
 * The newest versions (in every collection) of each object an SRO among `candidates` points at, and of the
 * objects those point at in turn, as deep as `decide` follows endpoints. Adds to `index` only ids it lacks,
 * so one index serves every batch of a request.
 */
export async function indexEndpoints(
  store: Store,
  views: PolicyViewCache,
  candidates: Iterable<Candidate | undefined>,
  index: Map<string, Candidate[]>,
): Promise<void> {
  let wanted = new Set<string>()
  for (const c of candidates) for (const ref of c?.refs ?? []) if (!index.has(ref)) wanted.add(ref)
  // endpoints at depth d are fetched in round d; an SRO at the last depth has its endpoints unchecked
  for (let depth = 1; depth <= MAX_ENDPOINT_DEPTH && wanted.size > 0; depth++) {
    const found = await store.latestEndpointVersions([...wanted])
    await views.load(viewIdsOf(found))
    for (const ref of wanted) index.set(ref, [])
    const next = new Set<string>()
    for (const f of found) {
      const c = candidateOf(f.collectionId, f.gate, f.json, views)
      if (c === undefined) continue // a view the store lost: the endpoint counts as not found
      c.createdBy = f.gate.createdBy
      index.get(f.id)?.push(c)
      if (depth < MAX_ENDPOINT_DEPTH) for (const ref of c.refs ?? []) if (!index.has(ref)) next.add(ref)
    }
    wanted = next
  }
}
