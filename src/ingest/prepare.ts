import { storedPolicyFacts } from '../policy/policy-view.js'
import type { StixObject } from '../stix/object.js'
import { type ValidationIssue, validateObject } from '../stix/validate.js'
import type { IncomingObject, StatusDetail } from '../store/types.js'

export interface Rejection extends StatusDetail {
  issues: ValidationIssue[]
}

export interface Prepared {
  accepted: IncomingObject[]
  rejected: Rejection[]
  /** Valid objects rejected only because a marking they use is unknown (a stream may define it later). */
  unresolved: StixObject[]
}

export interface PrepareOptions {
  /** Checks indicator patterns (pattern_type "stix"); returns a message for a bad one. */
  patternChecker?: (pattern: string) => string | undefined
  /** Marking-definition ids the node already knows; refs to others are rejected. */
  knownMarkings?: (ids: string[]) => Promise<Set<string>>
}

function describe(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message} (${i.rule})`).join('; ')
}

function identify(value: unknown): { id: string; version?: string } {
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
export async function prepareObjects(values: unknown[], options: PrepareOptions = {}): Promise<Prepared> {
  const accepted: IncomingObject[] = []
  const rejected: Rejection[] = []
  const unresolved: StixObject[] = []
  const valid: StixObject[] = []
  values.forEach((value, index) => {
    const issues = validateObject(value, {
      path: `$.objects[${index}]`,
      ...(options.patternChecker ? { patternChecker: options.patternChecker } : {}),
    })
    if (issues.length > 0) rejected.push({ ...identify(value), message: describe(issues), issues })
    else valid.push(value as StixObject)
  })
  const known = await resolveMarkings(valid, options)
  for (const object of valid) {
    const missing = markingRefs(object).filter((ref) => !known.has(ref))
    if (missing.length > 0) {
      const issue: ValidationIssue = {
        path: '$.object_marking_refs',
        rule: 'unresolved-marking',
        message: `marking-definition ${missing.join(', ')} is not known to this node; post the marking-definition first or in the same request`,
      }
      rejected.push({ ...identify(object), message: describe([issue]), issues: [issue] })
      unresolved.push(object)
      continue
    }
    accepted.push(toIncoming(object))
  }
  return { accepted, rejected, unresolved }
}

function markingRefs(object: StixObject): string[] {
  const refs = new Set<string>(object.object_marking_refs ?? [])
  for (const g of object.granular_markings ?? []) if (g.marking_ref) refs.add(g.marking_ref)
  return [...refs]
}

async function resolveMarkings(objects: StixObject[], options: PrepareOptions): Promise<Set<string>> {
  const inRequest = new Set(objects.filter((o) => o.type === 'marking-definition').map((o) => o.id))
  const wanted = [...new Set(objects.flatMap(markingRefs))].filter((id) => !inRequest.has(id))
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
