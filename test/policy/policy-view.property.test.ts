import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compiled } from '../../src/policy/decide.js'
import {
  decideCompiled,
  decideWithoutEndpoints,
  decisionWindow,
  endpointRefs,
  policyAt,
} from '../../src/policy/index.js'
import { policyView, policyViewFacts } from '../../src/policy/policy-view.js'
import type { PolicyHistory } from '../../src/policy/types.js'
import { decisionCaseArb, instantArb } from './arbitraries.js'

describe('a policy view decides as the whole object does', () => {
  it('decideWithoutEndpoints gives the same decision for the stored view text as for the object', () => {
    let effects = { allow: 0, redact: 0, deny: 0 }
    fc.assert(
      fc.property(decisionCaseArb, ({ history, partnerId, version, instant }) => {
        const policy = compiled(policyAt(history, instant))
        const facts = policyViewFacts(version.object)
        // an SRO without a required ref has no view: the gate judges its text
        if (facts === undefined) {
          expect(endpointRefs(version.object)?.missing.length).toBeGreaterThan(0)
          return
        }
        const fromView = JSON.parse(facts.view)
        const want = decideWithoutEndpoints(policy, partnerId, version, instant)
        const got = decideWithoutEndpoints(policy, partnerId, { ...version, object: fromView }, instant)
        expect(got).toEqual(want)
        expect(facts.endpointRefs).toEqual(endpointRefs(version.object)?.refs)
        effects = { ...effects, [want.effect]: effects[want.effect] + 1 }
      }),
      { numRuns: 5000 },
    )
    expect(effects.allow).toBeGreaterThan(400)
    expect(effects.redact).toBeGreaterThan(60)
    expect(effects.deny).toBeGreaterThan(400)
  })

  it('objects without endpoints: decideWithoutEndpoints is decideCompiled', () => {
    fc.assert(
      fc.property(decisionCaseArb, ({ history, partnerId, version, instant, context }) => {
        if (endpointRefs(version.object) !== undefined) return
        const policy = compiled(policyAt(history, instant))
        expect(decideWithoutEndpoints(policy, partnerId, version, instant)).toEqual(
          decideCompiled(policy, partnerId, version, instant, context),
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('the view holds nothing policy does not read (no text, no ids)', () => {
    fc.assert(
      fc.property(decisionCaseArb, ({ version }) => {
        const view = policyView(version.object)
        expect(
          Object.keys(view).every((k) =>
            ['type', 'object_marking_refs', 'labels', 'granular_markings', 'extensions'].includes(k),
          ),
        ).toBe(true)
        expect(view.id).toBeUndefined()
        expect(view.description).toBeUndefined()
      }),
      { numRuns: 500 },
    )
  })
})

describe('decisionWindow', () => {
  it('two instants with the same window get the same decisions from one compiled policy', () => {
    let compared = 0
    fc.assert(
      fc.property(decisionCaseArb, instantArb, ({ history, partnerId, version, instant }, other) => {
        const policy = compiled(policyAt(history, instant))
        const t = Date.parse(other)
        // `other` must lie where the compiled policy is valid for the comparison to mean anything
        if (t * 1000 < policy.at || t * 1000 >= policy.staleAt) return
        if (decisionWindow(policy, partnerId, instant) !== decisionWindow(policy, partnerId, other)) return
        compared++
        expect(decideWithoutEndpoints(policy, partnerId, version, other)).toEqual(
          decideWithoutEndpoints(policy, partnerId, version, instant),
        )
      }),
      { numRuns: 3000 },
    )
    expect(compared).toBeGreaterThan(300)
  })

  it('differs when an agreement leaves or enters its validity window', () => {
    const history: PolicyHistory = {
      partners: [
        {
          id: 'p1',
          name: 'Fictional coast guard',
          identity_id: 'identity--00000000-0000-4000-8000-000000000001',
          kind: 'coast-guard',
        },
      ],
      agreements: [
        {
          id: 'agreement--00000000-0000-4000-8000-000000000002',
          version: 1,
          partner_id: 'p1',
          collections: '*',
          object_types: '*',
          max_tlp: 'green',
          valid_until: '2025-01-01T12:00:00Z',
          effective_from: '2024-01-01T00:00:00Z',
          recorded_at: '2024-01-01T00:00:00Z',
          recorded_by: 'test',
        },
      ],
      orders: [],
    }
    const policy = compiled(policyAt(history, '2025-01-01T11:00:00Z'))
    expect(decisionWindow(policy, 'p1', '2025-01-01T11:00:00Z')).not.toBe(
      decisionWindow(policy, 'p1', '2025-01-01T12:00:00Z'),
    )
  })
})
