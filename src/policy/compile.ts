/**
 * A snapshot turned into per-partner indexes, so that deciding one object costs a few map lookups per
 * agreement of that partner rather than a scan of the whole policy.
 */
import type { StixObject } from '../stix/object.js'
import { type Grading, gradingOf } from './grading.js'
import { type MarkingInfo, resolveMarking } from './markings.js'
import { isWithin, type PathSegment, parseSelector } from './selectors.js'
import { parseInstant, requireInstant } from './time.js'
import { maxTlp, type TlpLevel, tlpRank } from './tlp.js'
import type { Agreement, Partner, PolicySnapshot, Suspension } from './types.js'

/** TLP assumed for an object without one, unless an agreement says otherwise; orders always use it. */
export const DEFAULT_TLP: TlpLevel = 'amber'

export interface CompiledAgreement {
  source: Agreement
  collections: ReadonlySet<string> | '*'
  types: ReadonlySet<string> | '*'
  maxRank: number
  defaultRank: number
  required: readonly string[]
  forbidden: ReadonlySet<string>
  requiredLabels: readonly string[]
  forbiddenLabels: ReadonlySet<string>
  validFrom: number
  validUntil: number
  /** Caveat ids that resolve to no known marking (the agreement cannot be used while any remain). */
  unresolvedCaveats: readonly string[]
  caveats: readonly string[]
  allowedReason: string
}

export interface CompiledSuspension {
  source: Suspension
  collections?: ReadonlySet<string>
  types?: ReadonlySet<string>
  markings?: ReadonlySet<string>
  labels?: ReadonlySet<string>
  aboveRank?: number
  /** Only `collections` (or nothing) narrows it: it blocks whole collections. */
  wholeCollections: boolean
  /** Has a criterion (markings, TLP) that can match a single property. */
  propertyLevel: boolean
}

export interface CompiledPartner {
  partner: Partner
  /** Sorted by agreement id. */
  agreements: readonly CompiledAgreement[]
  suspensions: readonly CompiledSuspension[]
}

export interface CompiledPolicy {
  snapshot: PolicySnapshot
  at: number
  staleAt: number
  partners: ReadonlyMap<string, CompiledPartner>
  /** Resolve a marking id (memoised; `undefined` for unknown ids). */
  marking(id: string): MarkingInfo | undefined
}

const setOrAll = (x: readonly string[] | '*'): ReadonlySet<string> | '*' => (x === '*' ? '*' : new Set(x))
const optSet = (x: readonly string[] | undefined): ReadonlySet<string> | undefined =>
  x === undefined ? undefined : new Set(x)

/** Each snapshot's compiled form, so that every caller holding the snapshot reuses one compilation. */
export const compiledSnapshots = new WeakMap<PolicySnapshot, CompiledPolicy>()

/**
 * Precomputes per-partner indexes for {@link PolicySnapshot}. The result is valid for every instant the
 * snapshot is (from `snapshot.at` until `snapshot.staleAt`): agreement validity windows are compared per
 * decision. `instant`, when given, is checked to lie in that interval.
 */
/** Whether instant `t` (microseconds) lies in the agreement's own term, its validity window. */
export function withinValidity(a: CompiledAgreement, t: number): boolean {
  return t >= a.validFrom && t < a.validUntil
}

export function compileSnapshot(snapshot: PolicySnapshot, instant?: string): CompiledPolicy {
  const at = requireInstant(snapshot.at, 'snapshot.at')
  const staleAt =
    snapshot.staleAt === undefined
      ? Number.POSITIVE_INFINITY
      : requireInstant(snapshot.staleAt, 'snapshot.staleAt')
  if (instant !== undefined) {
    const t = requireInstant(instant, 'instant')
    if (t < at || t >= staleAt)
      throw new RangeError(`snapshot for ${snapshot.at} does not describe ${instant}`)
  }
  const cache = new Map<string, MarkingInfo | undefined>()
  const marking = (id: string): MarkingInfo | undefined => {
    if (cache.has(id)) return cache.get(id)
    const info = resolveMarking(id, snapshot.markings)
    cache.set(id, info)
    return info
  }

  const byPartner = new Map<string, { agreements: CompiledAgreement[]; suspensions: CompiledSuspension[] }>()
  const slot = (partnerId: string) => {
    let s = byPartner.get(partnerId)
    if (s === undefined) {
      s = { agreements: [], suspensions: [] }
      byPartner.set(partnerId, s)
    }
    return s
  }
  for (const a of snapshot.agreements) {
    const caveats = dedupe(a.caveats ?? [])
    slot(a.partner_id).agreements.push({
      source: a,
      collections: setOrAll(a.collections),
      types: setOrAll(a.object_types),
      maxRank: tlpRank(a.max_tlp),
      defaultRank: tlpRank(a.default_tlp ?? DEFAULT_TLP),
      required: a.required_markings ?? [],
      forbidden: new Set(a.forbidden_markings ?? []),
      requiredLabels: a.required_labels ?? [],
      forbiddenLabels: new Set(a.forbidden_labels ?? []),
      // A window bound that does not parse closes the window (fail-closed).
      validFrom:
        a.valid_from === undefined ? Number.NEGATIVE_INFINITY : (parseInstant(a.valid_from) ?? Infinity),
      validUntil:
        a.valid_until === undefined ? Number.POSITIVE_INFINITY : (parseInstant(a.valid_until) ?? -Infinity),
      unresolvedCaveats: caveats.filter((id) => marking(id) === undefined),
      caveats,
      allowedReason: `allowed by agreement ${a.id} version ${a.version}`,
    })
  }
  for (const s of snapshot.suspensions) {
    const sc = s.scope ?? {}
    const c: CompiledSuspension = {
      source: s,
      collections: optSet(sc.collections),
      types: optSet(sc.object_types),
      markings: optSet(sc.markings),
      labels: optSet(sc.labels),
      aboveRank: sc.above_tlp === undefined ? undefined : tlpRank(sc.above_tlp),
      wholeCollections:
        sc.object_types === undefined &&
        sc.markings === undefined &&
        sc.labels === undefined &&
        sc.above_tlp === undefined,
      propertyLevel: sc.markings !== undefined || sc.above_tlp !== undefined,
    }
    slot(s.partner_id).suspensions.push(c)
  }
  const partners = new Map<string, CompiledPartner>()
  for (const [id, partner] of snapshot.partners) {
    const s = byPartner.get(id)
    const agreements = (s?.agreements ?? []).sort((x, y) => (x.source.id < y.source.id ? -1 : 1))
    partners.set(id, { partner, agreements, suspensions: s?.suspensions ?? [] })
  }
  const policy: CompiledPolicy = { snapshot, at, staleAt, partners, marking }
  compiledSnapshots.set(snapshot, policy)
  return policy
}

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)]
}

/** A granularly marked property and everything that marks it. */
export interface MarkedUnit {
  selector: string
  path: PathSegment[]
  /** Granular marking ids on this property or a property containing it. */
  granular: readonly string[]
  /** Most restrictive TLP among those granular markings. */
  tlp?: TlpLevel
  /** Granular marking ids that resolve to nothing. */
  unknown: readonly string[]
}

/** What policy needs to know about one object, computed once per decision. */
export interface ObjectFacts {
  object: StixObject
  objectMarkings: ReadonlySet<string>
  unknownObjectMarkings: readonly string[]
  /** Most restrictive TLP among object-level markings. */
  tlp?: TlpLevel
  labels: ReadonlySet<string>
  grading: Grading
  /** One entry per distinct selector, in order of first appearance in `granular_markings`. */
  units: readonly MarkedUnit[]
}

const EMPTY: readonly string[] = []

export function objectFacts(policy: CompiledPolicy, object: StixObject): ObjectFacts {
  const refs = object.object_marking_refs ?? EMPTY
  let tlp: TlpLevel | undefined
  let unknownObjectMarkings: string[] | undefined
  for (const id of refs) {
    const info = policy.marking(id)
    if (info === undefined) {
      unknownObjectMarkings ??= []
      unknownObjectMarkings.push(id)
    } else if (info.tlp !== undefined) tlp = maxTlp(tlp, info.tlp)
  }
  const facts: ObjectFacts = {
    object,
    objectMarkings: new Set(refs),
    unknownObjectMarkings: unknownObjectMarkings ?? EMPTY,
    tlp,
    labels: new Set(object.labels ?? EMPTY),
    grading: gradingOf(object),
    units: [],
  }
  const granular = object.granular_markings
  if (granular === undefined || granular.length === 0) return facts

  // Selector → marking ids applied directly to it.
  const direct = new Map<string, string[]>()
  for (const g of granular) {
    if (g.marking_ref === undefined) continue // language markings carry no restriction
    for (const s of g.selectors) {
      const list = direct.get(s)
      if (list === undefined) direct.set(s, [g.marking_ref])
      else if (!list.includes(g.marking_ref)) list.push(g.marking_ref)
    }
  }
  const entries = [...direct.entries()].map(([selector, ids]) => ({
    selector,
    path: parseSelector(selector),
    ids,
  }))
  facts.units = entries.map(({ selector, path }) => {
    const ids: string[] = []
    for (const other of entries) {
      if (isWithin(path, other.path)) for (const id of other.ids) if (!ids.includes(id)) ids.push(id)
    }
    let unitTlp: TlpLevel | undefined
    const unknown: string[] = []
    for (const id of ids) {
      const info = policy.marking(id)
      if (info === undefined) unknown.push(id)
      else if (info.tlp !== undefined) unitTlp = maxTlp(unitTlp, info.tlp)
    }
    return unitTlp === undefined
      ? { selector, path, granular: ids, unknown }
      : { selector, path, granular: ids, tlp: unitTlp, unknown }
  })
  return facts
}
