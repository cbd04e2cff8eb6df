import { onwardWithholdingOf, partnerOnwardFacts, provenanceByObject } from '../federation/onward-facts.js'
import { FederationState } from '../federation/state.js'
import type {
  AfterPolicy,
  Decision,
  ObjectVersion,
  Order,
  PolicySnapshot,
  PreviewCounts,
} from '../policy/index.js'
import { type Explanation, endpointRefs, explain, policyAt, previewCounts } from '../policy/index.js'
import type { StixObject } from '../stix/object.js'
import type { Store } from '../store/types.js'
import { loadCorpus } from './corpus.js'
import { fail } from './policy-input.js'
import type { PolicyService } from './policy-service.js'

async function endpointsFor(store: Store, object: StixObject): Promise<Map<string, ObjectVersion[]>> {
  const refs = endpointRefs(object)?.refs ?? []
  const map = new Map<string, ObjectVersion[]>()
  for (const v of await store.latestVersions(refs)) {
    map.set(v.id, [
      ...(map.get(v.id) ?? []),
      { collectionId: v.collectionId, object: JSON.parse(v.json) as StixObject },
    ])
  }
  return map
}

/**
 * The federation rules as a partner's reads apply them after the policy (onward-gate.ts), with the facts
 * recorded by `at`, for the objects `ids`: so that an explanation or a preview says what the partner gets.
 */
async function federationRules(
  store: Store,
  snapshot: PolicySnapshot,
  partnerId: string,
  ids: Iterable<string>,
  at: string,
): Promise<AfterPolicy> {
  const [partner, provenance] = await Promise.all([
    partnerOnwardFacts(new FederationState(store), snapshot, partnerId, at),
    provenanceByObject(store, ids, at),
  ])
  const withholding = onwardWithholdingOf(partner, provenance)
  return (v, context) => {
    const w = withholding(v.object, context?.endpoints)
    if (w === undefined) return undefined
    if (w.end === undefined) return { kind: 'federation', message: w.message }
    return {
      kind: 'endpoint',
      id: w.end,
      message: `its end ${w.end} is withheld by the federation rules: ${w.message}`,
    }
  }
}

/** Why each stored version of an object is, or is not, disclosed to a partner at an instant. */
export async function explainObject(
  store: Store,
  policy: PolicyService,
  partnerId: string,
  objectId: string,
  at: string,
): Promise<Explanation[]> {
  const partner = await policy.partner(partnerId)
  const versions = await store.latestVersions([objectId])
  if (versions.length === 0) fail(`no object "${objectId}" is stored on this node`)
  const snapshot = policyAt(await policy.history(), at)
  const parsed = versions.map((v) => ({
    collectionId: v.collectionId,
    object: JSON.parse(v.json) as StixObject,
  }))
  const contexts = await Promise.all(
    parsed.map(async (v) => ({ endpoints: await endpointsFor(store, v.object) })),
  )
  const ids = [objectId, ...contexts.flatMap((c) => [...c.endpoints.keys()])]
  const after = await federationRules(store, snapshot, partner.id, ids, at)
  const out = parsed.map((v, i) => explain(snapshot, partner.id, v, at, contexts[i], after))
  return out
}

/** What a partner would receive at an instant, counted by effect, reason and collection. */
export async function previewPartner(
  store: Store,
  policy: PolicyService,
  partnerId: string,
  at: string,
): Promise<PreviewCounts> {
  const partner = await policy.partner(partnerId)
  const corpus = await loadCorpus(store)
  const snapshot = policyAt(await policy.history(), at)
  const ids = corpus.versions.map((v) => v.object.id)
  const after = await federationRules(store, snapshot, partner.id, ids, at)
  return previewCounts(snapshot, partner.id, at, corpus.versions, corpus.contextFor, after)
}

export interface OrderView {
  order: Order
  /** For suspensions: when it took (or takes) effect and when it was lifted, if it was. */
  status: 'scheduled' | 'active' | 'lifted' | 'resumption'
  liftedBy?: string
  liftedAt?: string
}

/** Every order about a partner (or all), oldest first, with its state at `now`. */
export async function orderHistory(
  policy: PolicyService,
  now: string,
  partnerId?: string,
): Promise<OrderView[]> {
  const { orders } = await policy.history()
  const partner = partnerId ? (await policy.partner(partnerId)).id : undefined
  const suspensionPartner = new Map(
    orders.flatMap((o) => (o.kind === 'suspension' ? [[o.id, o.partner_id] as const] : [])),
  )
  const t = Date.parse(now)
  return orders
    .filter(
      (o) =>
        !partner || (o.kind === 'suspension' ? o.partner_id : suspensionPartner.get(o.lifts)) === partner,
    )
    .map((order): OrderView => {
      if (order.kind === 'resumption') return { order, status: 'resumption' }
      const lift = orders.find((o) => o.kind === 'resumption' && o.lifts === order.id)
      const lifted = lift && Date.parse(lift.effective_from) <= t
      const status = lifted ? 'lifted' : Date.parse(order.effective_from) > t ? 'scheduled' : 'active'
      return { order, status, ...(lift ? { liftedBy: lift.id, liftedAt: lift.effective_from } : {}) }
    })
}

export type { Decision }
