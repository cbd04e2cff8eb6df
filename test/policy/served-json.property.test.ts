import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { topLevelMembers } from '../../src/disclosure/json-members.js'
import { applySplice, spliceFor } from '../../src/disclosure/served-json.js'
import { decide, policyAt, redact } from '../../src/policy/index.js'
import { policyView } from '../../src/policy/policy-view.js'
import type { Decision } from '../../src/policy/types.js'
import type { StixObject } from '../../src/stix/object.js'
import { decisionCaseArb, MARKING_POOL, objectArb } from './arbitraries.js'

/** What granular markings select in generated objects, and what the text path must leave alone. */
const REDACTABLE = [
  'description',
  'name',
  'pattern',
  'labels',
  'external_references',
  'external_references.[0].url',
  'x_sluice_copy',
  'object_marking_refs',
  'granular_markings',
]

/** Objects that carry marking refs in nested places too, and strings that look like them. */
const decoyArb = fc.record({
  nested: fc.option(fc.subarray(MARKING_POOL, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  lookalike: fc.boolean(),
  /** Top-level selectors only, so that redactions take the text path rather than re-serialising. */
  topLevelOnly: fc.boolean(),
  escapes: fc.boolean(),
})

const TOP_LEVEL_SELECTOR = /^[a-z0-9_-]+$/

function withDecoys(
  object: StixObject,
  decoy: { nested?: string[] | undefined; lookalike: boolean; topLevelOnly: boolean; escapes: boolean },
): StixObject {
  // the nested copy comes first in key order, so a splice that took the first match would hit it
  const out: StixObject = decoy.nested
    ? ({ x_sluice_copy: { object_marking_refs: decoy.nested }, ...object } as StixObject)
    : { ...object }
  if (decoy.lookalike)
    out.description = `"object_marking_refs":${JSON.stringify(object.object_marking_refs ?? [])} in a string`
  if (decoy.escapes)
    out.name = 'a \\"quoted\\" name, a brace } and a bracket ] and a "granular_markings":[] \\'
  if (decoy.topLevelOnly && out.granular_markings) {
    const kept = out.granular_markings
      .map((g) => ({ ...g, selectors: g.selectors.filter((s) => TOP_LEVEL_SELECTOR.test(s)) }))
      .filter((g) => g.selectors.length > 0)
    if (kept.length > 0) out.granular_markings = kept
    else delete out.granular_markings
  }
  return out
}

describe('servedJson', () => {
  it('gives exactly the bytes JSON.stringify(redact(…)) gives, for every allowed version', () => {
    let spliced = 0
    let cut = 0
    let redacts = 0
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
        const served = applySplice(stored, spliceFor(policyView(object), decision), decision)
        expect(served).toBe(JSON.stringify(redact(object, decision)))
        if (decision.effect === 'allow' && decision.caveats.length > 0) spliced++
        if (decision.effect === 'redact') {
          redacts++
          if (spliceFor(policyView(object), decision).kind === 'cut') cut++
        }
      }),
      { numRuns: 4000 },
    )
    expect(spliced).toBeGreaterThan(100)
    expect(cut).toBeGreaterThan(20)
    expect(redacts).toBeGreaterThan(cut)
  })

  it('cuts redacted properties out of the text exactly as redact() removes them', () => {
    const redactionArb = fc.record({
      redactions: fc.subarray(REDACTABLE, { minLength: 1, maxLength: 4 }),
      caveats: fc.subarray(MARKING_POOL, { maxLength: 2 }),
    })
    let cut = 0
    fc.assert(
      fc.property(objectArb(), decoyArb, redactionArb, ({ object: base }, decoy, r) => {
        const object = withDecoys(base, decoy)
        const decision: Decision = {
          effect: 'redact',
          allowedBy: { kind: 'agreement', id: 'agreement-1', message: 'allowed' },
          caveats: r.caveats,
          redactions: r.redactions,
          deniedBy: [],
        }
        const splice = spliceFor(policyView(object), decision)
        if (splice.kind === 'cut') cut++
        expect(applySplice(JSON.stringify(object), splice, decision)).toBe(
          JSON.stringify(redact(object, decision)),
        )
      }),
      { numRuns: 3000 },
    )
    expect(cut).toBeGreaterThan(500)
  })

  it('finds the top-level members of stringified text, and refuses other text', () => {
    const tricky = 'x"}],\\'
    const object = { a: tricky, b: { c: ['}', { d: tricky }] }, [tricky]: [1, 2], f: null }
    const text = JSON.stringify(object)
    const members = topLevelMembers(text)
    expect(members?.map((m) => text.slice(m.start, m.end))).toEqual(
      Object.entries(object).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
    )
    expect(members?.map((m) => JSON.parse(`"${m.key}"`))).toEqual(Object.keys(object))
    expect(topLevelMembers('{}')).toEqual([])
    for (const bad of ['', '{', '[]', '{"a":1 }', '{"a":}', '{"a":1,}', '{"a":"1}', '{"a":1}}', '{"a" :1}'])
      expect(topLevelMembers(bad)).toBeUndefined()
  })

  it('refuses a denied version', () => {
    const object = { type: 'indicator', id: 'indicator--00000000-0000-4000-8000-000000000009' }
    expect(() =>
      applySplice(JSON.stringify(object), { kind: 'as-is' }, { effect: 'deny', deniedBy: [] }, object),
    ).toThrow(TypeError)
  })
})
