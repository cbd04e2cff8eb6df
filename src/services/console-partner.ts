import { partnerLogId } from '../ledger/log-id.js'
import type { KnownMarkings } from '../policy/markings.js'
import { policyAt } from '../policy/snapshot.js'
import { tlpLabel } from '../policy/tlp.js'
import type { Agreement, OrderScope } from '../policy/types.js'
import type { NodeServices } from '../server/services.js'
import { disclosureSeries } from './console-disclosures.js'
import { knownMarkings, markingLabel } from './console-markings.js'
import type { GradingTerms, PartnerPage, PartnerPreview } from './console-types.js'
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

type AgreementRow = PartnerPage['agreements'][number]
type OtherTerms = Pick<
  AgreementRow,
  | 'default_tlp'
  | 'required_labels'
  | 'forbidden_labels'
  | 'required_markings'
  | 'forbidden_markings'
  | 'admiralty'
  | 'evaluation_4x4'
  | 'valid_from'
  | 'valid_until'
>

/** A grading filter with only the axes it restricts; undefined when it restricts nothing at all. */
function gradingTerms(
  filter: { ungraded?: 'allow' | 'deny' } | undefined,
  axes: Record<string, readonly (string | number)[] | undefined>,
): GradingTerms | undefined {
  if (!filter) return undefined
  const given = Object.entries(axes).flatMap(([axis, accepted]) =>
    accepted?.length ? [{ axis, accepted: accepted.map(String) }] : [],
  )
  const ungraded = filter.ungraded ?? 'allow'
  return given.length === 0 && ungraded === 'allow' ? undefined : { axes: given, ungraded }
}

/**
 * The terms beyond collections, types and TLP ceiling: each one withholds objects, so a page that left them out
 * would show an agreement as more generous than it is.
 */
function otherTerms(a: Agreement, known: KnownMarkings): OtherTerms {
  const admiralty = gradingTerms(a.admiralty, {
    reliability: a.admiralty?.reliability,
    credibility: a.admiralty?.credibility,
  })
  const evaluation = gradingTerms(a.evaluation_4x4, {
    source: a.evaluation_4x4?.source,
    information: a.evaluation_4x4?.information,
  })
  return {
    ...(a.default_tlp ? { default_tlp: a.default_tlp } : {}),
    required_labels: [...(a.required_labels ?? [])],
    forbidden_labels: [...(a.forbidden_labels ?? [])],
    required_markings: (a.required_markings ?? []).map((id) => markingLabel(id, known)),
    forbidden_markings: (a.forbidden_markings ?? []).map((id) => markingLabel(id, known)),
    ...(admiralty ? { admiralty } : {}),
    ...(evaluation ? { evaluation_4x4: evaluation } : {}),
    ...(a.valid_from ? { valid_from: a.valid_from } : {}),
    ...(a.valid_until ? { valid_until: a.valid_until } : {}),
  }
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
  const known = knownMarkings(history)
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
      .map(
        (a): AgreementRow => ({
          id: a.id,
          version: a.version,
          inForce: inForce.has(`${a.id}#${a.version}`),
          collections: a.collections === '*' ? '*' : a.collections.map((c) => aliases.get(c) ?? c),
          object_types: a.object_types === '*' ? '*' : [...a.object_types],
          max_tlp: a.max_tlp,
          caveats: [...(a.caveats ?? [])],
          ...otherTerms(a, known),
          effective_from: a.effective_from,
          recorded_by: a.recorded_by,
          withdrawn: a.withdrawn === true,
        }),
      ),
    orders: orders as PartnerPage['orders'],
    ...(withPreview ? { preview: await partnerPreview(services, partner.id, now) } : {}),
    disclosures: await disclosureSeries(store, partnerLogId(partner.id), Date.parse(now)),
  }
}
