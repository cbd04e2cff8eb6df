import { LedgerError } from './errors.js'

// Tree sizes and indices are plain numbers: exact up to 2^53 - 1, far beyond any log this node will hold.
// Arithmetic below uses division, never 32-bit bitwise operators.

/** Throws `invalid_argument` unless `value` is a safe non-negative integer. */
export function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LedgerError(
      'invalid_argument',
      `${what} must be a non-negative safe integer, got ${String(value)}`,
    )
  }
}

/** True for a safe non-negative integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** Largest power of two strictly smaller than n (n >= 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** The perfect subtrees of the range [start, start + count), left to right, as (level, index) pairs. */
export function decomposeRange(start: number, count: number): { level: number; index: number }[] {
  const out: { level: number; index: number }[] = []
  let width = 1
  let level = 0
  while (width * 2 <= count) {
    width *= 2
    level++
  }
  let at = start
  let left = count
  while (left > 0) {
    if (width <= left) {
      out.push({ level, index: at / width })
      at += width
      left -= width
    }
    width /= 2
    level--
  }
  return out
}
