import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decide, policyAt, redact } from '../../src/policy/index.js'
import type { Decision, PolicyHistory, Reason } from '../../src/policy/types.js'
import {
  contextArb,
  decisionCaseArb,
  historyArb,
  instantArb,
  objectArb,
  partnerIdArb,
} from './arbitraries.js'
import { type ModelDecision, modelDecide, modelRedact } from './reference-model.js'

const key = (r: Reason) => `${r.kind}|${r.id}`

function summary(d: Decision): ModelDecision {
  if (d.effect === 'deny')
    return { effect: 'deny', caveats: [], redactions: [], reasons: d.deniedBy.map(key).sort() }
  return {
    effect: d.effect,
    agreement: d.allowedBy.id,
    caveats: d.caveats,
    redactions: d.effect === 'redact' ? d.redactions : [],
    reasons: d.effect === 'redact' ? d.deniedBy.map(key).sort() : [],
  }
}

describe('decide agrees with the reference model', () => {
  it('on effect, chosen agreement, redactions, caveats and reasons; redact() agrees too', () => {
    let effects = { allow: 0, redact: 0, deny: 0 }
    fc.assert(
      fc.property(decisionCaseArb, ({ history, partnerId, version, instant, context }) => {
        const snapshot = policyAt(history, instant)
        const got = decide(snapshot, partnerId, version, instant, context)
        const want = modelDecide(history, partnerId, version, instant, context)
        expect(summary(got)).toEqual(want)
        effects = { ...effects, [got.effect]: effects[got.effect] + 1 }
        if (got.effect !== 'deny') {
          const before = structuredClone(version.object)
          const out = redact(version.object, got)
          expect(version.object).toEqual(before) // never mutates
          expect(out).toEqual(modelRedact(version.object, want))
        }
      }),
      { numRuns: 5000 },
    )
    // The generators must reach every outcome often enough for the comparison to mean something.
    expect(effects.allow).toBeGreaterThan(400)
    expect(effects.redact).toBeGreaterThan(60)
    expect(effects.deny).toBeGreaterThan(400)
  })

  it('is deterministic: the same inputs give the same decision, compiled once or afresh', () => {
    fc.assert(
      fc.property(decisionCaseArb, ({ history, partnerId, version, instant, context }) => {
        const a = decide(policyAt(history, instant), partnerId, version, instant, context)
        const snapshot = policyAt(history, instant)
        decide(snapshot, 'p2', version, instant, context)
        const b = decide(snapshot, partnerId, version, instant, context)
        expect(a).toEqual(b)
      }),
      { numRuns: 300 },
    )
  })
})

describe('the endpoint memo', () => {
  it('changes no decision when one memo serves a whole batch of one partner at one instant', () => {
    const batchArb = fc.record({
      history: historyArb,
      partnerId: partnerIdArb,
      versions: fc.array(objectArb(), { minLength: 2, maxLength: 12 }),
      instant: instantArb,
      context: contextArb,
    })
    let memoised = 0
    fc.assert(
      fc.property(batchArb, ({ history, partnerId, versions, instant, context }) => {
        const snapshot = policyAt(history, instant)
        const shared = { ...context, endpointMemo: new WeakMap() }
        for (const version of versions)
          expect(decide(snapshot, partnerId, version, instant, shared)).toEqual(
            decide(snapshot, partnerId, version, instant, context),
          )
        for (const list of context.endpoints?.values() ?? [])
          for (const v of list) if (shared.endpointMemo.has(v)) memoised++
      }),
      { numRuns: 1000 },
    )
    expect(memoised).toBeGreaterThan(100)
  })
})

describe('time travel', () => {
  const withoutFuture = (h: PolicyHistory, instant: string): PolicyHistory => ({
    ...h,
    agreements: h.agreements.filter((a) => Date.parse(a.effective_from) <= Date.parse(instant)),
    orders: h.orders.filter((o) => Date.parse(o.effective_from) <= Date.parse(instant)),
  })

  it('policyAt(history, t) ignores every row effective after t', () => {
    fc.assert(
      fc.property(historyArb, instantArb, (history, instant) => {
        const { staleAt: _a, ...full } = policyAt(history, instant)
        const { staleAt: _b, ...past } = policyAt(withoutFuture(history, instant), instant)
        expect(full).toEqual(past)
        if (_a !== undefined) expect(Date.parse(_a)).toBeGreaterThan(Date.parse(instant))
        expect(_b).toBeUndefined()
      }),
      { numRuns: 300 },
    )
  })

  it('decisions at t do not depend on rows effective after t', () => {
    fc.assert(
      fc.property(decisionCaseArb, ({ history, partnerId, version, instant, context }) => {
        const full = decide(policyAt(history, instant), partnerId, version, instant, context)
        const past = withoutFuture(history, instant)
        expect(decide(policyAt(past, instant), partnerId, version, instant, context)).toEqual(full)
      }),
      { numRuns: 300 },
    )
  })

  it('a resumption restores exactly the decision without the suspension', () => {
    const arb = fc.record({
      history: historyArb,
      partnerId: fc.constantFrom('p1', 'p2', 'p3'),
      version: objectArb(),
      context: contextArb,
      suspendAt: fc.integer({ min: 0, max: 20 }),
      resumeAfter: fc.integer({ min: 0, max: 4 }),
      probeAfter: fc.integer({ min: 0, max: 6 }),
      scope: fc.option(
        fc.record({ collections: fc.constant(['c1']), above_tlp: fc.constantFrom('clear', 'green') }),
        {
          nil: undefined,
        },
      ),
    })
    fc.assert(
      fc.property(
        arb,
        ({ history, partnerId, version, context, suspendAt, resumeAfter, probeAfter, scope }) => {
          const hour = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 3_600_000).toISOString()
          const probe = hour(suspendAt + resumeAfter + probeAfter)
          const withOrder: PolicyHistory = {
            ...history,
            orders: [
              ...history.orders,
              {
                kind: 'suspension',
                id: 'sX',
                partner_id: partnerId,
                ...(scope === undefined ? {} : { scope }),
                effective_from: hour(suspendAt),
                issuer: 'officer',
                reason: 'test',
                recorded_at: hour(suspendAt),
                recorded_by: 'officer',
              },
              {
                kind: 'resumption',
                id: 'rX',
                lifts: 'sX',
                effective_from: hour(suspendAt + resumeAfter),
                issuer: 'officer',
                reason: 'test',
                recorded_at: hour(suspendAt + resumeAfter),
              },
            ],
          }
          const before = decide(policyAt(history, probe), partnerId, version, probe, context)
          const after = decide(policyAt(withOrder, probe), partnerId, version, probe, context)
          expect(after).toEqual(before)
          if (resumeAfter > 0 && scope === undefined) {
            // While in force, a whole-partner suspension withholds everything.
            const during = hour(suspendAt + resumeAfter - 1)
            const d = decide(policyAt(withOrder, during), partnerId, version, during, context)
            expect(d.effect).toBe('deny')
            if (d.effect === 'deny')
              expect(d.deniedBy.some((r) => r.kind === 'order' && r.id === 'sX')).toBe(true)
          }
        },
      ),
      { numRuns: 400 },
    )
  })
})
