import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compiled, decide } from '../../src/policy/decide.js'
import { policyAt } from '../../src/policy/index.js'
import {
  screeningBound,
  screeningTlpRank,
  UNMARKED_TLP_RANK,
  withinBound,
} from '../../src/policy/screening.js'
import { TLP1_MARKING_IDS, TLP2_MARKING_IDS } from '../../src/policy/tlp.js'
import { decisionCaseArb } from './arbitraries.js'

describe('the screening bound a store applies before decide', () => {
  it('never screens out a version decide would disclose (for all policies, objects and instants)', () => {
    let screenedOut = 0
    let allowed = 0
    fc.assert(
      fc.property(decisionCaseArb, ({ history, partnerId, version, instant, context }) => {
        const snapshot = policyAt(history, instant)
        const decision = decide(snapshot, partnerId, version, instant, context)
        const bound = screeningBound(compiled(snapshot), partnerId, version.collectionId, instant)
        // withinBound is the in-memory form of the store's SQL (the store conformance suite checks that SQL)
        if (!withinBound(bound, version.object)) {
          screenedOut++
          expect(decision.effect).toBe('deny')
        }
        if (decision.effect !== 'deny') allowed++
      }),
      { numRuns: 5000 },
    )
    // the bound must actually screen (or the test shows nothing) and allowed versions must occur
    expect(screenedOut).toBeGreaterThan(500)
    expect(allowed).toBeGreaterThan(400)
  })
})

describe('screeningTlpRank', () => {
  const base = { type: 'indicator', id: 'indicator--00000000-0000-4000-8000-000000000001' }
  it('is unmarked without object-level markings, whatever the granular ones say', () => {
    expect(screeningTlpRank(base)).toBe(UNMARKED_TLP_RANK)
    expect(screeningTlpRank({ ...base, object_marking_refs: [] })).toBe(UNMARKED_TLP_RANK)
    expect(
      screeningTlpRank({
        ...base,
        granular_markings: [{ selectors: ['name'], marking_ref: TLP2_MARKING_IDS.red }],
      }),
    ).toBe(UNMARKED_TLP_RANK)
  })
  it('takes the highest well-known TLP of either family', () => {
    expect(screeningTlpRank({ ...base, object_marking_refs: [TLP1_MARKING_IDS.green] })).toBe(1)
    expect(
      screeningTlpRank({
        ...base,
        object_marking_refs: [TLP2_MARKING_IDS.clear, TLP2_MARKING_IDS['amber+strict']],
      }),
    ).toBe(3)
  })
  it('is unknown (null) when the only markings are not well-known TLP ids', () => {
    expect(
      screeningTlpRank({
        ...base,
        object_marking_refs: ['marking-definition--11111111-1111-4111-8111-111111111111'],
      }),
    ).toBeNull()
  })
})
