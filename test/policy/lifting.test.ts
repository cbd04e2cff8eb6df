import { describe, expect, it } from 'vitest'
import { defaultLiftTime, firstLift, liftRefusal } from '../../src/policy/lifting.js'
import { policyAt } from '../../src/policy/snapshot.js'
import type { Order, Resumption, Suspension } from '../../src/policy/types.js'

const NOW = '2026-03-10T12:00:00Z'

function suspension(effective_from: string): Suspension {
  return {
    kind: 'suspension',
    id: 'order--s',
    partner_id: 'isles',
    effective_from,
    issuer: 'duty officer',
    reason: 'inquiry',
    recorded_at: '2026-03-01T00:00:00Z',
    recorded_by: 'duty officer',
  }
}

function lift(id: string, effective_from: string): Resumption {
  return {
    kind: 'resumption',
    id,
    lifts: 'order--s',
    effective_from,
    issuer: 'o',
    reason: 'r',
    recorded_at: NOW,
  }
}

describe('lifting a suspension', () => {
  const active = suspension('2026-03-09T00:00:00Z')

  it('may be lifted when nothing lifts it yet', () => {
    expect(liftRefusal([active], active, NOW, NOW)).toBeUndefined()
  })

  it('refuses a lift that takes effect before the suspension does', () => {
    expect(liftRefusal([active], active, '2026-03-08T00:00:00Z', NOW)).toBe(
      'a resumption cannot take effect before the suspension it lifts',
    )
  })

  it('refuses a second lift of a suspension already lifted, naming the lift', () => {
    const orders: Order[] = [active, lift('order--r', '2026-03-10T08:00:00Z')]
    expect(liftRefusal(orders, active, NOW, NOW)).toBe(
      'order "order--s" has already been lifted, by order--r from 2026-03-10T08:00:00Z',
    )
  })

  it('brings a scheduled lift forward, and the earlier lift is the one in effect', () => {
    const friday = lift('order--friday', '2026-03-13T09:00:00Z')
    const orders: Order[] = [active, friday]
    expect(liftRefusal(orders, active, NOW, NOW)).toBeUndefined()
    const now = lift('order--now', NOW)
    expect(firstLift([...orders, now], 'order--s')?.id).toBe('order--now')
    const history = { partners: [], agreements: [], orders: [...orders, now] }
    expect(policyAt(history, '2026-03-11T00:00:00Z').suspensions).toEqual([])
    expect(policyAt({ ...history, orders }, '2026-03-11T00:00:00Z').suspensions).toEqual([active])
  })

  it('refuses a lift later than, or at the time of, the one scheduled', () => {
    const orders: Order[] = [active, lift('order--friday', '2026-03-13T09:00:00Z')]
    const refusal =
      'order "order--s" is already to be lifted at 2026-03-13T09:00:00Z by order--friday; a new resumption can only bring that forward'
    expect(liftRefusal(orders, active, '2026-03-14T00:00:00Z', NOW)).toBe(refusal)
    expect(liftRefusal(orders, active, '2026-03-13T09:00:00.000Z', NOW)).toBe(refusal)
  })

  it('refuses to lift a cancelled order again, saying it never came into force', () => {
    const scheduled = suspension('2026-03-20T00:00:00Z')
    const orders: Order[] = [scheduled, lift('order--c', '2026-03-20T00:00:00Z')]
    expect(liftRefusal(orders, scheduled, '2026-03-20T00:00:00Z', NOW)).toBe(
      'order "order--s" was cancelled by order--c before it took effect: there is nothing left to lift',
    )
  })

  it('lifts an order now by default, and a scheduled one from the moment it would start, cancelling it', () => {
    expect(defaultLiftTime(active, NOW)).toBe(NOW)
    const scheduled = suspension('2026-03-20T00:00:00Z')
    expect(defaultLiftTime(scheduled, NOW)).toBe('2026-03-20T00:00:00Z')
    const cancelled = {
      partners: [],
      agreements: [],
      orders: [scheduled, lift('order--c', '2026-03-20T00:00:00Z')],
    }
    expect(policyAt(cancelled, '2026-03-20T00:00:00Z').suspensions).toEqual([])
    expect(policyAt(cancelled, '2026-03-25T00:00:00Z').suspensions).toEqual([])
  })
})
