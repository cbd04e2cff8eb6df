import { describe, expect, it } from 'vitest'
import { parseInstant } from '../../src/policy/time.js'
import { isTimestamp } from '../../src/stix/timestamp.js'

describe('parseInstant', () => {
  it('reads the same instant written with and without an offset or fraction', () => {
    const utc = parseInstant('2026-03-01T08:00:00Z')
    expect(parseInstant('2026-03-01T09:00:00.000000+01:00')).toBe(utc)
    expect(parseInstant('2026-03-01T08:00:00.5Z')).toBe(utc! + 500_000)
  })

  it('takes 29 February in a leap year only', () => {
    expect(parseInstant('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29) * 1000)
    expect(parseInstant('2027-02-29T00:00:00Z')).toBeUndefined()
  })

  // Date.UTC rolls these over to the next month: a policy decision at "30 February" would silently be 2 March
  it.each(['2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z'])(
    'refuses %s, which is not on the calendar',
    (text) => {
      expect(parseInstant(text)).toBeUndefined()
    },
  )
})

describe('leap seconds', () => {
  it('takes second 60 in the last minute of a UTC day, however the offset writes it', () => {
    const midnight = Date.UTC(2017, 0, 1) * 1000
    expect(parseInstant('2016-12-31T23:59:60Z')).toBe(midnight)
    expect(parseInstant('2017-01-01T00:59:60+01:00')).toBe(midnight)
    expect(parseInstant('2016-12-31T18:59:60-05:00')).toBe(midnight)
    expect(isTimestamp('2016-12-31T23:59:60.000Z')).toBe(true)
  })

  // no leap second is ever inserted there, and Date.UTC would roll each over into the next minute
  it.each(['2026-03-01T08:00:60Z', '2016-12-31T23:58:60Z', '2016-12-31T23:59:60+01:00'])(
    'refuses %s, a leap second outside the last minute of a UTC day',
    (text) => {
      expect(parseInstant(text)).toBeUndefined()
      if (text.endsWith('Z')) expect(isTimestamp(text)).toBe(false)
    },
  )
})
