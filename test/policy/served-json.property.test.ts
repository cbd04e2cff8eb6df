import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applySplice, spliceFor } from '../../src/disclosure/served-json.js'
import { decide, policyAt, redact } from '../../src/policy/index.js'
import { policyView } from '../../src/policy/policy-view.js'
import type { StixObject } from '../../src/stix/object.js'
import { decisionCaseArb, MARKING_POOL } from './arbitraries.js'

/** Objects that carry marking refs in nested places too, and strings that look like them. */
const decoyArb = fc.record({
  nested: fc.option(fc.subarray(MARKING_POOL, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  lookalike: fc.boolean(),
})

function withDecoys(
  object: StixObject,
  decoy: { nested?: string[] | undefined; lookalike: boolean },
): StixObject {
  // the nested copy comes first in key order, so a splice that took the first match would hit it
  const out: StixObject = decoy.nested
    ? ({ x_sluice_copy: { object_marking_refs: decoy.nested }, ...object } as StixObject)
    : { ...object }
  if (decoy.lookalike)
    out.description = `"object_marking_refs":${JSON.stringify(object.object_marking_refs ?? [])} in a string`
  return out
}

describe('servedJson', () => {
  it('gives exactly the bytes JSON.stringify(redact(…)) gives, for every allowed version', () => {
    let spliced = 0
    fc.assert(
      fc.property(decisionCaseArb, decoyArb, ({ history, partnerId, version, instant, context }, decoy) => {
        const object = withDecoys(version.object, decoy)
        const decision = decide(
          policyAt(history, instant),
          partnerId,
          { ...version, object },
          instant,
          context,
        )
        if (decision.effect === 'deny') return
        const stored = JSON.stringify(object)
        // the marking refs come from the policy view, as the gate has them without parsing the version
        const served = applySplice(
          stored,
          spliceFor(policyView(object).object_marking_refs, decision),
          decision,
        )
        expect(served).toBe(JSON.stringify(redact(object, decision)))
        if (decision.effect === 'allow' && decision.caveats.length > 0) spliced++
      }),
      { numRuns: 4000 },
    )
    expect(spliced).toBeGreaterThan(100)
  })

  it('refuses a denied version', () => {
    const object = { type: 'indicator', id: 'indicator--00000000-0000-4000-8000-000000000009' }
    expect(() =>
      applySplice(JSON.stringify(object), { kind: 'as-is' }, { effect: 'deny', deniedBy: [] }, object),
    ).toThrow(TypeError)
  })
})
