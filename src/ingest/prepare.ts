import { GRADING_EXTENSION_ID, gradingProblem } from '../policy/grading.js'
import { copiesDisagree, isWellKnownMarkingId } from '../policy/markings.js'
import { storedPolicyFacts } from '../policy/policy-view.js'
import type { StixObject } from '../stix/object.js'
import { type ValidationIssue, validateObject } from '../stix/validate.js'
import type { IncomingObject, StatusDetail } from '../store/types.js'

export interface Rejection extends StatusDetail {
  issues: ValidationIssue[]
  /** The rejected value's index among those prepared. */
  at: number
  /** Valid, and rejected only because a marking it uses is unknown: a stream may define it later. */
  unresolved?: true
}

export interface Prepared {
  accepted: IncomingObject[]
  /** Indexes of the accepted values among those prepared, in the order of `accepted`. */
  acceptedAt: number[]
  /** In the order of the values prepared. */
  rejected: Rejection[]
}

export interface PrepareOptions {
  /** Checks indicator patterns (pattern_type "stix"); returns a message for a bad one. */
  patternChecker?: (pattern: string) => string | undefined
  /** Marking-definition ids the node already knows; refs to others are rejected. */
  knownMarkings?: (ids: string[]) => Promise<Set<string>>
  /** The marking-definitions the node holds under these ids, in any collection. */
  heldMarkings?: (ids: string[]) => Promise<StixObject[]>
}

function describe(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message} (${i.rule})`).join('; ')
}

/** The id and version a rejection names, as far as a value that may not be STIX has them. */
export function identify(value: unknown): { id: string; version?: string } {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    const id = typeof o.id === 'string' ? o.id : '(no id)'
    const version = typeof o.modified === 'string' ? o.modified : undefined
    return version ? { id, version } : { id }
  }
  return { id: '(not an object)' }
}

/**
 * Turns posted values into versions ready to store: validated, with the exact
 * text that will be served. Marking references must resolve to a marking the
 * node knows or one posted in the same request, or the policy could not judge
 * the object.
 */
export async function prepareObjects(
  values: unknown[],
  options: PrepareOptions = {},
  where: (index: number) => string = (index) => `$.objects[${index}]`,
): Promise<Prepared> {
  const accepted: IncomingObject[] = []
  const acceptedAt: number[] = []
  const rejected: Rejection[] = []
  const valid: { object: StixObject; at: number }[] = []
  values.forEach((value, at) => {
    const issues = validateObject(value, {
      path: where(at),
      ...(options.patternChecker ? { patternChecker: options.patternChecker } : {}),
    })
    const grading = issues.length === 0 ? gradingProblem(value as StixObject) : undefined
    if (grading !== undefined)
      issues.push({
        path: `${where(at)}.extensions["${GRADING_EXTENSION_ID}"]`,
        rule: 'grading',
        message: grading,
      })
    if (issues.length > 0) rejected.push({ ...identify(value), message: describe(issues), issues, at })
    else valid.push({ object: value as StixObject, at })
  })
  const known = await resolveMarkings(
    valid.map((v) => v.object),
    options,
  )
  const redefined = await redefinedMarkings(
    valid.map((v) => v.object),
    options,
  )
  for (const { object, at } of valid) {
    if (redefined.has(object.id)) {
      const issue: ValidationIssue = {
        path: `${where(at)}.id`,
        rule: 'marking-redefined',
        message: `marking-definition ${object.id} is already held with other content; a marking-definition has no versions, so one id has one meaning on this node (post it under a new id)`,
      }
      rejected.push({ ...identify(object), message: describe([issue]), issues: [issue], at })
      continue
    }
    const missing = markingRefs(object).filter((ref) => !known.has(ref.id))
    if (missing.length > 0) {
      const issue: ValidationIssue = {
        path: `${where(at)}${missing[0]!.path}`,
        rule: 'unresolved-marking',
        message: `marking-definition ${missing.map((m) => m.id).join(', ')} is not known to this node; post the marking-definition first or in the same request`,
      }
      rejected.push({
        ...identify(object),
        message: describe([issue]),
        issues: [issue],
        at,
        unresolved: true,
      })
      continue
    }
    accepted.push(toIncoming(object))
    acceptedAt.push(at)
  }
  rejected.sort((a, b) => a.at - b.at)
  return { accepted, acceptedAt, rejected }
}

/** The marking ids an object refers to, each with the path (below the object) of its first mention. */
function markingRefs(object: StixObject): { id: string; path: string }[] {
  const refs = new Map<string, string>()
  object.object_marking_refs?.forEach((id, i) => {
    if (!refs.has(id)) refs.set(id, `.object_marking_refs[${i}]`)
  })
  object.granular_markings?.forEach((g, i) => {
    if (g.marking_ref && !refs.has(g.marking_ref))
      refs.set(g.marking_ref, `.granular_markings[${i}].marking_ref`)
  })
  return [...refs].map(([id, path]) => ({ id, path }))
}

/**
 * The ids of posted marking-definitions the node already holds with other content. The store refuses a
 * second content within one collection; this refuses it across collections, where a copy under the same id
 * would otherwise change what every object marked with it means for policy, node-wide.
 */
async function redefinedMarkings(objects: StixObject[], options: PrepareOptions): Promise<Set<string>> {
  // a well-known id means its published level whatever a copy says, so copies of it cannot disagree
  const posted = objects.filter((o) => o.type === 'marking-definition' && !isWellKnownMarkingId(o.id))
  if (!options.heldMarkings || posted.length === 0) return new Set()
  const held = await options.heldMarkings([...new Set(posted.map((o) => o.id))])
  return new Set(
    posted.filter((o) => copiesDisagree([o, ...held.filter((m) => m.id === o.id)])).map((o) => o.id),
  )
}

async function resolveMarkings(objects: StixObject[], options: PrepareOptions): Promise<Set<string>> {
  const inRequest = new Set(objects.filter((o) => o.type === 'marking-definition').map((o) => o.id))
  const wanted = [...new Set(objects.flatMap((o) => markingRefs(o).map((r) => r.id)))].filter(
    (id) => !inRequest.has(id),
  )
  if (!options.knownMarkings || wanted.length === 0)
    return new Set([...inRequest, ...(options.knownMarkings ? [] : wanted)])
  const known = await options.knownMarkings(wanted)
  return new Set([...inRequest, ...known])
}

export function toIncoming(object: StixObject): IncomingObject {
  return {
    id: object.id,
    type: object.type,
    ...(typeof object.modified === 'string' ? { modified: object.modified } : {}),
    ...(typeof object.created === 'string' ? { created: object.created } : {}),
    specVersion: typeof object.spec_version === 'string' ? object.spec_version : '2.1',
    json: JSON.stringify(object),
    ...storedPolicyFacts(object),
  }
}
