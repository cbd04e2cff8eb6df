/** The store's reading of timestamps at the edges STIX allows (RFC 3339: years 0000-9999, any fraction). */
import { describe, expect, it } from 'vitest'
import { isRecordableInstant, toMicros, versionKey } from '../../src/store/time.js'

describe('store time', () => {
  it('reads years below 100 as written, not as 19xx', () => {
    expect(toMicros('0099-03-01T00:00:00Z')).toBe(Date.parse('+000099-03-01T00:00:00Z') * 1000)
    expect(toMicros('0000-01-01T00:00:00Z')).toBeLessThan(toMicros('1900-01-01T00:00:00Z')!)
  })

  it('orders versions by at most nanoseconds, however many fraction digits they carry', () => {
    expect(versionKey('2026-01-01T00:00:00.1234567891Z')).toBe('2026-01-01T00:00:00.123456789Z')
    expect(versionKey('2026-01-01T00:00:00.1234567891Z')! > versionKey('2026-01-01T00:00:00.1Z')!).toBe(true)
  })

  it('records policy times only where a number holds their microseconds exactly', () => {
    expect(isRecordableInstant('2255-01-01T00:00:00.999999Z')).toBe(true)
    expect(isRecordableInstant('9999-12-31T23:59:59.999999Z')).toBe(false)
    expect(isRecordableInstant('1600-01-01T00:00:00Z')).toBe(false)
  })
})
