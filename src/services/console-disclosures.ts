import { decodeEntry, type Entry } from '../ledger/entry.js'
import type { Store } from '../store/types.js'

/** Leaves read per store call while walking a log backwards. */
const CHUNK = 512

/** The instant an entry records (disclosure, order or key change recorded, agreement change, withdrawal event), in ms. */
export function entryTime(entry: Entry): number {
  switch (entry.kind) {
    case 'disclosure':
      return Date.parse(entry.disclosedAt)
    case 'order':
    case 'key':
      return Date.parse(entry.recordedAt)
    case 'agreement':
      return Date.parse(entry.changedAt)
    case 'withdrawal':
      return Date.parse(entry.at)
  }
}

/**
 * Visits a log's leaves newest first until `visit` returns false or `cap` leaves were read. Returns true when
 * it stopped at the cap (the caller's numbers are then a lower bound).
 *
 * This reads and decodes leaves one by one, which is fine at demo scale (thousands of disclosures a day);
 * a node disclosing millions a day would want per-partner counters kept at append time instead.
 */
export async function walkBack(
  store: Store,
  logId: string,
  size: number,
  visit: (index: number, entry: Entry) => boolean,
  cap = 50_000,
): Promise<boolean> {
  let end = size
  let read = 0
  while (end > 0) {
    const start = Math.max(0, end - CHUNK)
    const leaves = await store.ledgerLeaves(logId, start, end)
    for (let i = leaves.length - 1; i >= 0; i--) {
      const leaf = leaves[i]!
      if (!visit(leaf.index, decodeEntry(leaf.bytes))) return false
      if (++read >= cap) return true
    }
    end = start
  }
  return false
}

export interface DisclosureTally {
  logSize: number
  checkpointSize: number
  last24h: number
  sinceCheckpoint: number
  byCollection: Map<string, { last24h: number; sinceCheckpoint: number }>
  truncated: boolean
}

/**
 * Disclosures in a partner log during the last 24 hours and after its newest signed checkpoint. Entries are
 * appended in time order (up to requests that overlap), so the walk stops at the first leaf that is both
 * older than the window and covered by the checkpoint.
 */
export async function tallyDisclosures(store: Store, logId: string, nowMs: number): Promise<DisclosureTally> {
  const [head, checkpoints] = await Promise.all([store.ledgerHead(logId), store.listCheckpoints(logId, 1)])
  const checkpointSize = checkpoints[0]?.size ?? 0
  const cutoff = nowMs - 24 * 3600_000
  const tally: DisclosureTally = {
    logSize: head.size,
    checkpointSize,
    last24h: 0,
    sinceCheckpoint: 0,
    byCollection: new Map(),
    truncated: false,
  }
  tally.truncated = await walkBack(store, logId, head.size, (index, entry) => {
    const recent = entryTime(entry) >= cutoff
    const fresh = index >= checkpointSize
    if (!recent && !fresh) return false
    if (entry.kind !== 'disclosure') return true
    const cell = tally.byCollection.get(entry.collectionId) ?? { last24h: 0, sinceCheckpoint: 0 }
    if (recent) {
      tally.last24h++
      cell.last24h++
    }
    if (fresh) {
      tally.sinceCheckpoint++
      cell.sinceCheckpoint++
    }
    tally.byCollection.set(entry.collectionId, cell)
    return true
  })
  return tally
}

export interface DisclosureSeries {
  hourly: { start: string; count: number }[]
  daily: { start: string; count: number }[]
  truncated: boolean
}

/** Disclosures per hour over the last 48 hours and per day over the last 30 days, for the partner chart. */
export async function disclosureSeries(
  store: Store,
  logId: string,
  nowMs: number,
): Promise<DisclosureSeries> {
  const hour = 3600_000
  const day = 24 * hour
  const hourStart = Math.floor(nowMs / hour) * hour - 47 * hour
  const dayStart = Math.floor(nowMs / day) * day - 29 * day
  const hourly = Array.from({ length: 48 }, (_, i) => ({
    start: new Date(hourStart + i * hour).toISOString(),
    count: 0,
  }))
  const daily = Array.from({ length: 30 }, (_, i) => ({
    start: new Date(dayStart + i * day).toISOString(),
    count: 0,
  }))
  const head = await store.ledgerHead(logId)
  const truncated = await walkBack(store, logId, head.size, (_index, entry) => {
    const t = entryTime(entry)
    if (t < dayStart) return false
    if (entry.kind !== 'disclosure') return true
    const d = Math.floor((t - dayStart) / day)
    if (d < daily.length) daily[d]!.count++
    if (t >= hourStart) {
      const h = Math.floor((t - hourStart) / hour)
      if (h < hourly.length) hourly[h]!.count++
    }
    return true
  })
  return { hourly, daily, truncated }
}
