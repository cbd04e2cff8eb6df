import {
  onwardWithholdingOf,
  type PartnerOnwardFacts,
  partnerOnwardFacts,
  provenanceByObject,
} from '../federation/onward-facts.js'
import { FederationState } from '../federation/state.js'
import type { CompiledPolicy } from '../policy/compile.js'
import { compiled, decideCompiled, endpointRefs } from '../policy/decide.js'
import { type Decider, memoisedDecider } from '../policy/decision-memo.js'
import { defaultLiftTime, liftRefusal } from '../policy/lifting.js'
import { type ScreeningBound, screeningBound, withinBound } from '../policy/screening.js'
import { policyAt } from '../policy/snapshot.js'
import type {
  Decision,
  DecisionContext,
  ObjectVersion,
  Order,
  OrderScope,
  PolicyHistory,
  Resumption,
  Suspension,
} from '../policy/types.js'
import type { NodeServices } from '../server/services.js'
import type { StixObject } from '../stix/object.js'
import { scanBatches } from '../store/scan.js'
import type { ObjectQuery, Store } from '../store/types.js'
import { resolveCollectionIds } from './collections.js'
import type { OrderImpact, PartnerImpact, SuspendDraft } from './console-types.js'
import type { Corpus } from './corpus.js'
import { aboveTlpInput, fail, instantOr, unknown } from './policy-input.js'
import { checkNamed } from './policy-names.js'

/** How deep `decide` follows endpoints of endpoints (relationships between relationships). */
const MAX_ENDPOINT_DEPTH = 5

/** Id given to the order that does not exist yet. */
export const HYPOTHETICAL = 'order--hypothetical'

/** The suspension a draft would record, with ids already resolved (pure; the policy service builds the real one). */
export function draftSuspension(
  draft: SuspendDraft & { collections?: string[] },
  partnerId: string,
  at: string,
): Suspension {
  const above = aboveTlpInput(draft.above_tlp, 'above_tlp')
  const scope: OrderScope = {
    ...(draft.collections?.length ? { collections: draft.collections } : {}),
    ...(draft.object_types?.length ? { object_types: draft.object_types } : {}),
    ...(draft.markings?.length ? { markings: draft.markings } : {}),
    ...(draft.labels?.length ? { labels: draft.labels } : {}),
    ...(above ? { above_tlp: above } : {}),
  }
  return {
    kind: 'suspension',
    id: HYPOTHETICAL,
    partner_id: partnerId,
    ...(Object.keys(scope).length > 0 ? { scope } : {}),
    effective_from: at,
    issuer: 'preview',
    reason: 'preview',
    recorded_at: at,
    recorded_by: 'preview',
  }
}

export function draftResumption(lifts: string, at: string): Resumption {
  return {
    kind: 'resumption',
    id: HYPOTHETICAL,
    lifts,
    effective_from: at,
    issuer: 'preview',
    reason: 'preview',
    recorded_at: at,
  }
}

/** Partners whose decisions the added orders can change: the partner of each suspension, or of the one a resumption lifts. */
export function partnersTouched(history: PolicyHistory, added: readonly Order[]): Set<string> {
  const out = new Set<string>()
  for (const o of added) {
    if (o.kind === 'suspension') out.add(o.partner_id)
    else {
      const lifted = history.orders.find((s) => s.kind === 'suspension' && s.id === o.lifts) as
        | Suspension
        | undefined
      if (lifted) out.add(lifted.partner_id)
    }
  }
  return out
}

const visible = (d: Decision | undefined): boolean => d !== undefined && d.effect !== 'deny'
const removed = (d: Decision | undefined): number => (d?.effect === 'redact' ? d.redactions.length : 0)
const bump = (rec: Record<string, number>, key: string) => {
  rec[key] = (rec[key] ?? 0) + 1
}

/**
 * Counts, for the partners the added orders touch, what each version does before and after them: the whole
 * impact computation, fed either from an in-memory corpus (deciding everything) or from the store (deciding
 * only what a partner can possibly see).
 */
class ImpactTally {
  readonly before: CompiledPolicy
  readonly after: CompiledPolicy
  readonly touched: Set<string>
  readonly partners: PartnerImpact[]
  readonly #counts = new Map<string, { impact: PartnerImpact; before: number; after: number }>()

  constructor(
    history: PolicyHistory,
    added: readonly Order[],
    readonly instant: string,
  ) {
    this.before = compiled(policyAt(history, instant))
    this.after = compiled(policyAt({ ...history, orders: [...history.orders, ...added] }, instant))
    this.touched = partnersTouched(history, added)
    this.partners = history.partners.map((p) => {
      const impact: PartnerImpact = {
        partner: { id: p.id, name: p.name },
        affected: false,
        lost: 0,
        gained: 0,
        newlyRedacted: 0,
        unredacted: 0,
        lostByCollection: {},
        gainedByCollection: {},
      }
      if (this.touched.has(p.id)) this.#counts.set(p.id, { impact, before: 0, after: 0 })
      return impact
    })
  }

  /** Touched partners that exist (an order may name one the history does not hold). */
  get partnerIds(): string[] {
    return [...this.#counts.keys()]
  }

  /**
   * Decides `v` before and after for every touched partner: the straightforward computation. A version the
   * rules after the policy withhold from a partner (`withheldAfter`) is one it sees on neither side.
   */
  add(v: ObjectVersion, context: DecisionContext | undefined, withheldAfter?: WithheldAfter): void {
    for (const partnerId of this.#counts.keys()) {
      if (withheldAfter?.(partnerId, v, context?.endpoints)) continue
      const d0 = decideCompiled(this.before, partnerId, v, this.instant, context)
      const d1 = decideCompiled(this.after, partnerId, v, this.instant, context)
      this.record(partnerId, v.collectionId, d0, d1)
    }
  }

  /** One version's decisions for one partner; undefined stands for a denial known without deciding. */
  record(partnerId: string, collectionId: string, d0: Decision | undefined, d1: Decision | undefined): void {
    const c = this.#counts.get(partnerId)
    if (c === undefined) return
    const impact = c.impact
    const v0 = visible(d0)
    const v1 = visible(d1)
    if (v0) c.before++
    if (v1) c.after++
    if (v0 && !v1) {
      impact.lost++
      bump(impact.lostByCollection, collectionId)
    } else if (!v0 && v1) {
      impact.gained++
      bump(impact.gainedByCollection, collectionId)
    } else if (v0 && v1) {
      if (removed(d1) > removed(d0)) impact.newlyRedacted++
      else if (removed(d1) < removed(d0)) impact.unredacted++
    }
  }

  result(total: number): OrderImpact {
    for (const c of this.#counts.values()) {
      c.impact.visibleBefore = c.before
      c.impact.visibleAfter = c.after
      const i = c.impact
      i.affected = i.lost + i.gained + i.newlyRedacted + i.unredacted > 0
    }
    return { at: this.instant, total, partners: this.partners, summary: summarize(this.partners) }
  }
}

/**
 * Whether the federation rules, applied after the policy on every partner read, withhold `v` from a partner:
 * itself, or for an SRO one of its ends (`endpoints`).
 */
export type WithheldAfter = (
  partnerId: string,
  v: ObjectVersion,
  endpoints?: ReadonlyMap<string, readonly ObjectVersion[]>,
) => boolean

/**
 * The federation rules for the touched partners as `storeImpact` applies them, given the provenance of the
 * versions at hand; the same predicate serves `orderImpact` as the reference.
 */
export async function federationWithheld(
  store: Store,
  policy: CompiledPolicy,
  partnerIds: readonly string[],
  instant: string,
): Promise<(objects: readonly StixObject[]) => Promise<WithheldAfter>> {
  const state = new FederationState(store)
  const facts = new Map<string, PartnerOnwardFacts>()
  for (const id of partnerIds) facts.set(id, await partnerOnwardFacts(state, policy.snapshot, id, instant))
  return async (objects) => {
    // the ends of SROs among them too, for the endpoint rule
    const ids = objects.flatMap((o) => [o.id, ...(endpointRefs(o)?.refs ?? [])])
    const provenance = await provenanceByObject(store, ids, instant)
    const rules = new Map([...facts].map(([id, f]) => [id, onwardWithholdingOf(f, provenance)]))
    return (partnerId, v, endpoints) => rules.get(partnerId)?.(v.object, endpoints) !== undefined
  }
}

/**
 * What adding `added` to the policy history would change at `instant`, object by object, for every partner,
 * deciding every version of `corpus` before and after: the reference the store path must agree with.
 * Decisions for one partner depend only on that partner's agreements and orders, so partners no added order
 * concerns are reported unaffected without deciding anything for them.
 */
export function orderImpact(
  history: PolicyHistory,
  added: readonly Order[],
  corpus: Corpus,
  instant: string,
  withheldAfter?: WithheldAfter,
): OrderImpact {
  const tally = new ImpactTally(history, added, instant)
  if (tally.touched.size > 0)
    for (const v of corpus.versions) tally.add(v, corpus.contextFor(v), withheldAfter)
  return tally.result(corpus.versions.length)
}

/** Endpoints kept between batches at most (popular endpoints recur); past that the cache starts afresh. */
const ENDPOINT_CACHE = 20_000

/**
 * Relationship and sighting endpoints of a batch (and theirs, as deep as `decide` looks), from `cache` or the
 * store; what is fetched is added to `cache`.
 */
async function endpointContext(
  store: Store,
  objects: readonly StixObject[],
  cache: Map<string, ObjectVersion[]>,
): Promise<Map<string, ObjectVersion[]>> {
  if (cache.size > ENDPOINT_CACHE) cache.clear()
  let wanted = new Set(objects.flatMap((o) => endpointRefs(o)?.refs ?? []))
  for (let depth = 0; depth < MAX_ENDPOINT_DEPTH && wanted.size > 0; depth++) {
    const next = new Set<string>()
    const missing = [...wanted].filter((id) => !cache.has(id))
    for (const id of missing) cache.set(id, [])
    for (let at = 0; at < missing.length; at += 500) {
      for (const stored of await store.latestVersions(missing.slice(at, at + 500))) {
        const object = JSON.parse(stored.json) as StixObject
        cache.get(stored.id)?.push({ collectionId: stored.collectionId, object })
      }
    }
    for (const id of wanted)
      for (const v of cache.get(id) ?? []) for (const ref of endpointRefs(v.object)?.refs ?? []) next.add(ref)
    for (const id of wanted) next.delete(id)
    wanted = next
  }
  return cache
}

/** What one touched partner can possibly see in one collection before and after, and how to decide it. */
interface Side {
  partnerId: string
  before: ScreeningBound | undefined
  after: ScreeningBound | undefined
  decideBefore: Decider
  decideAfter: Decider
  memoBefore: WeakMap<ObjectVersion, boolean>
  memoAfter: WeakMap<ObjectVersion, boolean>
}

/** The store query that reads every version some side can possibly see (the union of their bounds). */
function unionQuery(collectionId: string, sides: readonly Side[]): Omit<ObjectQuery, 'limit'> {
  let maxTlpRank = Number.NEGATIVE_INFINITY
  let unmarked = false
  let types: Set<string> | undefined = new Set()
  for (const s of sides) {
    for (const b of [s.before, s.after]) {
      if (b === undefined) continue
      maxTlpRank = Math.max(maxTlpRank, b.maxTlpRank)
      unmarked ||= b.unmarked
      if (b.types === undefined) types = undefined
      else if (types !== undefined) for (const t of b.types) types.add(t)
    }
  }
  return {
    collectionId,
    ...(types !== undefined ? { types: [...types] } : {}),
    tlpScreen: { maxTlpRank, unmarked },
  }
}

/**
 * The impact computed straight from the store, in batches. Per collection, only the newest versions some
 * touched partner can possibly see before or after are read (the screening bound of src/policy/screening.ts,
 * applied by the store), and a version outside one side's bound counts as denied on that side without being
 * decided: a suspension that takes everything away decides each version once, not twice. Versions without
 * endpoints are decided once per distinct set of facts. Never the whole node in memory, and nothing read for
 * partners the orders do not touch.
 */
export async function storeImpact(
  store: Store,
  history: PolicyHistory,
  added: readonly Order[],
  instant: string,
): Promise<OrderImpact> {
  const tally = new ImpactTally(history, added, instant)
  const deciders = tally.partnerIds.map((partnerId) => ({
    partnerId,
    decideBefore: memoisedDecider(tally.before, partnerId, instant),
    decideAfter: memoisedDecider(tally.after, partnerId, instant),
    // endpoint visibility, one memo per partner and policy (the endpoint versions are the cached ones)
    memoBefore: new WeakMap<ObjectVersion, boolean>(),
    memoAfter: new WeakMap<ObjectVersion, boolean>(),
  }))
  const cache = new Map<string, ObjectVersion[]>()
  const withheldFor = await federationWithheld(store, tally.before, tally.partnerIds, instant)
  let total = 0
  for (const c of await store.listCollections()) {
    total +=
      (await store.searchObjects({ collectionId: c.id, limit: 1, scanLimit: 1, withTotal: true })).total ?? 0
    const sides: Side[] = deciders
      .map((d) => ({
        ...d,
        before: screeningBound(tally.before, d.partnerId, c.id, instant),
        after: screeningBound(tally.after, d.partnerId, c.id, instant),
      }))
      .filter((s) => s.before !== undefined || s.after !== undefined)
    if (sides.length === 0) continue
    for await (const batch of scanBatches(store, unionQuery(c.id, sides))) {
      const versions = batch.map((b) => ({
        collectionId: b.collectionId,
        object: JSON.parse(b.json) as StixObject,
      }))
      const endpoints = await endpointContext(
        store,
        versions.flatMap((v) => (endpointRefs(v.object) === undefined ? [] : [v.object])),
        cache,
      )
      const withheld = await withheldFor(versions.map((v) => v.object))
      for (const v of versions) {
        const refs = endpointRefs(v.object)?.refs
        const near = refs && new Map(refs.map((r) => [r, endpoints.get(r) ?? []]))
        for (const s of sides) {
          const in0 = withinBound(s.before, v.object)
          const in1 = withinBound(s.after, v.object)
          if ((!in0 && !in1) || withheld(s.partnerId, v, near)) continue
          const d0 = in0
            ? s.decideBefore(v, near && { endpoints: near, endpointMemo: s.memoBefore })
            : undefined
          const d1 = in1
            ? s.decideAfter(v, near && { endpoints: near, endpointMemo: s.memoAfter })
            : undefined
          tally.record(s.partnerId, c.id, d0, d1)
        }
      }
    }
  }
  return tally.result(total)
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** "Northland … loses access to 1,240 objects in 2 collections; Isles … and Southern … unaffected." */
export function summarize(partners: readonly PartnerImpact[]): string {
  const parts: string[] = []
  for (const p of partners.filter((x) => x.affected)) {
    const bits: string[] = []
    if (p.lost > 0)
      bits.push(
        `loses access to ${plural(p.lost, 'object')} in ${plural(Object.keys(p.lostByCollection).length, 'collection')}`,
      )
    if (p.gained > 0)
      bits.push(
        `regains access to ${plural(p.gained, 'object')} in ${plural(Object.keys(p.gainedByCollection).length, 'collection')}`,
      )
    if (p.newlyRedacted > 0)
      bits.push(`receives ${plural(p.newlyRedacted, 'object')} with more properties removed`)
    if (p.unredacted > 0)
      bits.push(`receives ${plural(p.unredacted, 'object')} with fewer properties removed`)
    parts.push(`${p.partner.name} ${bits.join(', ')}`)
  }
  const untouched = partners.filter((x) => !x.affected).map((x) => x.partner.name)
  if (parts.length === 0) return 'No partner would receive anything different.'
  if (untouched.length > 0)
    parts.push(`${listNames(untouched)} ${untouched.length === 1 ? 'is' : 'are'} unaffected`)
  return `${parts.join('; ')}.`
}

/** Impact of a suspension the officer is about to issue. */
export async function previewSuspension(
  services: NodeServices,
  draft: SuspendDraft,
  now: string,
): Promise<OrderImpact> {
  const { policy, store } = services
  const partner = await policy.partner(draft.partner)
  const at = instantOr(draft.effective_from, now, 'effective_from')
  const collections = draft.collections?.length
    ? await resolveCollectionIds(store, draft.collections)
    : undefined
  const history = await policy.history()
  await checkNamed(store, history, {
    types: draft.object_types,
    markings: draft.markings,
    labels: draft.labels,
  })
  const order = draftSuspension({ ...draft, ...(collections ? { collections } : {}) }, partner.id, at)
  const impact = await suspensionImpact(store, history, order, at, now)
  return matchesNothingNow(impact, order, partner.name)
}

/**
 * An order that takes nothing from its partner now is legitimate (it waits for what arrives), but a
 * misspelt label also takes nothing, and "no partner would receive anything different" alone reads as
 * success: the officer is told the narrowing matched nothing that partner receives.
 */
function matchesNothingNow(impact: OrderImpact, order: Suspension, partnerName: string): OrderImpact {
  const own = impact.partners.find((p) => p.partner.id === order.partner_id)
  if (own && (own.lost > 0 || own.newlyRedacted > 0)) return impact
  const narrowed = order.scope !== undefined && Object.keys(order.scope).length > 0
  const labels = order.scope?.labels?.length ? ' (a label is compared exactly, case included)' : ''
  const note = narrowed
    ? ` Nothing ${partnerName} receives now matches this narrowing${labels}: it applies only to what arrives later and matches it.`
    : ` ${partnerName} receives nothing now: the order applies to what would arrive later.`
  return { ...impact, summary: `${impact.summary}${note}` }
}

async function suspensionImpact(
  store: Store,
  history: PolicyHistory,
  order: Suspension,
  at: string,
  now: string,
): Promise<OrderImpact> {
  // Backdated (an order given by telephone, entered later): what was served since went out without it, so
  // what it changes is from now on. Judged at its own past instant, the preview would show that past's
  // policy (maybe no agreement yet: "nothing changes") for an order that cuts the partner off now.
  if (Date.parse(at) >= Date.parse(now)) return storeImpact(store, history, [order], at)
  const impact = await storeImpact(store, history, [order], now)
  return {
    ...impact,
    summary: `Backdated to ${at}: what was served since then went out without it. From now: ${impact.summary}`,
  }
}

/** Impact of lifting suspension `orderId`. */
export async function previewResumption(
  services: NodeServices,
  orderId: string,
  effectiveFrom: string | undefined,
  now: string,
): Promise<OrderImpact> {
  const { policy, store } = services
  const history = await policy.history()
  const suspension = history.orders.find((o): o is Suspension => o.kind === 'suspension' && o.id === orderId)
  if (!suspension) return unknown(orderId, `no suspension order "${orderId}"`)
  const at = instantOr(effectiveFrom, defaultLiftTime(suspension, now), 'effective_from')
  const refusal = liftRefusal(history.orders, suspension, at, now)
  if (refusal) fail(refusal)
  return storeImpact(store, history, [draftResumption(orderId, at)], at)
}
