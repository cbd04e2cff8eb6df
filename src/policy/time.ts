/**
 * RFC 3339 instants as comparable numbers.
 *
 * Policy compares timestamps written by different systems (`2024-01-01T00:00:00Z`,
 * `2024-01-01T00:00:00.000000Z`, `2024-01-01T01:00:00+01:00`), so string comparison is not enough.
 * Microseconds since the epoch fit in a double exactly until the year 2255.
 */

import { daysInMonth, leapSecondFits } from '../stix/timestamp.js'

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

/** Microseconds since 1970-01-01T00:00:00Z, or `undefined` when `text` is not an RFC 3339 timestamp. */
export function parseInstant(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined
  const m = RFC3339.exec(text)
  if (m == null) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[]
  const month = Number(mo)
  const day = Number(d)
  const year = Number(y)
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 60
  ) {
    return undefined
  }
  let ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s))
  if (Number.isNaN(ms)) return undefined
  const offsetMinutes =
    zone === undefined || zone === 'Z' || zone === 'z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
  ms -= offsetMinutes * 60_000
  if (Number(s) === 60) {
    const utcMinute = (((Number(h) * 60 + Number(mi) - offsetMinutes) % 1440) + 1440) % 1440
    if (!leapSecondFits(Math.floor(utcMinute / 60), utcMinute % 60)) return undefined
  }
  const micros = frac === undefined ? 0 : Number(frac.padEnd(6, '0').slice(0, 6))
  return ms * 1000 + micros
}

// One request decides many objects at the same instant: remember the last one parsed.
let lastText: string | undefined
let lastValue = 0

/** Like {@link parseInstant} but throws: for instants handed to policy by its callers, where a bad value is a bug. */
export function requireInstant(text: string, what: string): number {
  if (text === lastText) return lastValue
  const t = parseInstant(text)
  if (t === undefined) throw new RangeError(`${what} is not an RFC 3339 timestamp: ${JSON.stringify(text)}`)
  lastText = text
  lastValue = t
  return t
}
