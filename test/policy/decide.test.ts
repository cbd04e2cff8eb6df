import { describe, expect, it } from 'vitest'
import {
  collectionsVisibleTo,
  compileSnapshot,
  decide,
  decideCompiled,
  explain,
  GRADING_EXTENSION_ID,
  HANDLING_MARKING_IDS,
  policyAt,
  previewCounts,
  redact,
  TLP1_MARKING_IDS,
  TLP2_MARKING_IDS,
} from '../../src/policy/index.js'
import type { Agreement, Decision, PolicyHistory, Reason } from '../../src/policy/types.js'
import { agreement, day, history, obj, partner, resumption, suspension, T0 } from './fixtures.js'

const NOW = day(10)
const G = TLP2_MARKING_IDS.green
const A = TLP2_MARKING_IDS.amber
const R = TLP2_MARKING_IDS.red
const CLEAR = TLP2_MARKING_IDS.clear

function decideWith(
  h: PolicyHistory,
  version = obj({ object_marking_refs: [G] }),
  partnerId = 'p1',
  instant = NOW,
): Decision {
  return decide(policyAt(h, instant), partnerId, version, instant)
}

function one(a: Partial<Agreement> = {}): PolicyHistory {
  return history({ agreements: [agreement('a1', 'p1', a)] })
}

const denied = (d: Decision): Reason[] => (d.effect === 'deny' ? d.deniedBy : [])
const kinds = (d: Decision) => denied(d).map((r) => `${r.kind}:${r.id ?? ''}`)

describe('partners and agreements', () => {
  it('denies an unknown partner', () => {
    expect(decideWith(one(), undefined, 'nobody')).toEqual({
      effect: 'deny',
      deniedBy: [{ kind: 'unknown-partner', id: 'nobody', message: 'unknown partner nobody' }],
    })
  })

  it('denies when no agreement is in force', () => {
    expect(kinds(decideWith(history()))).toEqual(['no-agreement:p1'])
    // Not yet effective.
    expect(kinds(decideWith(one({ effective_from: day(11) })))).toEqual(['no-agreement:p1'])
  })

  it('allows under an agreement and reports it, with its caveats', () => {
    const d = decideWith(one({ caveats: [HANDLING_MARKING_IDS.H0, HANDLING_MARKING_IDS.H0] }))
    expect(d).toEqual({
      effect: 'allow',
      allowedBy: { kind: 'agreement', id: 'a1', message: 'allowed by agreement a1 version 1' },
      caveats: [HANDLING_MARKING_IDS.H0],
    })
  })

  it('checks collection, type, TLP, labels, markings and validity, reporting every failure', () => {
    const h = one({
      collections: ['c2'],
      object_types: ['indicator'],
      max_tlp: 'green',
      required_labels: ['vetted'],
      forbidden_labels: ['embargoed'],
      required_markings: [HANDLING_MARKING_IDS.H0],
      forbidden_markings: [HANDLING_MARKING_IDS.H1],
      valid_until: day(5),
    })
    const d = decideWith(h, obj({ object_marking_refs: [A, HANDLING_MARKING_IDS.H1], labels: ['embargoed'] }))
    expect(kinds(d)).toEqual([
      'validity:a1',
      'collection:a1',
      'type:a1',
      'tlp:a1',
      'marking:a1',
      'marking:a1',
      'label:a1',
      'label:a1',
    ])
    expect(denied(d).map((r) => r.message)).toContain('TLP:AMBER is above TLP:GREEN allowed by agreement a1')
  })

  it('validity window: valid_from inclusive, valid_until exclusive', () => {
    const h = one({ valid_from: day(10), valid_until: day(12) })
    expect(decideWith(h, undefined, 'p1', day(10)).effect).toBe('allow')
    expect(decideWith(h, undefined, 'p1', day(12)).effect).toBe('deny')
    expect(kinds(decideWith(h, undefined, 'p1', day(9)))).toEqual(['validity:a1'])
  })

  it('an object without TLP is read as the agreement default, AMBER unless set', () => {
    const bare = obj()
    expect(decideWith(one({ max_tlp: 'green' }), bare).effect).toBe('deny')
    expect(denied(decideWith(one({ max_tlp: 'green' }), bare))[0]?.message).toBe(
      'no TLP (read as TLP:AMBER) is above TLP:GREEN allowed by agreement a1',
    )
    expect(decideWith(one({ max_tlp: 'amber' }), bare).effect).toBe('allow')
    expect(decideWith(one({ max_tlp: 'green', default_tlp: 'green' }), bare).effect).toBe('allow')
  })

  it('TLP 1.0 WHITE counts as CLEAR and the most restrictive object marking wins', () => {
    expect(
      decideWith(one({ max_tlp: 'clear' }), obj({ object_marking_refs: [TLP1_MARKING_IDS.white] })).effect,
    ).toBe('allow')
    expect(decideWith(one({ max_tlp: 'amber' }), obj({ object_marking_refs: [CLEAR, R] })).effect).toBe(
      'deny',
    )
    expect(
      decideWith(one({ max_tlp: 'amber' }), obj({ object_marking_refs: [TLP2_MARKING_IDS['amber+strict']] }))
        .effect,
    ).toBe('deny')
  })

  it('any agreement in force may allow; the first by id wins among clean ones', () => {
    const h = history({
      agreements: [
        agreement('b-wide', 'p1', { caveats: [HANDLING_MARKING_IDS.H1] }),
        agreement('a-narrow', 'p1', { collections: ['other'] }),
        agreement('c-also', 'p1', { caveats: [HANDLING_MARKING_IDS.H2] }),
      ],
    })
    const d = decideWith(h)
    expect(d).toMatchObject({
      effect: 'allow',
      allowedBy: { id: 'b-wide' },
      caveats: [HANDLING_MARKING_IDS.H1],
    })
  })

  it('versions: the highest effective version is in force; withdrawal ends the agreement', () => {
    const v1 = agreement('a1', 'p1', { max_tlp: 'red' })
    const v2 = agreement('a1', 'p1', { version: 2, max_tlp: 'green', effective_from: day(5) })
    const v3 = agreement('a1', 'p1', { version: 3, withdrawn: true, effective_from: day(20) })
    const h = history({ agreements: [v1, v2, v3] })
    const amber = obj({ object_marking_refs: [A] })
    expect(decideWith(h, amber, 'p1', day(4)).effect).toBe('allow')
    expect(kinds(decideWith(h, amber, 'p1', day(6)))).toEqual(['tlp:a1'])
    expect(kinds(decideWith(h, amber, 'p1', day(21)))).toEqual(['no-agreement:p1'])
    expect(policyAt(h, day(6)).agreements).toEqual([v2])
    expect(policyAt(h, day(6)).staleAt).toBe(day(20).replace('Z', '000Z'))
  })

  it('grading filters, and 4x4 derived from Admiralty', () => {
    const graded = (g: Record<string, unknown>) =>
      obj({
        object_marking_refs: [G],
        extensions: { [GRADING_EXTENSION_ID]: { extension_type: 'property-extension', ...g } },
      })
    const h = one({ admiralty: { reliability: ['A', 'B'], credibility: [1, 2, 3] } })
    expect(
      decideWith(h, graded({ admiralty_source_reliability: 'B', admiralty_information_credibility: 2 }))
        .effect,
    ).toBe('allow')
    const d = decideWith(
      h,
      graded({ admiralty_source_reliability: 'C', admiralty_information_credibility: 2 }),
    )
    expect(denied(d)).toEqual([
      { kind: 'grading', id: 'a1', message: 'Admiralty grade C2 is not accepted by agreement a1' },
    ])
    expect(decideWith(h, obj({ object_marking_refs: [G] })).effect).toBe('allow') // ungraded allowed by default
    const strict = one({ evaluation_4x4: { source: ['A', 'B'], ungraded: 'deny' } })
    expect(decideWith(strict, obj({ object_marking_refs: [G] })).effect).toBe('deny')
    expect(decideWith(strict, graded({ admiralty_source_reliability: 'B' })).effect).toBe('allow')
    expect(decideWith(strict, graded({ admiralty_source_reliability: 'D' })).effect).toBe('deny') // D → C
  })

  it('admits no grade off its scale through a grade filter, and judges each axis alone', () => {
    const graded = (g: Record<string, unknown>) =>
      obj({
        object_marking_refs: [G],
        extensions: { [GRADING_EXTENSION_ID]: { extension_type: 'property-extension', ...g } },
      })
    const h = one({ evaluation_4x4: { information: [1, 2] } })
    expect(
      denied(decideWith(h, graded({ source_evaluation_4x4: 'A', information_evaluation_4x4: 9 }))),
    ).toEqual([
      {
        kind: 'grading',
        id: 'a1',
        message:
          "agreement a1 filters on grading, and this object's cannot be read (information_evaluation_4x4 must be one of 1, 2, 3, 4)",
      },
    ])
    expect(decideWith(h, graded({ admiralty_information_credibility: 7 })).effect).toBe('deny')
    // an axis left out counts as ungraded on that axis, which passes unless the filter says deny
    expect(decideWith(h, graded({ source_evaluation_4x4: 'A' })).effect).toBe('allow')
    expect(
      decideWith(
        one({ evaluation_4x4: { information: [1, 2], ungraded: 'deny' } }),
        graded({ source_evaluation_4x4: 'A' }),
      ).effect,
    ).toBe('deny')
    // without a grade filter, the grading does not matter
    expect(decideWith(one(), graded({ information_evaluation_4x4: 9 })).effect).toBe('allow')
  })

  it('an agreement whose caveat cannot be resolved cannot release anything', () => {
    expect(denied(decideWith(one({ caveats: ['marking-definition--nowhere'] })))).toEqual([
      {
        kind: 'caveat',
        id: 'marking-definition--nowhere',
        message: 'agreement a1 attaches caveat marking-definition--nowhere, which the node cannot resolve',
      },
    ])
  })

  it('withholds objects with unresolvable object-level markings', () => {
    const d = decideWith(one(), obj({ object_marking_refs: [G, 'marking-definition--mystery'] }))
    expect(kinds(d)).toEqual(['marking:marking-definition--mystery'])
  })
})

describe('orders', () => {
  it('a whole-partner suspension denies regardless of agreements, listing every reason', () => {
    const h = one({ max_tlp: 'green' })
    const orders = [
      suspension('s1', 'p1', { reason: 'ministerial order pending review' }),
      suspension('s2', 'p2'),
    ]
    expect(kinds(decideWith({ ...h, orders }))).toEqual(['order:s1'])
    expect(kinds(decideWith({ ...h, orders }, obj({ object_marking_refs: [A] })))).toEqual([
      'order:s1',
      'tlp:a1',
    ])
    expect(decideWith({ ...h, orders }, undefined, 'p2').effect).toBe('deny') // p2 has no agreement anyway
  })

  it('scheduled suspensions start later; resumptions lift them', () => {
    const orders = [suspension('s1', 'p1', { effective_from: day(12) }), resumption('r1', 's1', day(14))]
    const h = { ...one(), orders }
    expect(decideWith(h, undefined, 'p1', day(11)).effect).toBe('allow')
    expect(kinds(decideWith(h, undefined, 'p1', day(12)))).toEqual(['order:s1'])
    expect(decideWith(h, undefined, 'p1', day(14)).effect).toBe('allow')
    expect(policyAt(h, day(11)).staleAt).toBe(day(12).replace('Z', '000Z'))
  })

  it('narrowed suspensions: collection, type, label, marking, above TLP (AND across criteria)', () => {
    const scope = { collections: ['maritime-routes'], above_tlp: 'clear' as const }
    const h = { ...one({ max_tlp: 'red' }), orders: [suspension('s1', 'p1', { scope })] }
    expect(decideWith(h, obj({ object_marking_refs: [G] }, 'maritime-routes')).effect).toBe('deny')
    expect(decideWith(h, obj({ object_marking_refs: [CLEAR] }, 'maritime-routes')).effect).toBe('allow')
    expect(decideWith(h, obj({ object_marking_refs: [G] }, 'networks')).effect).toBe('allow')
    // No TLP counts as AMBER for orders.
    expect(decideWith(h, obj({}, 'maritime-routes')).effect).toBe('deny')

    const byLabel = { ...one(), orders: [suspension('s2', 'p1', { scope: { labels: ['op-heron'] } })] }
    expect(kinds(decideWith(byLabel, obj({ object_marking_refs: [G], labels: ['op-heron'] })))).toEqual([
      'order:s2',
    ])
    expect(decideWith(byLabel, obj({ object_marking_refs: [G], labels: ['other'] })).effect).toBe('allow')
  })

  it('property-level: an order narrowed by TLP or marking redacts matching granular properties', () => {
    const h = {
      ...one({ max_tlp: 'red' }),
      orders: [suspension('s1', 'p1', { scope: { above_tlp: 'clear' } })],
    }
    const v = obj({
      object_marking_refs: [CLEAR],
      granular_markings: [{ marking_ref: G, selectors: ['description'] }],
    })
    const d = decideWith(h, v)
    expect(d).toMatchObject({
      effect: 'redact',
      redactions: ['description'],
      deniedBy: [{ kind: 'order', id: 's1' }],
    })
    expect(redact(v.object, d)).not.toHaveProperty('description')
  })
})

describe('granular markings and redaction', () => {
  const v = obj({
    object_marking_refs: [G],
    external_references: [
      { source_name: 'case-file', url: 'https://example.org/case/1' },
      { source_name: 'press', url: 'https://example.org/press' },
    ],
    granular_markings: [
      { marking_ref: R, selectors: ['description', 'external_references.[0]'] },
      { marking_ref: G, selectors: ['external_references.[1].url', 'name'] },
      { lang: 'fr', selectors: ['description'] },
    ],
  })

  it('a RED description inside a GREEN object is redacted for an AMBER partner', () => {
    const d = decideWith(one({ caveats: [HANDLING_MARKING_IDS.H0] }), v)
    expect(d).toEqual({
      effect: 'redact',
      allowedBy: { kind: 'agreement', id: 'a1', message: 'allowed by agreement a1 version 1' },
      caveats: [HANDLING_MARKING_IDS.H0],
      redactions: ['description', 'external_references.[0]'],
      deniedBy: [
        { kind: 'tlp', id: 'a1', message: 'description is TLP:RED, above TLP:AMBER allowed by agreement a1' },
        {
          kind: 'tlp',
          id: 'a1',
          message: 'external_references.[0] is TLP:RED, above TLP:AMBER allowed by agreement a1',
        },
      ],
    })
    const out = redact(v.object, d)
    expect(out).toEqual({
      ...v.object,
      description: undefined,
      external_references: [{ source_name: 'press', url: 'https://example.org/press' }],
      granular_markings: [{ marking_ref: G, selectors: ['external_references.[0].url', 'name'] }],
      object_marking_refs: [G, HANDLING_MARKING_IDS.H0],
    })
    expect(out).not.toHaveProperty('description')
    expect(v.object.description).toBe('A fictional trafficking network.') // not mutated
    expect(decideWith(one({ max_tlp: 'red' }), v).effect).toBe('allow')
  })

  it('a forbidden or unknown granular marking redacts the property', () => {
    const w = obj({
      object_marking_refs: [G],
      granular_markings: [
        { marking_ref: HANDLING_MARKING_IDS.H1, selectors: ['description'] },
        { marking_ref: 'marking-definition--mystery', selectors: ['aliases'] },
      ],
      aliases: ['Heron'],
    })
    const d = decideWith(one({ forbidden_markings: [HANDLING_MARKING_IDS.H1] }), w)
    expect(d).toMatchObject({ effect: 'redact', redactions: ['description', 'aliases'] })
    expect(kinds({ effect: 'deny', deniedBy: d.effect === 'redact' ? d.deniedBy : [] })).toEqual([
      'marking:a1',
      'marking:marking-definition--mystery',
    ])
  })

  it('withholds the object when a redaction would remove a required property', () => {
    const w = obj({ object_marking_refs: [G], granular_markings: [{ marking_ref: R, selectors: ['name'] }] })
    const d = decideWith(one(), w)
    expect(d.effect).toBe('deny')
    expect(denied(d)[0]?.message).toMatch(/name is required, so the object is withheld/)
  })

  it('the least-redacting agreement wins', () => {
    const h = history({
      agreements: [agreement('a1', 'p1', { max_tlp: 'green' }), agreement('a2', 'p1', { max_tlp: 'red' })],
    })
    expect(decideWith(h, v)).toMatchObject({ effect: 'allow', allowedBy: { id: 'a2' } })
  })

  it('redact() appends caveats without duplicates and keeps order; refuses a deny', () => {
    const w = obj({ object_marking_refs: [G, HANDLING_MARKING_IDS.H0] }).object
    const d: Decision = {
      effect: 'allow',
      allowedBy: { kind: 'agreement', id: 'a', message: '' },
      caveats: [HANDLING_MARKING_IDS.H0, HANDLING_MARKING_IDS.H2, HANDLING_MARKING_IDS.H2],
    }
    expect(redact(w, d).object_marking_refs).toEqual([G, HANDLING_MARKING_IDS.H0, HANDLING_MARKING_IDS.H2])
    expect(w.object_marking_refs).toEqual([G, HANDLING_MARKING_IDS.H0])
    expect(() => redact(w, { effect: 'deny', deniedBy: [] })).toThrow(TypeError)
  })
})

describe('relationships and sightings', () => {
  const h = one({ collections: ['c1'] })
  const src = obj({ object_marking_refs: [G] })
  const hidden = obj({ object_marking_refs: [G] }, 'secret')
  const rel = (source: string, target: string) =>
    obj({
      type: 'relationship',
      relationship_type: 'related-to',
      source_ref: source,
      target_ref: target,
      object_marking_refs: [G],
    })

  it('discloses an SRO only if every endpoint has a version the partner may see', () => {
    const r = rel(src.object.id, hidden.object.id)
    const endpoints = new Map([
      [src.object.id, [src]],
      [hidden.object.id, [hidden]],
    ])
    const d = decide(policyAt(h, NOW), 'p1', r, NOW, { endpoints })
    expect(denied(d)).toEqual([
      {
        kind: 'endpoint',
        id: hidden.object.id,
        message: `no version of endpoint ${hidden.object.id} may be disclosed to p1`,
      },
    ])
    // One visible version is enough.
    const visibleTwin = { ...hidden, collectionId: 'c1' }
    endpoints.set(hidden.object.id, [hidden, visibleTwin])
    expect(decide(policyAt(h, NOW), 'p1', r, NOW, { endpoints }).effect).toBe('allow')
  })

  it('a missing endpoint withholds the SRO', () => {
    const r = rel(src.object.id, 'intrusion-set--00000000-0000-4000-8000-0000000000ff')
    const d = decide(policyAt(h, NOW), 'p1', r, NOW, { endpoints: new Map([[src.object.id, [src]]]) })
    expect(kinds(d)).toEqual(['endpoint:intrusion-set--00000000-0000-4000-8000-0000000000ff'])
    expect(kinds(decide(policyAt(h, NOW), 'p1', r, NOW))).toHaveLength(2)
  })

  it('sightings need sighting_of_ref, where_sighted_refs and observed_data_refs', () => {
    const s = obj({
      type: 'sighting',
      sighting_of_ref: src.object.id,
      where_sighted_refs: ['identity--00000000-0000-4000-8000-000000000777'],
      object_marking_refs: [G],
    })
    const d = decide(policyAt(h, NOW), 'p1', s, NOW, { endpoints: new Map([[src.object.id, [src]]]) })
    expect(kinds(d)).toEqual(['endpoint:identity--00000000-0000-4000-8000-000000000777'])
  })
})

describe('snapshots and views', () => {
  it('a snapshot used outside its interval denies (fail closed)', () => {
    const h = { ...one(), orders: [suspension('s1', 'p1', { effective_from: day(12) })] }
    const snap = policyAt(h, day(10))
    expect(kinds(decide(snap, 'p1', obj({ object_marking_refs: [G] }), day(13)))).toEqual(['validity:'])
    expect(kinds(decide(snap, 'p1', obj({ object_marking_refs: [G] }), day(9)))).toEqual(['validity:'])
    expect(() => compileSnapshot(snap, day(13))).toThrow(RangeError)
    expect(
      decideCompiled(compileSnapshot(snap, day(11)), 'p1', obj({ object_marking_refs: [G] }), day(11)).effect,
    ).toBe('allow')
  })

  it('policyAt can answer "as known at" (bitemporal)', () => {
    const late = suspension('s1', 'p1', { effective_from: day(2), recorded_at: day(8) })
    const h = { ...one(), orders: [late] }
    expect(policyAt(h, day(5)).suspensions).toEqual([late])
    expect(policyAt(h, day(5), { asKnownAt: day(5) }).suspensions).toEqual([])
  })

  it('collectionsVisibleTo: agreements in force minus whole-collection orders', () => {
    const h: PolicyHistory = {
      ...history({
        agreements: [agreement('a1', 'p1', { collections: ['c1', 'c2'] }), agreement('a2', 'p2')],
        orders: [
          suspension('s1', 'p1', { scope: { collections: ['c2'] } }),
          suspension('s2', 'p1', { scope: { collections: ['c1'], above_tlp: 'green' } }),
          suspension('s3', 'p2', { scope: { collections: ['c3'] } }),
        ],
      }),
      collections: ['c1', 'c2', 'c3', 'c4'],
    }
    const snap = policyAt(h, NOW)
    expect(collectionsVisibleTo(snap, 'p1', NOW)).toEqual(new Set(['c1']))
    expect(collectionsVisibleTo(snap, 'p2', NOW)).toEqual(new Set(['c1', 'c2', 'c4']))
    expect(collectionsVisibleTo(policyAt({ ...h, collections: undefined }, NOW), 'p2', NOW)).toBe('*')
    expect(collectionsVisibleTo(policyAt({ ...h, orders: [] }, NOW), 'p2', NOW)).toBe('*')
    expect(collectionsVisibleTo(snap, 'nobody', NOW)).toEqual(new Set())
    const whole = policyAt({ ...h, orders: [suspension('sx', 'p1')] }, NOW)
    expect(collectionsVisibleTo(whole, 'p1', NOW)).toEqual(new Set())
  })

  it('explain uses the same decision and says why', () => {
    const h = {
      partners: [partner('p1', 'Northland Drug Enforcement Bureau')],
      agreements: [agreement('a1', 'p1')],
      orders: [],
    }
    const v = obj({ object_marking_refs: [R] })
    const e = explain(policyAt(h, NOW), 'p1', v, NOW)
    expect(e.decision).toEqual(decideWith(h, v))
    expect(e.text).toBe(
      `${v.object.id} in collection c1 is WITHHELD from Northland Drug Enforcement Bureau (p1) at ${NOW}, because:\n` +
        '  - [tlp a1] TLP:RED is above TLP:AMBER allowed by agreement a1',
    )
    const ok = explain(
      policyAt(one({ caveats: [HANDLING_MARKING_IDS.H0] }), NOW),
      'p1',
      obj({ object_marking_refs: [G] }),
      NOW,
    )
    expect(ok.lines[0]).toMatch(/is SHARED with p1 .*allowed by agreement a1 version 1\.$/)
    expect(ok.lines[1]).toBe(`Caveats attached: ${HANDLING_MARKING_IDS.H0}.`)
  })

  it('explain says when an order it cites was recorded after the instant explained (backdated)', () => {
    const base = { partners: [partner('p1')], agreements: [agreement('a1', 'p1')] }
    const v = obj({ object_marking_refs: [G] })
    const backdated = suspension('s1', 'p1', { effective_from: day(2), recorded_at: day(5) })
    const at = (t: string) => explain(policyAt({ ...base, orders: [backdated] }, t), 'p1', v, t)
    expect(at(day(3)).decision.effect).toBe('deny')
    expect(at(day(3)).text).toContain(
      `(order s1 was recorded at ${day(5)}, after this instant, effective from ${day(2)}: reads at ${day(3)} did not yet apply it)`,
    )
    expect(at(day(6)).text).not.toContain('recorded at')
    const onTime = suspension('s2', 'p1', { effective_from: day(2), recorded_at: day(2) })
    expect(explain(policyAt({ ...base, orders: [onTime] }, day(3)), 'p1', v, day(3)).text).not.toContain(
      'recorded at',
    )
  })

  it('previewCounts counts by effect, reason and collection', () => {
    const h = one({ collections: ['c1', 'c2'] })
    const versions = [
      obj({ object_marking_refs: [G] }, 'c1'),
      obj({ object_marking_refs: [R] }, 'c1'),
      obj(
        { object_marking_refs: [G], granular_markings: [{ marking_ref: R, selectors: ['description'] }] },
        'c2',
      ),
      obj({ object_marking_refs: [G] }, 'c3'),
    ]
    expect(previewCounts(policyAt(h, NOW), 'p1', NOW, versions)).toEqual({
      total: 4,
      allowed: 1,
      redacted: 1,
      denied: 2,
      deniedByReason: { 'tlp:a1': 1, 'collection:a1': 1 },
      redactedByReason: { 'tlp:a1': 1 },
      allowedByAgreement: { a1: 2 },
      byCollection: {
        c1: { allowed: 1, redacted: 0, denied: 1 },
        c2: { allowed: 0, redacted: 1, denied: 0 },
        c3: { allowed: 0, redacted: 0, denied: 1 },
      },
    })
  })

  it('rejects malformed instants loudly', () => {
    expect(() => policyAt(one(), 'yesterday')).toThrow(RangeError)
    expect(() => decide(policyAt(one(), NOW), 'p1', obj(), 'soon')).toThrow(RangeError)
    expect(T0).toBe('2025-03-01T00:00:00.000Z')
  })
})
