import { decide } from '../policy/decide.js'
import { policyAt } from '../policy/snapshot.js'
import { isTlpLevel, type TlpLevel } from '../policy/tlp.js'
import type { Decision, Order, OrderScope, PolicyHistory, Resumption, Suspension } from '../policy/types.js'
import type { NodeServices } from '../server/services.js'
import { resolveCollectionIds } from './collections.js'
import type { OrderImpact, PartnerImpact, SuspendDraft } from './console-types.js'
import type { Corpus } from './corpus.js'
import { loadCorpus } from './corpus.js'
import { fail, instantOr } from './policy-input.js'

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
  const before = policyAt(history, instant)
  const after = policyAt({ ...history, orders: [...history.orders, ...added] }, instant)
  const touched = partnersTouched(history, added)
  const partners: PartnerImpact[] = history.partners.map((p) => {
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
    if (!touched.has(p.id)) return impact
    let visibleBefore = 0
    let visibleAfter = 0
    for (const v of corpus.versions) {
      const context = corpus.contextFor(v)
      const d0 = decide(before, p.id, v, instant, context)
      const d1 = decide(after, p.id, v, instant, context)
      if (visible(d0)) visibleBefore++
      if (visible(d1)) visibleAfter++
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
    impact.visibleBefore = visibleBefore
    impact.visibleAfter = visibleAfter
    impact.affected = impact.lost + impact.gained + impact.newlyRedacted + impact.unredacted > 0
    return impact
  })
  return { at: instant, total: corpus.versions.length, partners, summary: summarize(partners) }
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
  return orderImpact(await policy.history(), [order], await loadCorpus(store), at)
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
  return orderImpact(history, [draftResumption(orderId, at)], await loadCorpus(store), at)
}
