import { describe, expect, it } from 'vitest'
import {
  draftResumption,
  draftSuspension,
  orderImpact,
  partnersTouched,
  summarize,
} from '../../src/services/order-impact.js'
import { corpus, NOW, suspension, version, world } from './fixtures.js'

const objects = [
  version('routes', 'clear'),
  version('routes', 'green'),
  version('routes', 'green'),
  version('routes', 'amber'),
  version('networks', 'amber', 'intrusion-set'),
  version('money', 'green', 'indicator'),
]

describe('orderImpact', () => {
  it('reports what a whole-partner suspension takes away, per collection, and leaves the others unaffected', () => {
    const impact = orderImpact(
      world(),
      [draftSuspension({ partner: 'north' }, 'north', NOW)],
      corpus(objects),
      NOW,
    )
    const north = impact.partners.find((p) => p.partner.id === 'north')!
    expect(north).toMatchObject({ affected: true, visibleBefore: 5, visibleAfter: 0, lost: 5, gained: 0 })
    expect(north.lostByCollection).toEqual({ routes: 4, networks: 1 })
    expect(
      impact.partners.filter((p) => p.partner.id !== 'north').every((p) => !p.affected && p.lost === 0),
    ).toBe(true)
    expect(impact.summary).toBe(
      'Northland Bureau loses access to 5 objects in 2 collections; Isles Guard and Southern Customs are unaffected.',
    )
    expect(impact.total).toBe(objects.length)
  })

  it('counts only what a partial suspension removes (Isles: routes above TLP:CLEAR)', () => {
    const order = draftSuspension(
      { partner: 'isles', collections: ['routes'], above_tlp: 'clear' },
      'isles',
      NOW,
    )
    expect(order.scope).toEqual({ collections: ['routes'], above_tlp: 'clear' })
    const isles = orderImpact(world(), [order], corpus(objects), NOW).partners.find(
      (p) => p.partner.id === 'isles',
    )!
    // before: clear + 2 green (amber is above the agreement); after: only the clear one
    expect(isles).toMatchObject({
      visibleBefore: 3,
      visibleAfter: 1,
      lost: 2,
      lostByCollection: { routes: 2 },
    })
  })

  it('an order that changes nothing for its partner says so', () => {
    const order = draftSuspension({ partner: 'isles', collections: ['networks'] }, 'isles', NOW)
    const impact = orderImpact(world(), [order], corpus(objects), NOW)
    expect(impact.partners.every((p) => !p.affected)).toBe(true)
    expect(impact.summary).toBe('No partner would receive anything different.')
  })

  it('a resumption gives back what the suspension took', () => {
    const h = world([suspension('order-1', 'north', { scope: { collections: ['networks'] } })])
    const impact = orderImpact(h, [draftResumption('order-1', NOW)], corpus(objects), NOW)
    const north = impact.partners.find((p) => p.partner.id === 'north')!
    expect(north).toMatchObject({ gained: 1, lost: 0, gainedByCollection: { networks: 1 } })
    expect(impact.summary).toMatch(/^Northland Bureau regains access to 1 object in 1 collection;/)
  })

  it('finds the partner a resumption concerns through the order it lifts', () => {
    const h = world([suspension('order-1', 'south')])
    expect([...partnersTouched(h, [draftResumption('order-1', NOW)])]).toEqual(['south'])
    expect([...partnersTouched(h, [draftResumption('order-unknown', NOW)])]).toEqual([])
  })

  it('rejects an unknown TLP level in the draft', () => {
    expect(() => draftSuspension({ partner: 'north', above_tlp: 'purple' }, 'north', NOW)).toThrow(
      /above_tlp/,
    )
  })

  it('summarises redaction changes and large numbers readably', () => {
    const text = summarize([
      {
        partner: { id: 'a', name: 'A' },
        affected: true,
        lost: 1240,
        gained: 0,
        newlyRedacted: 3,
        unredacted: 0,
        lostByCollection: { x: 1000, y: 240 },
        gainedByCollection: {},
      },
      {
        partner: { id: 'b', name: 'B' },
        affected: false,
        lost: 0,
        gained: 0,
        newlyRedacted: 0,
        unredacted: 0,
        lostByCollection: {},
        gainedByCollection: {},
      },
    ])
    expect(text).toBe(
      'A loses access to 1,240 objects in 2 collections, receives 3 objects with more properties removed; B is unaffected.',
    )
  })
})
