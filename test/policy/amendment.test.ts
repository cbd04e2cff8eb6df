import { describe, expect, it } from 'vitest'
import { changesNothing } from '../../src/policy/amendment.js'
import { agreement, day } from './fixtures.js'

const v1 = agreement('ag', 'isles', { collections: ['routes', 'vessels'], max_tlp: 'green', caveats: ['h1'] })
const next = (fields: Parameters<typeof agreement>[2] = {}) =>
  agreement('ag', 'isles', {
    ...v1,
    version: 2,
    effective_from: day(5),
    recorded_at: day(5),
    recorded_by: 'another officer',
    ...fields,
  })

describe('an amendment that changes nothing', () => {
  it('is one repeating the terms in force, whoever records it and whenever', () => {
    expect(changesNothing([v1], next())).toBe(true)
    // lists are sets: the order they are given in says nothing
    expect(changesNothing([v1], next({ collections: ['vessels', 'routes'] }))).toBe(true)
  })

  it('is not one that changes any term', () => {
    expect(changesNothing([v1], next({ max_tlp: 'amber' }))).toBe(false)
    expect(changesNothing([v1], next({ collections: ['routes'] }))).toBe(false)
    expect(changesNothing([v1], next({ caveats: [] }))).toBe(false)
    expect(changesNothing([v1], next({ valid_until: day(30) }))).toBe(false)
  })

  it('is not one that brings terms forward, or starts before the agreement did', () => {
    const scheduled = next({ max_tlp: 'amber', effective_from: day(20) })
    // the amber terms from day 10 instead of day 20: a change, though the last version says the same
    expect(
      changesNothing([v1, scheduled], next({ version: 3, max_tlp: 'amber', effective_from: day(10) })),
    ).toBe(false)
    const late = agreement('ag', 'isles', { ...v1, effective_from: day(10) })
    expect(changesNothing([late], next({ version: 2, effective_from: day(5) }))).toBe(false)
  })

  it('is not one that would override a later version saying something else', () => {
    const scheduled = next({ max_tlp: 'amber', effective_from: day(20) })
    // the green terms again from day 6 also replace the amber ones due on day 20
    expect(changesNothing([v1, scheduled], next({ version: 3, effective_from: day(6) }))).toBe(false)
    // the amber terms from day 25 repeat what is in force from day 20 on
    expect(
      changesNothing([v1, scheduled], next({ version: 3, max_tlp: 'amber', effective_from: day(25) })),
    ).toBe(true)
  })

  it('is not one reviving a withdrawn agreement', () => {
    const withdrawn = next({ withdrawn: true })
    expect(changesNothing([v1, withdrawn], next({ version: 3, effective_from: day(8) }))).toBe(false)
  })
})
