/**
 * STIX timestamps: RFC 3339, UTC with a literal `Z`, optional fraction.
 * `created` / `modified` carry at least millisecond precision (STIX 2.1 §3.2).
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/

export type TimestampPrecision = 'any' | 'millisecond' | 'second'

export type TimestampProblem = 'format' | 'precision'

/** Days in a month of the proleptic Gregorian calendar RFC 3339 uses. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/**
 * A leap second (second 60) is only ever inserted in the last minute of a UTC day (RFC 3339 §5.7); at any
 * other minute it names no instant, and Date.UTC would quietly roll it over into the next minute.
 */
export function leapSecondFits(utcHour: number, utcMinute: number): boolean {
  return utcHour === 23 && utcMinute === 59
}

/** Returns what is wrong with `value` as a STIX timestamp, or undefined when it is fine. */
export function timestampProblem(
  value: string,
  precision: TimestampPrecision = 'any',
): TimestampProblem | undefined {
  const m = TIMESTAMP.exec(value)
  if (m === null) return 'format'
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return 'format'
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return 'format'
  if (Number(m[6]) === 60 && !leapSecondFits(Number(m[4]), Number(m[5]))) return 'format'
  const fraction = m[7]
  if (precision === 'millisecond' && (fraction === undefined || fraction.length < 3)) return 'precision'
  if (precision === 'second' && fraction !== undefined) return 'precision'
  return undefined
}

/**
 * Written as a UTC timestamp, whether or not it names a real instant: "2026-02-30T00:00:00Z" does, so its
 * refusal can say that the calendar has no such day rather than ask for the format it already has.
 */
export function hasTimestampForm(value: unknown): boolean {
  return typeof value === 'string' && TIMESTAMP.test(value)
}

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && timestampProblem(value) === undefined
}

/**
 * Orders two valid timestamps. Plain string comparison is wrong when the
 * fractions have different lengths ("…00Z" vs "…00.5Z"), so compare the
 * seconds part first and then the right-padded fraction.
 */
export function compareTimestamps(a: string, b: string): number {
  const baseA = a.slice(0, 19)
  const baseB = b.slice(0, 19)
  if (baseA !== baseB) return baseA < baseB ? -1 : 1
  let fa = a.length > 20 ? a.slice(20, -1) : ''
  let fb = b.length > 20 ? b.slice(20, -1) : ''
  const width = Math.max(fa.length, fb.length)
  fa = fa.padEnd(width, '0')
  fb = fb.padEnd(width, '0')
  return fa === fb ? 0 : fa < fb ? -1 : 1
}

/** Microseconds since the epoch as RFC 3339 UTC with exactly six fractional digits. */
export function formatMicros(micros: number): string {
  const second = Math.floor(micros / 1_000_000)
  // a page of stored versions mostly shares its date_added second: format that part once
  if (second !== lastSecond) {
    lastSecondText = new Date(second * 1000).toISOString().slice(0, 19)
    lastSecond = second
  }
  return `${lastSecondText}.${String(micros - second * 1_000_000).padStart(6, '0')}Z`
}

let lastSecond = Number.NaN
let lastSecondText = ''
