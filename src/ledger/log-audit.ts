/**
 * A recipient's audit of its own log, read entry by entry: the entries must rebuild the signed root, and then
 * what they say can be taken as the node's signed word. From them it reads each suspension order about the
 * recipient: when it was in force, and which disclosures the log records in that time. A node that served a
 * suspended partner either logged it (and this shows it) or left it out of the log (and then the partner
 * holds bytes no inclusion proof covers).
 */

import { compareTimestamps } from '../stix/timestamp.js'
import type { Entry, OrderEntry } from './entry.js'
import { leafHash } from './hash.js'
import type { ReportRow } from './recipient.js'
import { appendPacked, type Frontier, frontierRoot } from './tree.js'

/** The RFC 9162 root of leaves given page by page, in order, without holding them. */
export class RootRebuild {
  #frontier: Frontier = []
  #size = 0

  get size(): number {
    return this.#size
  }

  add(leaves: readonly Uint8Array[]): void {
    const next = appendPacked(this.#frontier, this.#size, leaves.map(leafHash))
    this.#frontier = next.frontier
    this.#size = next.size
  }

  root(): Uint8Array {
    return frontierRoot(this.#frontier)
  }
}

export interface AuditedEntry {
  index: number
  entry: Entry
}

/** What the audit keeps of a log: its orders whole, of each disclosure only when and what (a log may be long). */
export class LogDigest {
  readonly orders: { index: number; order: OrderEntry }[] = []
  readonly disclosures: { index: number; disclosedAt: string; objectId: string }[] = []

  add({ index, entry }: AuditedEntry): void {
    if (entry.kind === 'order') this.orders.push({ index, order: entry })
    else if (entry.kind === 'disclosure')
      this.disclosures.push({ index, disclosedAt: entry.disclosedAt, objectId: entry.objectId })
  }

  static of(entries: readonly AuditedEntry[]): LogDigest {
    const digest = new LogDigest()
    for (const e of entries) digest.add(e)
    return digest
  }
}

/** An order as the node could first apply it: a backdated one from when it was recorded. */
interface Applied {
  index: number
  order: OrderEntry
  enforcedFrom: string
}

interface Suspension extends Applied {
  lift?: Applied
}

const later = (a: string, b: string) => (compareTimestamps(a, b) >= 0 ? a : b)
const applied = (index: number, order: OrderEntry): Applied => ({
  index,
  order,
  enforcedFrom: later(order.effectiveFrom, order.recordedAt),
})

/** The first resumption (by when it applied) that lifts each suspension. */
function suspensionsIn(orders: LogDigest['orders']): Suspension[] {
  const lifts = new Map<string, Applied>()
  for (const { index, order } of orders) {
    const lifted = (order.scope as { lifts?: unknown } | null)?.lifts
    if (order.orderKind !== 'resumption' || typeof lifted !== 'string') continue
    const lift = applied(index, order)
    const earlier = lifts.get(lifted)
    if (!earlier || compareTimestamps(lift.enforcedFrom, earlier.enforcedFrom) < 0) lifts.set(lifted, lift)
  }
  return orders
    .filter(({ order }) => order.orderKind === 'suspension')
    .map(({ index, order }) => {
      const lift = lifts.get(order.orderId)
      return { ...applied(index, order), ...(lift ? { lift } : {}) }
    })
}

const isWhole = (order: OrderEntry) =>
  (order.scope as { whole_partner?: unknown } | null)?.whole_partner === true

type Disclosure = LogDigest['disclosures'][number]

/**
 * The disclosures a suspension must answer for. The node's stamps say when, and the log's order says what
 * came after what, so both are read: a disclosure logged after the order and stamped from when it applied
 * is under it (even one stamped after the lift, if logged before it); one logged after the lift but stamped
 * before it applied is too. A disclosure whose place and stamp disagree (logged after the order yet stamped
 * before it was recorded, or logged before it yet stamped while it applied) is what a read in flight when
 * the order was recorded leaves, and also what a node hiding a disclosure behind its own stamps would
 * write: the audit cannot tell which, so it proves nothing either way.
 */
function underOrder(
  { index, order, enforcedFrom, lift }: Suspension,
  disclosures: readonly Disclosure[],
): { during: Disclosure[]; outOfOrder: Disclosure[] } {
  const during: Disclosure[] = []
  const outOfOrder: Disclosure[] = []
  const until = lift?.enforcedFrom
  for (const d of disclosures) {
    const fromOrder = compareTimestamps(d.disclosedAt, enforcedFrom) >= 0
    const beforeLift = until === undefined || compareTimestamps(d.disclosedAt, until) < 0
    const loggedAfter = d.index > index
    const loggedBeforeLift = lift === undefined || d.index < lift.index
    if (loggedAfter && fromOrder && (beforeLift || loggedBeforeLift)) during.push(d)
    else if (
      loggedAfter
        ? loggedBeforeLift && compareTimestamps(d.disclosedAt, order.recordedAt) < 0
        : fromOrder && beforeLift
    )
      outOfOrder.push(d)
  }
  return { during, outOfOrder }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * One row per suspension order in the log: its times, and the disclosures recorded while it was in force. A
 * whole-partner order with any is failed; a narrowed one with any is unproven, with the count, since its
 * scope is only committed to in the partner's log (the node can open the commitment to show which it
 * allowed). `now` is when the audit runs: an order scheduled after it is not yet in force.
 */
export function suspensionRows(log: LogDigest, now: string): ReportRow[] {
  return suspensionsIn(log.orders).map((s) => suspensionRow(s, log.disclosures, now))
}

function suspensionRow(suspension: Suspension, disclosures: readonly Disclosure[], now: string): ReportRow {
  const { index, order, enforcedFrom, lift } = suspension
  const item = `${isWhole(order) ? 'suspension of all sharing' : 'narrowed suspension'} ${order.orderId} (leaf ${index})`
  const until = lift?.enforcedFrom
  if (until !== undefined && compareTimestamps(until, enforcedFrom) <= 0)
    return { item, status: 'proven', reason: `cancelled by ${lift!.order.orderId} before it took effect` }
  const { during, outOfOrder } = underOrder(suspension, disclosures)
  const backdated = (a: Applied, what: string) =>
    a.enforcedFrom === a.order.effectiveFrom
      ? ''
      : ` (when ${what} was recorded; it is backdated to ${a.order.effectiveFrom})`
  const scheduled = compareTimestamps(enforcedFrom, now) > 0 ? ` (scheduled: not yet in force at ${now})` : ''
  const lifted =
    lift === undefined
      ? 'and not lifted in this log'
      : `to ${until}, lifted by ${lift.order.orderId}${backdated(lift, 'the lift')}`
  const period = `in force from ${enforcedFrom}${backdated(suspension, 'it')}${scheduled} ${lifted}`
  const after =
    lift === undefined
      ? undefined
      : disclosures.find((d) => d.index > lift.index && compareTimestamps(d.disclosedAt, until!) >= 0)
  const resumed =
    lift === undefined
      ? ''
      : after
        ? `; disclosure resumed at ${after.disclosedAt} (leaf ${after.index})`
        : '; nothing disclosed since the lift'
  const first = (ds: readonly Disclosure[]) =>
    `the first at ${ds[0]!.disclosedAt} (leaf ${ds[0]!.index}, ${ds[0]!.objectId})`
  const strays =
    outOfOrder.length === 0
      ? ''
      : `; ${plural(outOfOrder.length, 'disclosure')} whose place in the log and stamp disagree about the order, ${first(outOfOrder)}: a read in flight when it was recorded, or a stamp the log cannot vouch for`
  if (during.length === 0)
    return {
      item,
      status: outOfOrder.length === 0 ? 'proven' : 'unproven',
      reason: `${period}; the log records nothing disclosed to you in that time${strays}${resumed}`,
    }
  const count = `${plural(during.length, 'disclosure')} recorded in that time, ${first(during)}`
  return isWhole(order)
    ? { item, status: 'failed', reason: `${period}; yet ${count}${strays}` }
    : {
        item,
        status: 'unproven',
        reason: `${period}; ${count}: its scope is committed to, not shown, so which of them it allowed is for the node to show${strays}${resumed}`,
      }
}
