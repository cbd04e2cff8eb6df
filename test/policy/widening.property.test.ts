/**
 * Four-eyes holds every agreement change that widens sharing for a second officer; one that `widens` calls
 * not widening takes effect at once on one officer's word. So for all agreements and objects: whatever the
 * new terms disclose, the old ones disclosed too, with no fewer redactions and no fewer caveats.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decide, policyAt } from '../../src/policy/index.js'
import type { Agreement, Decision, PolicyHistory } from '../../src/policy/types.js'
import { widens } from '../../src/policy/widening.js'
import { agreementBodyArb, customMarkingsArb, instantArb, objectArb, PARTNERS } from './arbitraries.js'

const version = (body: Omit<Agreement, 'id' | 'version' | 'partner_id' | 'recorded_at' | 'recorded_by'>) =>
  ({
    ...body,
    id: 'agreement--a1',
    version: 1,
    partner_id: 'p1',
    recorded_at: body.effective_from,
    recorded_by: 'tester',
  }) as Agreement

const TERMS = [
  'collections',
  'object_types',
  'max_tlp',
  'default_tlp',
  'required_markings',
  'forbidden_markings',
  'required_labels',
  'forbidden_labels',
  'admiralty',
  'evaluation_4x4',
  'valid_from',
  'valid_until',
  'caveats',
  'withdrawn',
]

const redactions = (d: Decision) => (d.effect === 'redact' ? d.redactions : [])

describe('widens', () => {
  it('misses no widening: terms it passes disclose nothing the terms before did not', () => {
    let checked = 0
    fc.assert(
      fc.property(
        agreementBodyArb,
        agreementBodyArb,
        fc.array(
          fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
          { minLength: TERMS.length, maxLength: TERMS.length },
        ),
        customMarkingsArb,
        objectArb(),
        instantArb,
        (beforeBody, otherBody, changed, markings, object, instant) => {
          const before = version(beforeBody)
          // a few terms changed at a time, so that many changes do not widen; the same moment in force,
          // since when a change takes effect is not a term
          const after = version({ ...beforeBody })
          TERMS.forEach((term, i) => {
            if (!changed[i]) return
            const value = (otherBody as Record<string, unknown>)[term]
            if (value === undefined) delete (after as unknown as Record<string, unknown>)[term]
            else (after as unknown as Record<string, unknown>)[term] = value
          })
          if (widens(before, after)) return
          const under = (a: Agreement) => {
            const history: PolicyHistory = { partners: PARTNERS, agreements: [a], orders: [], markings }
            return decide(policyAt(history, instant), 'p1', object, instant, { endpoints: new Map() })
          }
          const now = under(after)
          if (now.effect === 'deny') return
          const then = under(before)
          checked++
          expect(then.effect).not.toBe('deny')
          if (then.effect === 'deny') return
          for (const r of redactions(then)) expect(redactions(now)).toContain(r)
          for (const c of then.caveats) expect(now.caveats).toContain(c)
        },
      ),
      { numRuns: 6000 },
    )
    // the property says something only if some non-widening changes still disclose
    expect(checked).toBeGreaterThan(100)
  })

  const base = version({
    collections: ['c1'],
    object_types: ['indicator'],
    max_tlp: 'amber',
    caveats: ['marking-definition--a'],
    forbidden_labels: ['sensitive'],
    valid_until: '2027-01-01T00:00:00.000Z',
    effective_from: '2026-01-01T00:00:00.000Z',
  })
  it.each([
    ['the same terms', {}, false],
    ['a lower TLP', { max_tlp: 'green' }, false],
    ['withdrawal', { withdrawn: true, max_tlp: 'red' }, false],
    ['a higher TLP', { max_tlp: 'red' }, true],
    ['another collection', { collections: ['c1', 'c2'] }, true],
    ['all collections', { collections: '*' }, true],
    ['all types', { object_types: '*' }, true],
    ['dropping a caveat', { caveats: undefined }, true],
    ['dropping a forbidden label', { forbidden_labels: undefined }, true],
    ['a later end', { valid_until: '2028-01-01T00:00:00.000Z' }, true],
    ['no end', { valid_until: undefined }, true],
    ['an earlier end', { valid_until: '2026-06-01T00:00:00.000Z' }, false],
    ['a higher default TLP for unmarked objects', { default_tlp: 'red' }, false],
  ])('%s → %s widens: %s', (_name, change, widening) => {
    expect(widens(base, { ...base, ...change } as Agreement)).toBe(widening)
  })

  it('a new agreement, or reviving a withdrawn one, widens', () => {
    expect(widens(undefined, base)).toBe(true)
    expect(widens({ ...base, withdrawn: true }, base)).toBe(true)
  })

  it.each([
    ['a lower default TLP for unmarked objects', { default_tlp: 'clear' }],
    ['admitting objects without a grade', { admiralty: { reliability: ['A'], ungraded: 'allow' } }],
    ['dropping the admiralty filter', { admiralty: undefined }],
    ['more reliability grades', { admiralty: { reliability: ['A', 'B'], ungraded: 'deny' } }],
    ['dropping the 4x4 filter', { evaluation_4x4: undefined }],
    ['an earlier start', { valid_from: '2026-01-01T00:00:00.000Z' }],
    ['no end', { valid_until: undefined }],
    ['a dropped caveat', { caveats: [] }],
  ])('counts %s as widening', (_what, change) => {
    const graded = version({
      collections: ['c1'],
      object_types: '*',
      max_tlp: 'green',
      default_tlp: 'amber',
      admiralty: { reliability: ['A'], ungraded: 'deny' },
      evaluation_4x4: { source: ['A'] },
      valid_from: '2026-02-01T00:00:00.000Z',
      valid_until: '2026-12-01T00:00:00.000Z',
      caveats: ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'],
      effective_from: '2026-02-01T00:00:00.000Z',
    })
    expect(widens(graded, { ...graded, ...change } as Agreement)).toBe(true)
  })
})
