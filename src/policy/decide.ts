/**
 * The one decision function: may this object version go to this partner, whole, redacted, or not at all?
 *
 * Every path by which intelligence leaves the node calls {@link decide} (or {@link decideCompiled}) per object
 * version, then {@link redact}. The rules, in plain language, are in docs/POLICY.md.
 */
import type { StixObject } from '../stix/object.js'
import { ownEntry } from '../stix/own-entry.js'
import {
  type CompiledAgreement,
  type CompiledPolicy,
  type CompiledSuspension,
  compiledSnapshots,
  compileSnapshot,
  DEFAULT_TLP,
  type MarkedUnit,
  type ObjectFacts,
  objectFacts,
  withinValidity,
} from './compile.js'
import { admiraltyCode } from './grading.js'
import { removeSelected } from './selectors.js'
import { requireInstant } from './time.js'
import { TLP_LEVELS, tlpLabel, tlpRank } from './tlp.js'
import type { Decision, DecisionContext, ObjectVersion, PolicySnapshot, Reason } from './types.js'

/**
 * Properties a STIX 2.1 object cannot lose and stay valid. A granular marking that would redact one of these
 * withholds the whole object instead.
 */
const ALWAYS_REQUIRED = [
  'type',
  'id',
  'spec_version',
  'created',
  'modified',
  'object_marking_refs',
  'granular_markings',
]
const REQUIRED_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'attack-pattern': ['name'],
  campaign: ['name'],
  'course-of-action': ['name'],
  grouping: ['context', 'object_refs'],
  identity: ['name'],
  incident: ['name'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  infrastructure: ['name'],
  'intrusion-set': ['name'],
  malware: ['is_family'],
  'malware-analysis': ['product'],
  note: ['content', 'object_refs'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed'],
  opinion: ['opinion', 'object_refs'],
  report: ['name', 'published', 'object_refs'],
  'threat-actor': ['name'],
  tool: ['name'],
  vulnerability: ['name'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
}

export function isRequiredProperty(objectType: string, property: string): boolean {
  return (
    ALWAYS_REQUIRED.includes(property) ||
    (ownEntry(REQUIRED_BY_TYPE, objectType)?.includes(property) ?? false)
  )
}

/** The references an SRO needs the partner to be able to see: every one of them, for the SRO to be disclosed. */
export function endpointRefs(object: StixObject): { refs: string[]; missing: string[] } | undefined {
  const one = (name: string): string[] => (typeof object[name] === 'string' ? [object[name] as string] : [])
  const many = (name: string): string[] =>
    Array.isArray(object[name])
      ? (object[name] as unknown[]).filter((x): x is string => typeof x === 'string')
      : []
  if (object.type === 'relationship') {
    const missing = ['source_ref', 'target_ref'].filter((p) => typeof object[p] !== 'string')
    return { refs: [...new Set([...one('source_ref'), ...one('target_ref')])], missing }
  }
  if (object.type === 'sighting') {
    const missing = typeof object.sighting_of_ref === 'string' ? [] : ['sighting_of_ref']
    const refs = [...one('sighting_of_ref'), ...many('where_sighted_refs'), ...many('observed_data_refs')]
    return { refs: [...new Set(refs)], missing }
  }
  return undefined
}

/** The compiled form of a snapshot, built once per snapshot object (`compileSnapshot` remembers it). */
export function compiled(snapshot: PolicySnapshot): CompiledPolicy {
  return compiledSnapshots.get(snapshot) ?? compileSnapshot(snapshot)
}

/**
 * Decides whether `version` may go to `partnerId` at `instant`.
 *
 * `snapshot` must be the policy at a time in `[snapshot.at, snapshot.staleAt)` containing `instant`
 * (build it with `policyAt(history, instant)`); otherwise the object is denied with a `validity` reason.
 */
export function decide(
  snapshot: PolicySnapshot,
  partnerId: string,
  version: ObjectVersion,
  instant: string,
  context?: DecisionContext,
): Decision {
  return decideCompiled(compiled(snapshot), partnerId, version, instant, context)
}

/** Endpoint chains (a relationship between relationships…) deeper than this are withheld. */
export const MAX_ENDPOINT_DEPTH = 4

export function decideCompiled(
  policy: CompiledPolicy,
  partnerId: string,
  version: ObjectVersion,
  instant: string,
  context?: DecisionContext,
): Decision {
  const t = requireInstant(instant, 'instant')
  if (t < policy.at || t >= policy.staleAt) return staleDecision(policy, instant)
  return decideAt(policy, partnerId, version, t, context, 0)
}

interface AgreementOutcome {
  agreement: CompiledAgreement
  reasons: Reason[]
  /** Selector → reasons it is removed, for this agreement alone. */
  redactions: Map<string, Reason[]>
}

function decideAt(
  policy: CompiledPolicy,
  partnerId: string,
  version: ObjectVersion,
  t: number,
  context: DecisionContext | undefined,
  depth: number,
): Decision {
  const own = decideOwn(policy, partnerId, version, t)
  const object = version.object
  const refs = endpointRefs(object)
  if (refs === undefined || !policy.partners.has(partnerId)) return own
  const denied: Reason[] = []
  for (const p of refs.missing) denied.push({ kind: 'endpoint', message: `${object.type} has no ${p}` })
  for (const ref of refs.refs) {
    const versions = context?.endpoints?.get(ref) ?? []
    const visible =
      depth < MAX_ENDPOINT_DEPTH &&
      versions.some((v) => endpointVisible(policy, partnerId, v, t, context, depth + 1))
    if (!visible) denied.push(endpointDenial(ref, partnerId, versions.length > 0))
  }
  return withEndpointDenials(own, denied)
}

/** Why an SRO is withheld for one endpoint it points at. */
export function endpointDenial(ref: string, partnerId: string, found: boolean): Reason {
  return {
    kind: 'endpoint',
    id: ref,
    message: found
      ? `no version of endpoint ${ref} may be disclosed to ${partnerId}`
      : `endpoint ${ref} was not found`,
  }
}

/**
 * An SRO's decision from the decision on the SRO alone ({@link decideWithoutEndpoints}) and the denials its
 * endpoints add: any endpoint denial withholds it, after the SRO's own reasons.
 */
export function withEndpointDenials(own: Decision, denials: readonly Reason[]): Decision {
  if (denials.length === 0) return own
  return { effect: 'deny', deniedBy: own.effect === 'deny' ? [...own.deniedBy, ...denials] : [...denials] }
}

/**
 * The decision on `version` as if it pointed at nothing: {@link decideCompiled} for an object without endpoints,
 * and for a relationship or sighting the part that does not depend on its endpoints (combine with
 * {@link withEndpointDenials}). It reads from the object only what {@link policyView} keeps.
 */
export function decideWithoutEndpoints(
  policy: CompiledPolicy,
  partnerId: string,
  version: ObjectVersion,
  instant: string,
): Decision {
  const t = requireInstant(instant, 'instant')
  if (t < policy.at || t >= policy.staleAt) return staleDecision(policy, instant)
  return decideOwn(policy, partnerId, version, t)
}

/**
 * A key that is the same for two instants exactly when {@link decideWithoutEndpoints} gives the same decisions
 * for `partnerId` under `policy` at both: the compiled policy fixes everything but which agreements are in
 * their validity window. Lets a caller keep decisions across requests while the compiled policy is the same.
 */
export function decisionWindow(policy: CompiledPolicy, partnerId: string, instant: string): string {
  const t = requireInstant(instant, 'instant')
  if (t < policy.at || t >= policy.staleAt) return 'stale'
  const agreements = policy.partners.get(partnerId)?.agreements ?? []
  let key = 'in force:'
  agreements.forEach((a, i) => {
    if (withinValidity(a, t)) key += `${i},`
  })
  return key
}

function staleDecision(policy: CompiledPolicy, instant: string): Decision {
  return {
    effect: 'deny',
    deniedBy: [
      {
        kind: 'validity',
        message: `the policy snapshot for ${policy.snapshot.at} does not describe ${instant} (rebuild it)`,
      },
    ],
  }
}

function decideOwn(policy: CompiledPolicy, partnerId: string, version: ObjectVersion, t: number): Decision {
  const partner = policy.partners.get(partnerId)
  if (partner === undefined) {
    return {
      effect: 'deny',
      deniedBy: [{ kind: 'unknown-partner', id: partnerId, message: `unknown partner ${partnerId}` }],
    }
  }
  const object = version.object
  const facts = objectFacts(policy, object)
  const denied: Reason[] = []
  // Redactions every agreement shares: unknown granular markings and property-level orders.
  const common = new Map<string, Reason[]>()

  for (const id of facts.unknownObjectMarkings) {
    denied.push({
      kind: 'marking',
      id,
      message: `object carries marking ${id}, which the node cannot resolve`,
    })
  }
  for (const u of facts.units) {
    for (const id of u.unknown) {
      push(common, u.selector, {
        kind: 'marking',
        id,
        message: `${u.selector} carries unresolvable marking ${id}`,
      })
    }
  }
  for (const s of partner.suspensions) {
    if (orderMatchesObject(s, version, facts)) {
      denied.push({ kind: 'order', id: s.source.id, message: orderMessage(s) })
    } else if (s.propertyLevel && orderScopeHolds(s, version, facts)) {
      for (const u of facts.units) {
        if (orderMatchesUnit(s, facts, u)) {
          push(common, u.selector, {
            kind: 'order',
            id: s.source.id,
            message: `${u.selector}: ${orderMessage(s)}`,
          })
        }
      }
    }
  }

  // Agreements: the object goes out under the agreement that allows it with the fewest redactions.
  let best: { outcome: AgreementOutcome; removed: Map<string, Reason[]> } | undefined
  const agreementReasons: Reason[] = []
  if (partner.agreements.length === 0) {
    agreementReasons.push({
      kind: 'no-agreement',
      id: partnerId,
      message: `no agreement with ${partnerId} is in force`,
    })
  }
  for (const a of partner.agreements) {
    const outcome = evaluateAgreement(a, version, facts, t)
    if (outcome.reasons.length > 0) {
      agreementReasons.push(...outcome.reasons)
      continue
    }
    let removed = common
    if (outcome.redactions.size > 0) {
      removed = new Map(common)
      for (const [sel, rs] of outcome.redactions) removed.set(sel, [...(removed.get(sel) ?? []), ...rs])
    }
    const fatal = removed.size === 0 ? [] : requiredLosses(object, removed)
    if (fatal.length > 0) {
      agreementReasons.push(
        ...fatal.map((r) => ({ ...r, message: `${r.message} (agreement ${a.source.id})` })),
      )
      continue
    }
    if (best === undefined || removed.size < best.removed.size) best = { outcome, removed }
    if (removed.size === 0) break // agreements are sorted by id: the first clean one wins
  }
  if (best === undefined) denied.push(...agreementReasons)

  if (denied.length > 0 || best === undefined) return { effect: 'deny', deniedBy: denied }
  const a = best.outcome.agreement
  const allowedBy: Reason = { kind: 'agreement', id: a.source.id, message: a.allowedReason }
  const caveats = [...a.caveats]
  if (best.removed.size === 0) return { effect: 'allow', allowedBy, caveats }
  const redactions = facts.units.map((u) => u.selector).filter((s) => best.removed.has(s))
  const deniedBy = redactions.flatMap((s) => best.removed.get(s)!)
  return { effect: 'redact', allowedBy, caveats, redactions, deniedBy }
}

/** An endpoint version's visibility; memoised for versions that have no endpoints (so no depth limit applies). */
function endpointVisible(
  policy: CompiledPolicy,
  partnerId: string,
  version: ObjectVersion,
  t: number,
  context: DecisionContext | undefined,
  depth: number,
): boolean {
  const memo = context?.endpointMemo
  const memoisable = memo !== undefined && endpointRefs(version.object) === undefined
  if (memoisable) {
    const known = memo.get(version)
    if (known !== undefined) return known
  }
  const visible = decideAt(policy, partnerId, version, t, context, depth).effect !== 'deny'
  if (memoisable) memo.set(version, visible)
  return visible
}

const EMPTY: readonly string[] = []

function push(map: Map<string, Reason[]>, key: string, r: Reason): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [r])
  else list.push(r)
}

function requiredLosses(object: StixObject, removed: ReadonlyMap<string, Reason[]>): Reason[] {
  const out: Reason[] = []
  for (const [selector, reasons] of removed) {
    const top = selector.split('.')[0]!
    if (!isRequiredProperty(object.type, top)) continue
    for (const r of reasons)
      out.push({ ...r, message: `${r.message}; ${top} is required, so the object is withheld` })
  }
  return out
}

function evaluateAgreement(
  a: CompiledAgreement,
  version: ObjectVersion,
  facts: ObjectFacts,
  t: number,
): AgreementOutcome {
  const id = a.source.id
  const reasons: Reason[] = []
  const object = facts.object
  if (!withinValidity(a, t)) {
    reasons.push({ kind: 'validity', id, message: `agreement ${id} is outside its validity window` })
  }
  if (a.collections !== '*' && !a.collections.has(version.collectionId)) {
    reasons.push({
      kind: 'collection',
      id,
      message: `agreement ${id} does not cover collection ${version.collectionId}`,
    })
  }
  if (a.types !== '*' && !a.types.has(object.type)) {
    reasons.push({ kind: 'type', id, message: `agreement ${id} does not cover type ${object.type}` })
  }
  const rank = facts.tlp === undefined ? a.defaultRank : tlpRank(facts.tlp)
  if (rank > a.maxRank) {
    const what =
      facts.tlp === undefined ? `no TLP (read as ${tlpLabel(TLP_LEVELS[rank]!)})` : tlpLabel(facts.tlp)
    reasons.push({
      kind: 'tlp',
      id,
      message: `${what} is above ${tlpLabel(a.source.max_tlp)} allowed by agreement ${id}`,
    })
  }
  const missing = a.required.length === 0 ? EMPTY : a.required.filter((m) => !facts.objectMarkings.has(m))
  if (missing.length > 0) {
    reasons.push({
      kind: 'marking',
      id,
      message: `agreement ${id} requires marking(s) ${missing.join(', ')}`,
    })
  }
  const forbidden =
    a.forbidden.size === 0 ? EMPTY : [...facts.objectMarkings].filter((m) => a.forbidden.has(m))
  if (forbidden.length > 0) {
    reasons.push({
      kind: 'marking',
      id,
      message: `agreement ${id} forbids marking(s) ${forbidden.join(', ')}`,
    })
  }
  const missingLabels =
    a.requiredLabels.length === 0 ? EMPTY : a.requiredLabels.filter((l) => !facts.labels.has(l))
  if (missingLabels.length > 0) {
    reasons.push({
      kind: 'label',
      id,
      message: `agreement ${id} requires label(s) ${missingLabels.join(', ')}`,
    })
  }
  const badLabels =
    a.forbiddenLabels.size === 0 ? EMPTY : [...facts.labels].filter((l) => a.forbiddenLabels.has(l))
  if (badLabels.length > 0) {
    reasons.push({ kind: 'label', id, message: `agreement ${id} forbids label(s) ${badLabels.join(', ')}` })
  }
  const adm = a.source.admiralty
  const ev = a.source.evaluation_4x4
  if (facts.grading.unreadable !== undefined && (adm !== undefined || ev !== undefined)) {
    reasons.push({
      kind: 'grading',
      id,
      message: `agreement ${id} filters on grading, and this object's cannot be read (${facts.grading.unreadable})`,
    })
  } else if (adm !== undefined) {
    const g = facts.grading.admiralty
    if (!gradeAllowed(g?.reliability, g?.credibility, adm.reliability, adm.credibility, adm.ungraded)) {
      const code = admiraltyCode(facts.grading) ?? 'ungraded'
      reasons.push({
        kind: 'grading',
        id,
        message: `Admiralty grade ${code} is not accepted by agreement ${id}`,
      })
    }
  }
  if (ev !== undefined && facts.grading.unreadable === undefined) {
    const g = facts.grading.evaluation
    if (!gradeAllowed(g?.source, g?.information, ev.source, ev.information, ev.ungraded)) {
      const code = g === undefined ? 'ungraded' : `${g.source ?? '?'}${g.information ?? '?'}`
      reasons.push({ kind: 'grading', id, message: `4x4 grade ${code} is not accepted by agreement ${id}` })
    }
  }
  for (const c of a.unresolvedCaveats) {
    reasons.push({
      kind: 'caveat',
      id: c,
      message: `agreement ${id} attaches caveat ${c}, which the node cannot resolve`,
    })
  }

  const redactions = new Map<string, Reason[]>()
  if (reasons.length === 0 && facts.units.length > 0) {
    for (const u of facts.units) {
      const unitRank = Math.max(rank, u.tlp === undefined ? -1 : tlpRank(u.tlp))
      if (unitRank > a.maxRank) {
        push(redactions, u.selector, {
          kind: 'tlp',
          id,
          message: `${u.selector} is ${tlpLabel(TLP_LEVELS[unitRank]!)}, above ${tlpLabel(a.source.max_tlp)} allowed by agreement ${id}`,
        })
      }
      const bad = u.granular.filter((m) => a.forbidden.has(m))
      if (bad.length > 0) {
        push(redactions, u.selector, {
          kind: 'marking',
          id,
          message: `${u.selector} carries marking(s) ${bad.join(', ')} forbidden by agreement ${id}`,
        })
      }
    }
  }
  return { agreement: a, reasons, redactions }
}

function gradeAllowed<A, B>(
  first: A | undefined,
  second: B | undefined,
  allowedFirst: readonly A[] | undefined,
  allowedSecond: readonly B[] | undefined,
  ungraded: 'allow' | 'deny' | undefined,
): boolean {
  const strict = ungraded === 'deny'
  if (first === undefined && second === undefined) return !strict
  if (allowedFirst !== undefined && (first === undefined ? strict : !allowedFirst.includes(first)))
    return false
  if (allowedSecond !== undefined && (second === undefined ? strict : !allowedSecond.includes(second)))
    return false
  return true
}

/** Collection, type and label criteria (the ones that only make sense for a whole object). */
function orderScopeHolds(s: CompiledSuspension, version: ObjectVersion, facts: ObjectFacts): boolean {
  if (s.collections !== undefined && !s.collections.has(version.collectionId)) return false
  if (s.types !== undefined && !s.types.has(facts.object.type)) return false
  if (s.labels !== undefined && !anyIn(facts.labels, s.labels)) return false
  return true
}

function orderMatchesObject(s: CompiledSuspension, version: ObjectVersion, facts: ObjectFacts): boolean {
  if (!orderScopeHolds(s, version, facts)) return false
  if (s.markings !== undefined && !anyIn(facts.objectMarkings, s.markings)) return false
  if (s.aboveRank !== undefined && tlpRank(facts.tlp ?? DEFAULT_TLP) <= s.aboveRank) return false
  return true
}

/** A property matches when its markings (object-level plus granular) satisfy the order's marking/TLP criteria. */
function orderMatchesUnit(s: CompiledSuspension, facts: ObjectFacts, u: MarkedUnit): boolean {
  if (
    s.markings !== undefined &&
    !anyIn(facts.objectMarkings, s.markings) &&
    !u.granular.some((m) => s.markings!.has(m))
  ) {
    return false
  }
  if (s.aboveRank !== undefined) {
    const rank = Math.max(tlpRank(facts.tlp ?? DEFAULT_TLP), u.tlp === undefined ? -1 : tlpRank(u.tlp))
    if (rank <= s.aboveRank) return false
  }
  return true
}

function anyIn(have: ReadonlySet<string>, wanted: ReadonlySet<string>): boolean {
  for (const x of have) if (wanted.has(x)) return true
  return false
}

function orderMessage(s: CompiledSuspension): string {
  const o = s.source
  const sc = o.scope ?? {}
  const parts: string[] = []
  if (sc.collections) parts.push(`collections ${sc.collections.join(', ')}`)
  if (sc.object_types) parts.push(`types ${sc.object_types.join(', ')}`)
  if (sc.markings) parts.push(`markings ${sc.markings.join(', ')}`)
  if (sc.labels) parts.push(`labels ${sc.labels.join(', ')}`)
  if (sc.above_tlp) parts.push(`above ${tlpLabel(sc.above_tlp)}`)
  const scope = parts.length === 0 ? 'all sharing' : parts.join('; ')
  return `suspended by order ${o.id} (${scope}) issued by ${o.issuer}: ${o.reason}`
}

/**
 * The object as the partner may receive it: properties the decision redacts are removed (with the granular
 * markings that pointed at them), and the decision's caveats are appended to `object_marking_refs` without
 * duplicates, keeping existing order. Returns a new object; `object` is never mutated. A `deny` decision is a
 * programming error here and throws.
 */
export function redact(object: StixObject, decision: Decision): StixObject {
  if (decision.effect === 'deny') throw new TypeError(`redact() called for denied object ${object.id}`)
  const base = decision.effect === 'redact' ? removeSelected(object, decision.redactions) : object
  const existing = base.object_marking_refs ?? []
  const added = caveatsToAdd(existing, decision.caveats, object.id)
  if (added.length === 0) return base === object ? { ...object } : base
  return { ...base, object_marking_refs: [...existing, ...added] }
}

/**
 * The caveats `redact` appends to `existing` marking refs: those not already there, each once, in order,
 * and never a caveat's own definition (`ownId`): STIX forbids a marking-definition marked by itself, and a
 * receiving node would refuse it, and then everything carrying the caveat as unresolvable.
 */
export function caveatsToAdd(
  existing: readonly string[],
  caveats: readonly string[],
  ownId?: string,
): string[] {
  return caveats.filter((c, i) => c !== ownId && !existing.includes(c) && caveats.indexOf(c) === i)
}
