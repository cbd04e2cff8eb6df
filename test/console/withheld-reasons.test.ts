import { describe, expect, it } from 'vitest'
import type { PartnerPage } from '../../src/services/console-types.js'
import { withheldReasonText } from '../../web/src/pages/withheld-reasons.js'

const page: Pick<PartnerPage, 'orders' | 'agreements'> = {
  orders: [
    {
      id: 'order--1',
      status: 'active',
      scope: 'collections maritime-routes; above TLP:CLEAR',
      issuer: 'duty officer Vale',
      effective_from: '2026-03-01T10:00:00.000Z',
    },
  ],
  agreements: [1, 2].map((version) => ({
    id: 'agreement--isles',
    version,
    inForce: version === 2,
    collections: ['maritime-routes'],
    object_types: '*' as const,
    max_tlp: version === 2 ? 'green' : 'clear',
    caveats: [],
    required_labels: [],
    forbidden_labels: [],
    required_markings: [],
    forbidden_markings: [],
    effective_from: '2026-01-01T00:00:00.000Z',
    recorded_by: 'admin',
    withdrawn: false,
  })),
}

describe('why objects are withheld, as the partner page says it', () => {
  it('names an order by its scope and issuer, and an agreement by the version in force', () => {
    expect(withheldReasonText('order:order--1', page)).toBe(
      'Suspension order: collections maritime-routes; above TLP:CLEAR, issued by duty officer Vale',
    )
    expect(withheldReasonText('tlp:agreement--isles', page)).toBe(
      'TLP above what the agreement allows (agreement version 2, up to TLP:GREEN)',
    )
  })

  it('keeps an id it cannot name, and a kind it does not know, rather than hide them', () => {
    expect(withheldReasonText('marking:marking-definition--x', page)).toBe(
      'A marking the agreement requires or forbids: marking-definition--x',
    )
    expect(withheldReasonText('no-agreement', page)).toBe('No agreement in force')
    expect(withheldReasonText('something-new:x', page)).toBe('something-new: x')
  })
})
