import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compiled, decideCompiled } from '../../src/policy/decide.js'
import { memoisedDecider } from '../../src/policy/decision-memo.js'
import { policyAt } from '../../src/policy/index.js'
import { screeningBound, withinBound } from '../../src/policy/screening.js'
import {
  COLLECTIONS,
  contextArb,
  historyArb,
  instantArb,
  objectArb,
  partnerIdArb,
} from '../policy/arbitraries.js'

/*
 * The impact preview decides each set of facts once and skips what the screening bound rules out. Both must
 * give exactly what deciding every version one by one gives.
 */

// few distinct facts, so that versions share memo entries and a wrong key would show
const worldArb = fc.record({
  history: historyArb,
  partnerId: partnerIdArb,
  instant: instantArb,
  versions: fc.array(objectArb(), { minLength: 1, maxLength: 40 }),
  context: contextArb,
})

describe('memoised decisions', () => {
  it('equal decideCompiled for every version, relationships and sightings included', () => {
    fc.assert(
      fc.property(worldArb, ({ history, partnerId, instant, versions, context }) => {
        const policy = compiled(policyAt(history, instant))
        const decide = memoisedDecider(policy, partnerId, instant)
        for (const v of [...versions, ...versions]) {
          expect(decide(v, context)).toEqual(decideCompiled(policy, partnerId, v, instant, context))
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('a version outside the screening bound is denied (the in-memory screen is as sound as the store one)', () => {
    let screened = 0
    fc.assert(
      fc.property(worldArb, ({ history, partnerId, instant, versions, context }) => {
        const policy = compiled(policyAt(history, instant))
        for (const collectionId of COLLECTIONS) {
          const bound = screeningBound(policy, partnerId, collectionId, instant)
          for (const v of versions) {
            const here = { ...v, collectionId }
            if (withinBound(bound, here.object)) continue
            screened++
            expect(decideCompiled(policy, partnerId, here, instant, context).effect).toBe('deny')
          }
        }
      }),
      { numRuns: 400 },
    )
    expect(screened).toBeGreaterThan(1000)
  })
})
