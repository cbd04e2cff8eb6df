import { onwardWithholdingOf, partnerOnwardFacts, provenanceByObject } from '../federation/onward-facts.js'
import { FederationState } from '../federation/state.js'
import type {
  AfterPolicy,
  Decision,
  ObjectVersion,
  Order,
  PolicySnapshot,
  PreviewCounts,
  Reason,
  Suspension,
} from '../policy/index.js'
import {
  cancels,
  type Explanation,
  endpointRefs,
  explain,
  firstLift,
  parseInstant,
  policyAt,
  previewCounts,
} from '../policy/index.js'
import type { StixObject } from '../stix/object.js'
import { scanBatches } from '../store/scan.js'
import type { Store, StoredVersion } from '../store/types.js'
import { loadCorpus } from './corpus.js'
import { fail, unknown } from './policy-input.js'
import type { PolicyService } from './policy-service.js'
import { newestFirst, newestStoredBy, storedBy } from './stored-at.js'

/** Every stored version of the objects `ids`, in every collection. */
async function storedVersions(store: Store, ids: string[]): Promise<StoredVersion[]> {
  const out: StoredVersion[] = []
  // the store reads no ids as no filter
  if (ids.length === 0) return out
  for (const { id: collectionId } of await store.listCollections()) {
    for await (const batch of scanBatches(store, { collectionId, ids, versions: [{ kind: 'all' }] }))
      out.push(...batch)
  }
  return out
}

const versionOf = (v: StoredVersion): ObjectVersion => ({
  collectionId: v.collectionId,
  object: JSON.parse(v.json) as StixObject,
})

/**
 * An SRO's ends among `held`, the newest versions (per collection) the node had stored at the instant
 * explained, as the store's newest versions answered then.
 */
function endpointsAt(object: StixObject, held: readonly StoredVersion[]): Map<string, ObjectVersion[]> {
  const refs = new Set(endpointRefs(object)?.refs ?? [])
  const map = new Map<string, ObjectVersion[]>()
  for (const v of held) if (refs.has(v.id)) map.set(v.id, [...(map.get(v.id) ?? []), versionOf(v)])
  return map
}

/** An RFC 3339 instant in microseconds, or a clear refusal. */
function micros(instant: string): number {
  return parseInstant(instant) ?? fail(`"${instant}" is not an RFC 3339 timestamp`)
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

/** One stored version of an object, explained. */
export interface VersionExplanation extends Explanation {
  collectionId: string
  /** The version's STIX `modified` (else `created`). */
  version?: string
  dateAdded: string
  /**
   * False when the node stored the version after the instant: it did not exist then, and nothing of it was
   * disclosed. The decision is the one it would have had; the first line says so.
   */
  existed: boolean
}

/**
 * Why each stored version of an object (newest first) is, or is not, disclosed to a partner at an instant,
 * with the node's objects as they were then: SRO ends stored later are not known, and versions stored later
 * are marked as not existing yet.
 */
export async function explainObject(
  store: Store,
  policy: PolicyService,
  partnerId: string,
  objectId: string,
  at: string,
): Promise<VersionExplanation[]> {
  const partner = await policy.partner(partnerId)
  const versions = (await storedVersions(store, [objectId])).sort(newestFirst)
  if (versions.length === 0) unknown(objectId, `no object "${objectId}" is stored on this node`)
  const snapshot = policyAt(await policy.history(), at)
  const t = micros(at)
  const parsed = versions.map(versionOf)
  // the ends of every version, read once: the newest version of each stored by `at`
  const refs = [...new Set(parsed.flatMap((v) => endpointRefs(v.object)?.refs ?? []))]
  const held = newestStoredBy(await storedVersions(store, refs), t)
  const contexts = parsed.map((v) => ({ endpoints: endpointsAt(v.object, held) }))
  const ids = [objectId, ...contexts.flatMap((c) => [...c.endpoints.keys()])]
  const federation = await federationRules(store, snapshot, partner.id, ids, at)
  const explained = (i: number, after: AfterPolicy) =>
    explain(snapshot, partner.id, parsed[i]!, at, contexts[i], after)
  // newest first, so the first version met in a collection that existed at `at` is the one reads judge by
  const newestWithheld = new Map<string, StoredVersion>()
  const judgedBy = new Set<string>()
  return versions.map((stored, i) => {
    const existed = storedBy(stored, t)
    let result: Explanation
    const newest = existed && !judgedBy.has(stored.collectionId)
    if (newest) {
      judgedBy.add(stored.collectionId)
      result = explained(i, federation)
      if (result.decision.effect === 'deny') newestWithheld.set(stored.collectionId, stored)
    } else {
      const over = existed ? newestWithheld.get(stored.collectionId) : undefined
      result = explained(i, (v, c) => federation(v, c) ?? (over ? newerWithheld(over) : undefined))
    }
    const lines = existed ? result.lines : [notYetStored(stored, at), ...result.lines]
    return {
      ...result,
      lines,
      text: lines.join('\n'),
      collectionId: stored.collectionId,
      ...(stored.version !== undefined ? { version: stored.version } : {}),
      dateAdded: stored.dateAdded,
      existed,
    }
  })
}

function newerWithheld(newest: StoredVersion): Reason {
  return {
    kind: 'version',
    message: `its newest version in this collection (${newest.version ?? 'unversioned'}) is withheld, and a partner sees an object only while its newest version is one it may see`,
  }
}

function notYetStored(stored: StoredVersion, at: string): string {
  return `This version did not exist yet at ${at}: the node stored it at ${stored.dateAdded}. Had it been stored then:`
}

/** A backdated order the preview of an instant counts as applied, though reads at that instant did not know it. */
export interface RecordedLater {
  order: string
  kind: Order['kind']
  effective_from: string
  recorded_at: string
}

export interface PartnerPreview extends PreviewCounts {
  /**
   * The counts judge by the policy as recorded now: an order recorded after the instant with an earlier
   * effective time is applied to it, as `policy explain` applies it (and says so per object).
   */
  recordedLater: RecordedLater[]
}

/** What a partner would receive at an instant, counted by effect, reason and collection. */
export async function previewPartner(
  store: Store,
  policy: PolicyService,
  partnerId: string,
  at: string,
): Promise<PartnerPreview> {
  const partner = await policy.partner(partnerId)
  const t = micros(at)
  // a past instant is judged on the objects the node held then, as explain judges it
  const corpus = await loadCorpus(store, t < Date.now() * 1000 ? t : undefined)
  const history = await policy.history()
  const snapshot = policyAt(history, at)
  const ids = corpus.versions.map((v) => v.object.id)
  const after = await federationRules(store, snapshot, partner.id, ids, at)
  const counts = previewCounts(snapshot, partner.id, at, corpus.versions, corpus.contextFor, after)
  return { ...counts, recordedLater: recordedAfter(history.orders, partner.id, t) }
}

/**
 * The partner's orders in effect by `t` but recorded after it. A suspension some resumption lifts by `t` is
 * not in effect then, so the counts do not apply it: that resumption is the one to name.
 */
function recordedAfter(orders: readonly Order[], partnerId: string, t: number): RecordedLater[] {
  const ours = new Set(
    orders.flatMap((o) => (o.kind === 'suspension' && o.partner_id === partnerId ? [o.id] : [])),
  )
  const liftedByT = new Set(
    orders.flatMap((o) => (o.kind === 'resumption' && effectiveAt(o) <= t ? [o.lifts] : [])),
  )
  return orders
    .filter((o) => ours.has(o.kind === 'suspension' ? o.id : o.lifts))
    .filter((o) => o.kind === 'resumption' || !liftedByT.has(o.id))
    .filter((o) => effectiveAt(o) <= t && (parseInstant(o.recorded_at) ?? 0) > t)
    .sort(byEffectiveTime)
    .map((o) => ({ order: o.id, kind: o.kind, effective_from: o.effective_from, recorded_at: o.recorded_at }))
}

export interface OrderView {
  order: Order
  /** For suspensions: when it took (or takes) effect and when it was lifted, if it was. */
  status: 'scheduled' | 'active' | 'lifted' | 'resumption'
  liftedBy?: string
  liftedAt?: string
  /** On a suspension: the resumption lifting it takes effect after now, so the suspension is in force till then. */
  liftScheduled?: true
  /** On a suspension: lifted at or before its start, so it never came into force. */
  cancelled?: true
  /**
   * On an order recorded after its effective time: when it was recorded, the first instant a read obeyed it
   * (what was served between the two went out without a backdated suspension; what was refused between the
   * two was refused still under the suspension a backdated resumption lifts).
   */
  backdatedUntil?: string
  /** On a resumption: it takes effect after now. */
  scheduled?: true
  /** On a resumption: it takes effect at or before the suspension's start, which therefore never comes into force. */
  cancels?: true
  /** On a resumption: an earlier one lifts the same suspension, so this one changes nothing. */
  supersededBy?: string
}

/** When an order takes effect, read as `policyAt` reads it: a malformed time fails closed. */
function effectiveAt(order: Order): number {
  const fallback = order.kind === 'resumption' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  return parseInstant(order.effective_from) ?? fallback
}

/** By effective time, then by recorded time: the order in which the orders apply. */
function byEffectiveTime(a: Order, b: Order): number {
  const recorded = (o: Order) => parseInstant(o.recorded_at) ?? 0
  return effectiveAt(a) - effectiveAt(b) || recorded(a) - recorded(b)
}

/** A suspension's or resumption's state at `t` (microseconds). */
function viewOf(order: Order, orders: readonly Order[], t: number): OrderView {
  const future = (o: Order) => effectiveAt(o) > t
  const backdated =
    (parseInstant(order.recorded_at) ?? 0) > effectiveAt(order) ? { backdatedUntil: order.recorded_at } : {}
  if (order.kind === 'resumption') {
    const first = firstLift(orders, order.lifts)
    // a lift brought forward by a later order: the scheduled one it replaced will never lift anything
    if (first && first.id !== order.id) return { order, status: 'resumption', supersededBy: first.id }
    const lifted = orders.find((o): o is Suspension => o.kind === 'suspension' && o.id === order.lifts)
    return {
      order,
      status: 'resumption',
      ...(lifted && cancels(order, lifted) ? { cancels: true } : future(order) ? { scheduled: true } : {}),
      ...backdated,
    }
  }
  const lift = firstLift(orders, order.id)
  // a lift at or before the start cancels the order: it never comes into force, so it reads as lifted already
  const lifted = lift !== undefined && (!future(lift) || cancels(lift, order))
  const status = lifted ? 'lifted' : future(order) ? 'scheduled' : 'active'
  if (lift === undefined) return { order, status, ...backdated }
  return {
    order,
    status,
    liftedBy: lift.id,
    liftedAt: lift.effective_from,
    ...(status !== 'lifted' ? { liftScheduled: true } : {}),
    ...(cancels(lift, order) ? { cancelled: true } : {}),
    ...backdated,
  }
}

/** Every order about a partner (or all), in the order they take effect, with its state at `now`. */
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
  const t = micros(now)
  return orders
    .filter(
      (o) =>
        !partner || (o.kind === 'suspension' ? o.partner_id : suspensionPartner.get(o.lifts)) === partner,
    )
    .sort(byEffectiveTime)
    .map((order) => viewOf(order, orders, t))
}

export type { Decision }
