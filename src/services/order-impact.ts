import type { CompiledPolicy } from '../policy/compile.js'
import { compiled, decideCompiled, endpointRefs } from '../policy/decide.js'
import { policyAt } from '../policy/snapshot.js'
import { isTlpLevel, type TlpLevel } from '../policy/tlp.js'
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
import type { Store } from '../store/types.js'
import { resolveCollectionIds } from './collections.js'
import type { OrderImpact, PartnerImpact, SuspendDraft } from './console-types.js'
import type { Corpus } from './corpus.js'
import { fail, instantOr } from './policy-input.js'

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
  const above = draft.above_tlp?.toLowerCase()
  if (above !== undefined && above !== '' && !isTlpLevel(above))
    fail('above_tlp must be clear, green, amber, amber+strict or red')
  const scope: OrderScope = {
    ...(draft.collections?.length ? { collections: draft.collections } : {}),
    ...(draft.object_types?.length ? { object_types: draft.object_types } : {}),
    ...(draft.markings?.length ? { markings: draft.markings } : {}),
    ...(draft.labels?.length ? { labels: draft.labels } : {}),
    ...(above ? { above_tlp: above as TlpLevel } : {}),
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

const visible = (d: Decision): boolean => d.effect !== 'deny'
const removed = (d: Decision): number => (d.effect === 'redact' ? d.redactions.length : 0)
const bump = (rec: Record<string, number>, key: string) => {
  rec[key] = (rec[key] ?? 0) + 1
}

/**
 * Decides versions one by one, before and after the added orders, for the partners they touch: the whole
 * impact computation, fed either from an in-memory corpus or batch by batch from the store.
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

  add(v: ObjectVersion, context: DecisionContext | undefined): void {
    for (const [partnerId, c] of this.#counts) {
      const d0 = decideCompiled(this.before, partnerId, v, this.instant, context)
      const d1 = decideCompiled(this.after, partnerId, v, this.instant, context)
      const impact = c.impact
      if (visible(d0)) c.before++
      if (visible(d1)) c.after++
      if (visible(d0) && !visible(d1)) {
        impact.lost++
        bump(impact.lostByCollection, v.collectionId)
      } else if (!visible(d0) && visible(d1)) {
        impact.gained++
        bump(impact.gainedByCollection, v.collectionId)
      } else if (visible(d0) && visible(d1)) {
        if (removed(d1) > removed(d0)) impact.newlyRedacted++
        else if (removed(d1) < removed(d0)) impact.unredacted++
      }
    }
  }

  /**
   * What the touched partners may receive at all in `collectionId`, before or after: every type, some types
   * only, or nothing (no agreement of theirs covers the collection, so every version there is withheld
   * either way and need not be read). Orders never widen an agreement, so the agreements decide alone.
   */
  reach(collectionId: string): { types: string[] | undefined } | undefined {
    const types = new Set<string>()
    let any = false
    for (const partnerId of this.#counts.keys()) {
      for (const policy of [this.before, this.after]) {
        for (const a of policy.partners.get(partnerId)?.agreements ?? []) {
          if (a.collections !== '*' && !a.collections.has(collectionId)) continue
          if (a.types === '*') return { types: undefined }
          any = true
          for (const t of a.types) types.add(t)
        }
      }
    }
    return any ? { types: [...types] } : undefined
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
 * What adding `added` to the policy history would change at `instant`, object by object, for every partner.
 * Decisions for one partner depend only on that partner's agreements and orders, so partners no added order
 * concerns are reported unaffected without deciding anything for them.
 */
export function orderImpact(
  history: PolicyHistory,
  added: readonly Order[],
  corpus: Corpus,
  instant: string,
): OrderImpact {
  const tally = new ImpactTally(history, added, instant)
  if (tally.touched.size > 0) for (const v of corpus.versions) tally.add(v, corpus.contextFor(v))
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

/**
 * The impact computed straight from the store, in batches: the newest version of every object in the
 * collections the touched partners may receive from at all, of the types their agreements allow; never the
 * whole node in memory, and nothing read for partners the orders do not touch.
 */
export async function storeImpact(
  store: Store,
  history: PolicyHistory,
  added: readonly Order[],
  instant: string,
): Promise<OrderImpact> {
  const tally = new ImpactTally(history, added, instant)
  const cache = new Map<string, ObjectVersion[]>()
  let total = 0
  for (const c of await store.listCollections()) {
    total +=
      (await store.searchObjects({ collectionId: c.id, limit: 1, scanLimit: 1, withTotal: true })).total ?? 0
    const reach = tally.touched.size > 0 ? tally.reach(c.id) : undefined
    if (!reach || reach.types?.length === 0) continue
    for await (const batch of scanBatches(store, {
      collectionId: c.id,
      ...(reach.types ? { types: reach.types } : {}),
    })) {
      const versions = batch.map((b) => ({
        collectionId: b.collectionId,
        object: JSON.parse(b.json) as StixObject,
      }))
      const endpoints = await endpointContext(
        store,
        versions.map((v) => v.object),
        cache,
      )
      for (const v of versions) {
        const refs = endpointRefs(v.object)?.refs
        tally.add(v, refs ? { endpoints: new Map(refs.map((r) => [r, endpoints.get(r) ?? []])) } : undefined)
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
  const order = draftSuspension({ ...draft, ...(collections ? { collections } : {}) }, partner.id, at)
  return storeImpact(store, await policy.history(), [order], at)
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
  const suspension = history.orders.find((o) => o.kind === 'suspension' && o.id === orderId)
  if (!suspension) fail(`no suspension order "${orderId}"`)
  if (history.orders.some((o) => o.kind === 'resumption' && o.lifts === orderId))
    fail(`order "${orderId}" has already been lifted`)
  const at = instantOr(effectiveFrom, now, 'effective_from')
  return storeImpact(store, history, [draftResumption(orderId, at)], at)
}
