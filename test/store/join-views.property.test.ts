import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinViews } from '../../src/store/ledger-append.js'

describe('joinViews', () => {
  it('gives the bytes Buffer.concat gives, sharing memory only with parts that lie end to end (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }),
        (bytes, lengths, gaps) => {
          const backing = Buffer.from(bytes)
          const parts: Uint8Array[] = []
          let at = 0
          let contiguous = true
          lengths.forEach((n, i) => {
            const gap = gaps[i] ?? 0
            if (gap === 3 || (gap > 0 && parts.length > 0)) contiguous = false
            at += gap
            const end = Math.min(at + n, backing.length)
            // a gap of 3 makes the part a copy elsewhere, not a view of the backing buffer
            if (gap === 3) parts.push(Uint8Array.from(backing.subarray(Math.min(at, end), end)))
            else parts.push(backing.subarray(Math.min(at, end), end))
            at = end
          })
          const total = parts.reduce((n, p) => n + p.byteLength, 0)
          const joined = joinViews(parts, total)
          expect(Buffer.compare(joined, Buffer.concat(parts, total))).toBe(0)
          if (parts.length > 0 && contiguous) expect(joined.buffer).toBe(backing.buffer)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('copies when the parts are views of different buffers', () => {
    // Buffer.alloc never takes memory from the shared pool, where two small buffers may lie end to end
    const a = Buffer.alloc(8, 'leaf one')
    const b = Buffer.alloc(8, 'leaf two')
    const joined = joinViews([a, b], a.length + b.length)
    expect(joined.toString()).toBe('leaf oneleaf two')
    expect(joined.buffer).not.toBe(a.buffer)
  })
})
