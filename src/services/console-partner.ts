import { partnerLogId } from '../ledger/log-id.js'
import { policyAt } from '../policy/snapshot.js'
import { tlpLabel } from '../policy/tlp.js'
import type { OrderScope } from '../policy/types.js'
import type { NodeServices } from '../server/services.js'
import { disclosureSeries } from './console-disclosures.js'
import type { PartnerPage, PartnerPreview } from './console-types.js'
import { orderHistory, previewPartner } from './policy-views.js'

/** `scopeText` of an order that suspends all sharing with its partner. */
export const WHOLE_PARTNER = 'all sharing'

/** An order's scope in words, with collection aliases where the node has them. */
export function scopeText(scope: OrderScope | undefined, aliases: ReadonlyMap<string, string>): string {
  if (!scope || Object.keys(scope).length === 0) return WHOLE_PARTNER
  const parts: string[] = []
  if (scope.collections)
    parts.push(`collections ${scope.collections.map((c) => aliases.get(c) ?? c).join(', ')}`)
  if (scope.object_types) parts.push(`types ${scope.object_types.join(', ')}`)
  if (scope.markings) parts.push(`markings ${scope.markings.join(', ')}`)
  if (scope.labels) parts.push(`labels ${scope.labels.join(', ')}`)
  if (scope.above_tlp) parts.push(`above ${tlpLabel(scope.above_tlp)}`)
  return parts.join('; ')
}

/** What a partner receives at `now`, with counts by collection and, for withheld versions, by reason. */
export async function partnerPreview(
  services: NodeServices,
  partnerId: string,
  now: string,
): Promise<PartnerPreview> {
  const partner = await services.policy.partner(partnerId)
  const preview = await previewPartner(services.store, services.policy, partner.id, now)
  return {
    at: now,
    total: preview.total,
    allowed: preview.allowed,
    redacted: preview.redacted,
    denied: preview.denied,
    byCollection: preview.byCollection,
    deniedByReason: preview.deniedByReason,
  }
}

/**
 * Everything the partner page shows: agreements, orders, disclosures over time and, unless
 * `withPreview` is false, what the partner receives now.
 */
export async function partnerPage(
  services: NodeServices,
  partnerId: string,
  now: string,
  withPreview = true,
): Promise<PartnerPage> {
  const { policy, store } = services
  const partner = await policy.partner(partnerId)
  const history = await policy.history()
  const inForce = new Set(policyAt(history, now).agreements.map((a) => `${a.id}#${a.version}`))
  const aliases = new Map(
    (await store.listCollections()).flatMap((c) => (c.alias ? [[c.id, c.alias] as const] : [])),
  )
  const views = await orderHistory(policy, now, partner.id)
  const byId = new Map(views.map((v) => [v.order.id, v.order]))
  const orders = views.flatMap((view) => {
    const o = view.order
    const lift = view.liftedBy === undefined ? undefined : byId.get(view.liftedBy)
    if (o.kind !== 'suspension' || view.status === 'resumption') return []
    return [
      {
        id: o.id,
        // it never was in force, so it has no end to show
        status: view.cancelled ? 'cancelled' : view.status,
        scope: scopeText(o.scope, aliases),
        reason: o.reason,
        ...(o.reference ? { reference: o.reference } : {}),
        issuer: o.issuer,
        effective_from: o.effective_from,
        ...(view.backdatedUntil ? { backdated_until: view.backdatedUntil } : {}),
        ...(view.liftedAt && !view.cancelled ? { lifted_at: view.liftedAt } : {}),
        ...(lift
          ? {
              lift: {
                order: lift.id,
                issuer: lift.issuer,
                reason: lift.reason,
                scheduled: view.liftScheduled === true,
              },
            }
          : {}),
      },
    ]
  })
  return {
    at: now,
    partner: { id: partner.id, name: partner.name, kind: partner.kind, identity_id: partner.identity_id },
    agreements: history.agreements
      .filter((a) => a.partner_id === partner.id)
      .map((a) => ({
        id: a.id,
        version: a.version,
        inForce: inForce.has(`${a.id}#${a.version}`),
        collections: a.collections === '*' ? '*' : a.collections.map((c) => aliases.get(c) ?? c),
        object_types: a.object_types === '*' ? '*' : [...a.object_types],
        max_tlp: a.max_tlp,
        caveats: [...(a.caveats ?? [])],
        effective_from: a.effective_from,
        recorded_by: a.recorded_by,
        withdrawn: a.withdrawn === true,
      })),
    orders: orders as PartnerPage['orders'],
    ...(withPreview ? { preview: await partnerPreview(services, partner.id, now) } : {}),
    disclosures: await disclosureSeries(store, partnerLogId(partner.id), Date.parse(now)),
  }
}
