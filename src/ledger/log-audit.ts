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

interface Suspension {
  index: number
  order: OrderEntry
  /** When the node could first have applied it: a backdated order is applied from when it was recorded. */
  enforcedFrom: string
  lift?: OrderEntry
}

const later = (a: string, b: string) => (compareTimestamps(a, b) >= 0 ? a : b)
const within = (t: string, from: string, to: string | undefined) =>
  compareTimestamps(t, from) >= 0 && (to === undefined || compareTimestamps(t, to) < 0)

/** The first resumption (by effective time) that lifts each suspension. */
function suspensionsIn(orders: LogDigest['orders']): Suspension[] {
  const lifts = new Map<string, OrderEntry>()
  for (const { order } of orders) {
    const lifted = (order.scope as { lifts?: unknown } | null)?.lifts
    if (order.orderKind !== 'resumption' || typeof lifted !== 'string') continue
    const earlier = lifts.get(lifted)
    if (!earlier || compareTimestamps(order.effectiveFrom, earlier.effectiveFrom) < 0)
      lifts.set(lifted, order)
  }
  return orders
    .filter(({ order }) => order.orderKind === 'suspension')
    .map(({ index, order }) => {
      const lift = lifts.get(order.orderId)
      return {
        index,
        order,
        enforcedFrom: later(order.effectiveFrom, order.recordedAt),
        ...(lift ? { lift } : {}),
      }
    })
}

const isWhole = (order: OrderEntry) =>
  (order.scope as { whole_partner?: unknown } | null)?.whole_partner === true

/**
 * One row per suspension order in the log: its times, and the disclosures recorded while it was in force. A
 * whole-partner order with any is failed; a narrowed one is reported with the count, since its scope is only
 * committed to in the partner's log (the node can open the commitment to show which it allowed).
 */
export function suspensionRows(log: LogDigest): ReportRow[] {
  const { disclosures } = log
  return suspensionsIn(log.orders).map(({ index, order, enforcedFrom, lift }) => {
    const item = `${isWhole(order) ? 'suspension of all sharing' : 'narrowed suspension'} ${order.orderId} (leaf ${index})`
    const until = lift?.effectiveFrom
    if (until !== undefined && compareTimestamps(until, order.effectiveFrom) <= 0)
      return { item, status: 'proven', reason: `cancelled by ${lift!.orderId} before it took effect` }
    const backdated =
      enforcedFrom === order.effectiveFrom
        ? ''
        : ` (when it was recorded; it is backdated to ${order.effectiveFrom})`
    const period = `in force from ${enforcedFrom}${backdated} ${until === undefined ? 'and not lifted in this log' : `to ${until}, lifted by ${lift!.orderId}`}`
    const during = disclosures.filter((d) => within(d.disclosedAt, enforcedFrom, until))
    const after =
      until === undefined ? undefined : disclosures.find((d) => compareTimestamps(d.disclosedAt, until) >= 0)
    const resumed =
      until === undefined
        ? ''
        : after
          ? `; disclosure resumed at ${after.disclosedAt} (leaf ${after.index})`
          : '; nothing disclosed since the lift'
    if (during.length === 0)
      return {
        item,
        status: 'proven',
        reason: `${period}; the log records nothing disclosed to you in that time${resumed}`,
      }
    const first = during[0]!
    const count = `${during.length} disclosure${during.length === 1 ? '' : 's'} recorded in that time, the first at ${first.disclosedAt} (leaf ${first.index}, ${first.objectId})`
    return isWhole(order)
      ? { item, status: 'failed', reason: `${period}; yet ${count}` }
      : {
          item,
          status: 'proven',
          reason: `${period}; ${count}: its scope is committed to, not shown, so which of them it allowed is for the node to show${resumed}`,
        }
  })
}
