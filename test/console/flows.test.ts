import { describe, expect, it } from 'vitest'
import { policyAt } from '../../src/policy/snapshot.js'
import { flowCells, scheduledSuspensions } from '../../src/services/flows.js'
import { NOW, suspension, world } from './fixtures.js'

const COLLECTIONS = ['routes', 'networks', 'money']
const statuses = (history: ReturnType<typeof world>, partnerId: string) =>
  Object.fromEntries(
    flowCells(policyAt(history, NOW), partnerId, COLLECTIONS, NOW).map((c) => [c.collectionId, c.status]),
  )

describe('flowCells', () => {
  it('marks collections an agreement covers as allowed and the rest as no agreement', () => {
    expect(statuses(world(), 'north')).toEqual({
      routes: 'allowed',
      networks: 'allowed',
      money: 'no-agreement',
    })
    expect(statuses(world(), 'isles')).toEqual({
      routes: 'allowed',
      networks: 'no-agreement',
      money: 'no-agreement',
    })
  })

  it('shows the most permissive TLP ceiling of the covering agreements', () => {
    const cells = flowCells(policyAt(world(), NOW), 'isles', COLLECTIONS, NOW)
    expect(cells[0]).toMatchObject({ collectionId: 'routes', maxTlp: 'green' })
    expect(cells[1]!.maxTlp).toBeUndefined()
  })

  it('a whole-partner suspension suspends every covered collection, leaving uncovered ones as no agreement', () => {
    const h = world([suspension('order-1', 'north')])
    expect(statuses(h, 'north')).toEqual({
      routes: 'suspended',
      networks: 'suspended',
      money: 'no-agreement',
    })
    expect(flowCells(policyAt(h, NOW), 'north', COLLECTIONS, NOW)[0]!.orders).toEqual(['order-1'])
  })

  it('a suspension narrowed by collection only suspends that collection', () => {
    const h = world([suspension('order-1', 'north', { scope: { collections: ['networks'] } })])
    expect(statuses(h, 'north')).toEqual({ routes: 'allowed', networks: 'suspended', money: 'no-agreement' })
  })

  it('a suspension narrowed by TLP (or type, marking, label) is a partial restriction', () => {
    const h = world([
      suspension('order-1', 'isles', { scope: { collections: ['routes'], above_tlp: 'clear' } }),
    ])
    expect(statuses(h, 'isles').routes).toBe('partial')
    const byType = world([suspension('order-2', 'north', { scope: { object_types: ['indicator'] } })])
    expect(statuses(byType, 'north')).toEqual({
      routes: 'partial',
      networks: 'partial',
      money: 'no-agreement',
    })
  })

  it('other partners are untouched by an order', () => {
    const h = world([suspension('order-1', 'north')])
    expect(statuses(h, 'south')).toEqual({ routes: 'no-agreement', networks: 'allowed', money: 'allowed' })
  })

  it('a lifted suspension no longer counts; a scheduled one is listed as scheduled, not active', () => {
    const lifted = world([suspension('order-1', 'north')])
    const h = {
      ...lifted,
      orders: [
        ...lifted.orders,
        {
          kind: 'resumption' as const,
          id: 'order-2',
          lifts: 'order-1',
          effective_from: '2026-02-02T00:00:00.000Z',
          issuer: 'x',
          reason: 'done',
          recorded_at: '2026-02-02T00:00:00.000Z',
        },
      ],
    }
    expect(statuses(h, 'north').routes).toBe('allowed')

    const later = world([
      suspension('order-3', 'north', {
        effective_from: '2026-02-10T00:00:00.000Z',
        scope: { collections: ['routes'] },
      }),
    ])
    const scheduled = scheduledSuspensions(later, 'north', Date.parse(NOW))
    expect(scheduled.map((s) => s.id)).toEqual(['order-3'])
    const cells = flowCells(policyAt(later, NOW), 'north', COLLECTIONS, NOW, scheduled)
    expect(cells.map((c) => [c.status, c.scheduled])).toEqual([
      ['allowed', ['order-3']],
      ['allowed', []],
      ['no-agreement', []],
    ])
  })

  it('an agreement outside its validity window does not count', () => {
    const h = world()
    const expired = {
      ...h,
      agreements: h.agreements.map((a) =>
        a.partner_id === 'isles' ? { ...a, valid_until: '2026-02-02T00:00:00Z' } : a,
      ),
    }
    expect(statuses(expired, 'isles').routes).toBe('no-agreement')
  })
})
