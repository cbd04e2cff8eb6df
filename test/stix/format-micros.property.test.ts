import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatMicros } from '../../src/stix/timestamp.js'
import { toMicros } from '../../src/store/time.js'

// 1970 to about 2255: microseconds stay exact integers (below 2^53)
const microsArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 })

describe('formatMicros', () => {
  it('writes RFC 3339 UTC with six fractional digits that read back as the same instant, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(microsArb, fc.constant(1_764_633_600_000_000)), { minLength: 1 }),
        (list) => {
          // neighbours in one second, then a jump: what a page of date_added values looks like
          const values = list.flatMap((m) => [m, m + 1, Math.max(0, m - 1)])
          for (const m of values) {
            const text = formatMicros(m)
            expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
            expect(text.slice(0, 23)).toBe(new Date(Math.floor(m / 1000)).toISOString().slice(0, 23))
            expect(toMicros(text)).toBe(m)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
