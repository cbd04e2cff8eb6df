/**
 * The story from DEMO.md, as policy sees it: four partners, one suspended entirely, one narrowed to one
 * collection at TLP:CLEAR, the others unaffected, and lifting the first suspension restores its flow exactly.
 */
import { describe, expect, it } from 'vitest'
import {
  collectionsVisibleTo,
  decide,
  HANDLING_MARKING_IDS,
  IEP_EXTENSION_ID,
  policyAt,
  previewCounts,
  TLP2_MARKING_IDS,
  type TlpLevel,
} from '../../src/policy/index.js'
import type { Decision, ObjectVersion, PolicyHistory } from '../../src/policy/types.js'
import type { StixObject } from '../../src/stix/object.js'
import { agreement, resumption, suspension } from './fixtures.js'

const day = (n: number, h = 9) => new Date(Date.UTC(2025, 5, n, h)).toISOString()

const IEP_INTERNAL = 'marking-definition--3e1c9a52-8f0d-4b7e-9a61-5c2d7e4f1a01'
const IEP_NO_ATTRIBUTION = 'marking-definition--3e1c9a52-8f0d-4b7e-9a61-5c2d7e4f1a02'
const iep = (id: string, name: string, fields: Record<string, unknown>): StixObject => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id,
  created: '2025-06-01T00:00:00.000Z',
  name,
  external_references: [{ source_name: 'FIRST IEP 2.0', url: 'https://www.first.org/iep/' }],
  extensions: { [IEP_EXTENSION_ID]: { extension_type: 'property-extension', iep_version: 2.0, ...fields } },
})

const history: PolicyHistory = {
  partners: [
    {
      id: 'northland',
      name: 'Northland Drug Enforcement Bureau',
      identity_id: 'identity--6a0b1f7e-1111-4c1a-9d1e-000000000001',
      kind: 'police',
    },
    {
      id: 'isles',
      name: 'Isles Coast Guard',
      identity_id: 'identity--6a0b1f7e-1111-4c1a-9d1e-000000000002',
      kind: 'coast-guard',
    },
    {
      id: 'southern',
      name: 'Southern Customs Service',
      identity_id: 'identity--6a0b1f7e-1111-4c1a-9d1e-000000000003',
      kind: 'customs',
    },
    {
      id: 'centre',
      name: 'Interregional Maritime Analysis Centre',
      identity_id: 'identity--6a0b1f7e-1111-4c1a-9d1e-000000000004',
      kind: 'international',
    },
  ],
  agreements: [
    agreement('agr-northland', 'northland', {
      collections: ['maritime-routes', 'networks'],
      max_tlp: 'amber',
      caveats: [HANDLING_MARKING_IDS.H0, IEP_INTERNAL],
      effective_from: day(1, 0),
    }),
    agreement('agr-isles', 'isles', {
      collections: ['maritime-routes'],
      max_tlp: 'green',
      effective_from: day(1, 0),
    }),
    agreement('agr-southern', 'southern', {
      collections: ['networks', 'financial-flows'],
      max_tlp: 'amber',
      effective_from: day(1, 0),
    }),
    agreement('agr-centre', 'centre', {
      max_tlp: 'amber+strict',
      caveats: [IEP_NO_ATTRIBUTION],
      effective_from: day(1, 0),
    }),
  ],
  orders: [
    suspension('ord-1', 'northland', {
      effective_from: day(3),
      recorded_at: day(3),
      issuer: 'Duty Superintendent',
      reason: 'ministerial order pending review',
    }),
    suspension('ord-2', 'isles', {
      scope: { collections: ['maritime-routes'], above_tlp: 'clear' },
      effective_from: day(3, 11),
      recorded_at: day(3, 11),
    }),
    resumption('ord-3', 'ord-1', day(5)),
  ],
  markings: [
    iep(IEP_INTERNAL, 'IEP: internal actions only', {
      permitted_actions: 'internally-visible-actions',
      tlp: 'amber',
    }),
    iep(IEP_NO_ATTRIBUTION, 'IEP: no attribution', { provider_attribution: 'must-not', tlp: 'amber' }),
  ],
  collections: ['maritime-routes', 'networks', 'financial-flows'],
}

const LEVELS: TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red']
const world: ObjectVersion[] = []
for (const collectionId of ['maritime-routes', 'networks', 'financial-flows']) {
  for (const level of LEVELS) {
    world.push({
      collectionId,
      object: {
        type: collectionId === 'financial-flows' ? 'indicator' : 'infrastructure',
        spec_version: '2.1',
        id: `${collectionId === 'financial-flows' ? 'indicator' : 'infrastructure'}--0d000000-0000-4000-8000-${String(world.length).padStart(12, '0')}`,
        created: '2025-06-01T00:00:00.000Z',
        modified: '2025-06-01T00:00:00.000Z',
        name: `Saltpan depot ${world.length}`,
        ...(collectionId === 'financial-flows'
          ? {
              pattern: "[email-addr:value = 'broker@example.org']",
              pattern_type: 'stix',
              valid_from: '2025-06-01T00:00:00Z',
            }
          : {}),
        description: 'Fuel depot used by the Blue Marlin cell.',
        object_marking_refs: [TLP2_MARKING_IDS[level]],
      },
    })
  }
}
// A GREEN object with a RED description.
world.push({
  collectionId: 'maritime-routes',
  object: {
    type: 'infrastructure',
    spec_version: '2.1',
    id: 'infrastructure--0d000000-0000-4000-8000-0000000000ff',
    created: '2025-06-01T00:00:00.000Z',
    modified: '2025-06-01T00:00:00.000Z',
    name: 'Red Heron warehouse',
    description: 'Informant reports night deliveries.',
    object_marking_refs: [TLP2_MARKING_IDS.green],
    granular_markings: [{ marking_ref: TLP2_MARKING_IDS.red, selectors: ['description'] }],
  },
})

const decisionsAt = (partner: string, instant: string): Decision[] =>
  world.map((v) => decide(policyAt(history, instant), partner, v, instant))
const matrix = (instant: string) =>
  Object.fromEntries(
    history.partners.map((p) => {
      const c = previewCounts(policyAt(history, instant), p.id, instant, world)
      return [p.id, `${c.allowed}/${c.redacted}/${c.denied}`]
    }),
  )

describe('the demo story', () => {
  const day1 = day(1, 12)
  const day3 = day(3, 12)
  const day5 = day(5, 12)

  it('day 1: everyone receives what their agreement allows', () => {
    // allowed / redacted / denied of 16 objects
    expect(matrix(day1)).toEqual({
      northland: '6/1/9', // two collections × CLEAR..AMBER, plus the GREEN warehouse minus its RED description
      isles: '2/1/13', // maritime-routes × CLEAR, GREEN (+ warehouse redacted)
      southern: '6/0/10',
      centre: '12/1/3',
    })
    const toNorthland = decisionsAt('northland', day1).find((d) => d.effect === 'allow')
    expect(toNorthland).toMatchObject({
      caveats: [HANDLING_MARKING_IDS.H0, IEP_INTERNAL],
      allowedBy: { id: 'agr-northland' },
    })
  })

  it('day 3: Northland is cut off, Isles narrowed to maritime-routes at TLP:CLEAR, the others unaffected', () => {
    expect(matrix(day3)).toEqual({
      northland: '0/0/16',
      isles: '1/0/15',
      southern: '6/0/10',
      centre: '12/1/3',
    })
    for (const d of decisionsAt('northland', day3)) {
      expect(d.effect).toBe('deny')
      if (d.effect === 'deny')
        expect(d.deniedBy.some((r) => r.kind === 'order' && r.id === 'ord-1')).toBe(true)
    }
    expect(decisionsAt('southern', day3)).toEqual(decisionsAt('southern', day1))
    expect(decisionsAt('centre', day3)).toEqual(decisionsAt('centre', day1))
    expect(collectionsVisibleTo(policyAt(history, day3), 'northland', day3)).toEqual(new Set())
    expect(collectionsVisibleTo(policyAt(history, day3), 'isles', day3)).toEqual(new Set(['maritime-routes']))
  })

  it('between the two orders on day 3, only Northland is suspended', () => {
    expect(matrix(day(3, 10))).toEqual({
      northland: '0/0/16',
      isles: '2/1/13',
      southern: '6/0/10',
      centre: '12/1/3',
    })
  })

  it('day 5: lifting restores exactly what Northland received before; Isles stays narrowed', () => {
    expect(decisionsAt('northland', day5)).toEqual(decisionsAt('northland', day1))
    expect(matrix(day5)).toEqual({
      northland: '6/1/9',
      isles: '1/0/15',
      southern: '6/0/10',
      centre: '12/1/3',
    })
  })

  it('the suspension interval is exactly [effective_from of ord-1, effective_from of ord-3)', () => {
    const just = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()
    const v = world[0]!
    expect(decide(policyAt(history, just(day(3), -1)), 'northland', v, just(day(3), -1)).effect).toBe('allow')
    expect(decide(policyAt(history, day(3)), 'northland', v, day(3)).effect).toBe('deny')
    expect(decide(policyAt(history, just(day(5), -1)), 'northland', v, just(day(5), -1)).effect).toBe('deny')
    expect(decide(policyAt(history, day(5)), 'northland', v, day(5)).effect).toBe('allow')
  })
})
