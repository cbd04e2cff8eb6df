/**
 * Timestamps as the patterning grammar spells them: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, UTC only.
 * The grammar checks field ranges, not the calendar (`2023-02-29` is accepted), so we do the same.
 */

const TIMESTAMP =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.(\d+))?Z$/

/** A point in time with nanosecond resolution (digits beyond the ninth are dropped). */
export interface Instant {
  /** whole seconds since the Unix epoch */
  seconds: number
  /** 0 .. 999_999_999 */
  nanos: number
}

export function isTimestampLiteral(text: string): boolean {
  return TIMESTAMP.test(text)
}

export function parseTimestamp(text: string): Instant | undefined {
  const m = TIMESTAMP.exec(text)
  if (m == null) return undefined
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  // Date.UTC maps years 0-99 to 1900-1999.
  const fixed = +m[1]! < 100 ? new Date(ms).setUTCFullYear(+m[1]!) : ms
  const frac = m[7] ?? ''
  const nanos = frac === '' ? 0 : Number((frac + '000000000').slice(0, 9))
  return { seconds: Math.floor(fixed / 1000), nanos }
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos
}

/** `b - a` in (fractional) seconds. */
export function secondsBetween(a: Instant, b: Instant): number {
  return b.seconds - a.seconds + (b.nanos - a.nanos) / 1e9
}
