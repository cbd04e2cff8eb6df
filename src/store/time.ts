import { isTimestamp } from '../stix/timestamp.js'

/**
 * Timestamps as the store orders them. STIX allows any sub-second precision,
 * so "2026-01-01T00:00:00Z" and "2026-01-01T00:00:00.000Z" are the same instant
 * but sort differently as text; everything the store compares goes through here.
 */

// STIX allows any number of fraction digits; what lies beyond nanoseconds orders nothing and is cut
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/

/** A fixed-width, lexicographically sortable form with nanosecond precision, or undefined if malformed. */
export function versionKey(timestamp: string): string | undefined {
  const m = TIMESTAMP.exec(timestamp)
  if (!m) return undefined
  const fraction = (m[7] ?? '').padEnd(9, '0').slice(0, 9)
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}Z`
}

/** The key a stored version is ordered by among an object's versions: its `modified`, or '' without one. */
export function storedVersionKey(modified: string | null | undefined): string {
  return modified ? (versionKey(modified) ?? modified) : ''
}

/** Microseconds since the epoch, truncating finer precision; undefined if malformed. */
export function toMicros(timestamp: string): number | undefined {
  const m = TIMESTAMP.exec(timestamp)
  if (!m) return undefined
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as written
  const date = new Date(0)
  date.setUTCFullYear(+m[1]!, +m[2]! - 1, +m[3]!)
  date.setUTCHours(+m[4]!, +m[5]!, +m[6]!, 0)
  const seconds = date.getTime() / 1000
  if (!Number.isFinite(seconds)) return undefined
  const micros = Number((m[7] ?? '').padEnd(6, '0').slice(0, 6))
  return seconds * 1_000_000 + micros
}

/** A timestamp the store can order: a real calendar instant (toMicros alone lets 2026-02-30 roll over). */
export function isInstant(value: unknown): value is string {
  return isTimestamp(value) && toMicros(value) !== undefined
}

/**
 * An instant whose microseconds a number holds exactly, as the ledger records the times of policy changes.
 * Beyond 2^53 µs either side of 1970 (before 1685, after 2255) they round: 9999-12-31T23:59:59.999999Z
 * became +010000-01-01, which the ledger cannot record.
 */
export function isRecordableInstant(value: unknown): value is string {
  if (!isInstant(value)) return false
  return Number.isSafeInteger(toMicros(value))
}

/** date_added and ledger times use the STIX domain's microsecond form. */
export { formatMicros } from '../stix/timestamp.js'

/** Wall-clock microseconds; `date_added` is derived from it and bumped on ties. */
export function nowMicros(): number {
  return Date.now() * 1000
}

/** date_added must be unique and increasing per node: take the clock, or one past the last value. */
export function nextDateAdded(lastMicros: number, clockMicros: number): number {
  return clockMicros > lastMicros ? clockMicros : lastMicros + 1
}
