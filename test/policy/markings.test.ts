import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  BUILTIN_MARKINGS,
  forbidsOnwardSharing,
  GRADING_EXTENSION_DEFINITION,
  GRADING_EXTENSION_ID,
  gradingOf,
  HANDLING_EXTENSION_DEFINITION,
  HANDLING_EXTENSION_ID,
  HANDLING_MARKING_IDS,
  HANDLING_MARKINGS,
  IEP_EXTENSION_ID,
  indexMarkings,
  maxTlp,
  OPENCTI_AMBER_STRICT_ID,
  objectTlp,
  oneDefinitionPerId,
  onwardSharingRestrictions,
  parseTlpValue,
  resolveMarking,
  SLUICE_IDENTITY_ID,
  SLUICE_NAMESPACE,
  TLP1_MARKING_IDS,
  TLP2_EXTENSION_ID,
  TLP2_MARKING_IDS,
  TLP2_MARKINGS,
  tlpRank,
  unresolvedMarkings,
} from '../../src/policy/index.js'
import type { StixObject } from '../../src/stix/object.js'
import { obj } from './fixtures.js'

const md = (id: string, fields: Partial<StixObject>): StixObject => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id,
  created: '2025-01-01T00:00:00.000Z',
  ...fields,
})

describe('TLP levels', () => {
  it('orders CLEAR < GREEN < AMBER < AMBER+STRICT < RED and the most restrictive wins', () => {
    expect(
      ['red', 'clear', 'amber+strict', 'green', 'amber'].sort(
        (a, b) => tlpRank(a as never) - tlpRank(b as never),
      ),
    ).toEqual(['clear', 'green', 'amber', 'amber+strict', 'red'])
    expect(maxTlp('green', 'amber+strict')).toBe('amber+strict')
    expect(maxTlp(undefined, 'clear')).toBe('clear')
  })

  it('reads the spellings producers use; WHITE is CLEAR', () => {
    expect(parseTlpValue('white')).toBe('clear')
    expect(parseTlpValue('TLP:WHITE')).toBe('clear')
    expect(parseTlpValue('TLP:AMBER+STRICT')).toBe('amber+strict')
    expect(parseTlpValue('amber strict')).toBe('amber+strict')
    expect(parseTlpValue('Amber')).toBe('amber')
    expect(parseTlpValue('purple')).toBeUndefined()
  })
})

describe('resolving the three TLP id families', () => {
  const cases: [string, string, string][] = [
    [TLP1_MARKING_IDS.white, 'clear', 'stix-2.1-tlp1'],
    [TLP1_MARKING_IDS.green, 'green', 'stix-2.1-tlp1'],
    [TLP1_MARKING_IDS.amber, 'amber', 'stix-2.1-tlp1'],
    [TLP1_MARKING_IDS.red, 'red', 'stix-2.1-tlp1'],
    [TLP2_MARKING_IDS.clear, 'clear', 'oasis-tlp2'],
    [TLP2_MARKING_IDS.green, 'green', 'oasis-tlp2'],
    [TLP2_MARKING_IDS.amber, 'amber', 'oasis-tlp2'],
    [TLP2_MARKING_IDS['amber+strict'], 'amber+strict', 'oasis-tlp2'],
    [TLP2_MARKING_IDS.red, 'red', 'oasis-tlp2'],
    [OPENCTI_AMBER_STRICT_ID, 'amber+strict', 'opencti'],
  ]
  it.each(cases)('%s is %s (%s) without needing the object', (id, level, family) => {
    expect(resolveMarking(id)).toEqual({ kind: 'tlp', id, tlp: level, source: family })
  })

  it('uses the exact published ids', () => {
    expect(TLP1_MARKING_IDS.white).toBe('marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9')
    expect(TLP2_MARKING_IDS['amber+strict']).toBe('marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003')
    expect(TLP2_EXTENSION_ID).toBe('extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d')
  })

  it('exports the canonical OASIS TLP 2.0 objects', () => {
    expect(TLP2_MARKINGS['amber+strict']).toEqual({
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
      created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:AMBER+STRICT',
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: 'amber+strict',
        },
      },
    })
    expect(Object.isFrozen(TLP2_MARKINGS.red.extensions)).toBe(true)
    for (const m of Object.values(TLP2_MARKINGS)) expect(resolveMarking(m.id)?.tlp).toBeDefined()
  })

  it('recognises TLP by content for ids it does not know', () => {
    const legacy = md('marking-definition--11111111-0000-4000-8000-000000000001', {
      definition_type: 'TLP',
      definition: { TLP: 'TLP:AMBER+STRICT' },
    })
    const tlp2 = md('marking-definition--11111111-0000-4000-8000-000000000002', {
      extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'red' } },
    })
    const unreadable = md('marking-definition--11111111-0000-4000-8000-000000000003', {
      definition_type: 'tlp',
      definition: { tlp: 'ultraviolet' },
    })
    const known = indexMarkings([legacy, tlp2, unreadable])
    expect(resolveMarking(legacy.id, known)?.tlp).toBe('amber+strict')
    expect(resolveMarking(tlp2.id, known)?.tlp).toBe('red')
    expect(resolveMarking(unreadable.id, known)?.tlp).toBe('red') // unreadable TLP: assume the worst
  })

  it('a forged object cannot relax a well-known id', () => {
    const forged = md(TLP1_MARKING_IDS.red, { definition_type: 'tlp', definition: { tlp: 'white' } })
    expect(resolveMarking(forged.id, indexMarkings([forged]))?.tlp).toBe('red')
  })
})

describe('IEP, handling codes and statements', () => {
  const iep = md('marking-definition--22222222-0000-4000-8000-000000000001', {
    name: 'IEP',
    extensions: {
      [IEP_EXTENSION_ID]: {
        extension_type: 'property-extension',
        permitted_actions: 'contact-for-instruction',
        provider_attribution: 'must-not',
        tlp: 'white',
        start_date: '2025-01-01T00:00:00Z',
        bogus: 1,
      },
    },
  })
  const h2statement = md('marking-definition--22222222-0000-4000-8000-000000000002', {
    definition_type: 'statement',
    definition: { statement: 'H2: Not to be disseminated without the permission of the provider.' },
  })
  const copyright = md('marking-definition--22222222-0000-4000-8000-000000000003', {
    definition_type: 'statement',
    definition: { statement: 'Copyright 2025 Meridia National Police' },
  })
  const known = indexMarkings([iep, h2statement, copyright])

  it('reads the IEP extension, its TLP as CLEAR for white', () => {
    expect(resolveMarking(iep.id, known)).toEqual({
      kind: 'iep',
      id: iep.id,
      tlp: 'clear',
      iep: {
        permitted_actions: 'contact-for-instruction',
        provider_attribution: 'must-not',
        tlp: 'clear',
        start_date: '2025-01-01T00:00:00Z',
      },
    })
  })

  it('recognises handling codes in extension and statement form', () => {
    expect(resolveMarking(HANDLING_MARKING_IDS.H0)).toMatchObject({
      kind: 'handling',
      code: 'H0',
      form: 'extension',
    })
    expect(resolveMarking(h2statement.id, known)).toMatchObject({
      kind: 'handling',
      code: 'H2',
      form: 'statement',
    })
    expect(resolveMarking(copyright.id, known)).toMatchObject({ kind: 'statement' })
    expect(HANDLING_MARKINGS.H1.extensions).toEqual({
      [HANDLING_EXTENSION_ID]: {
        extension_type: 'property-extension',
        handling_code: 'H1',
        text: 'Not to be used in court proceedings without the permission of the provider.',
      },
    })
  })

  it('exports well-formed extension-definitions', () => {
    for (const def of [HANDLING_EXTENSION_DEFINITION, GRADING_EXTENSION_DEFINITION]) {
      expect(def).toMatchObject({
        type: 'extension-definition',
        spec_version: '2.1',
        created_by_ref: SLUICE_IDENTITY_ID,
        version: '1.0.0',
        extension_types: ['property-extension'],
      })
      expect(typeof def.schema).toBe('string')
      expect(typeof def.name).toBe('string')
    }
    expect(BUILTIN_MARKINGS.size).toBe(5 + 4 + 4)
  })

  it('derives every Sluice id as UUIDv5 under the Sluice namespace', () => {
    const v5 = (ns: string, name: string): string => {
      const h = createHash('sha1')
        .update(Buffer.concat([Buffer.from(ns.replace(/-/g, ''), 'hex'), Buffer.from(name)]))
        .digest()
      h[6] = (h[6]! & 0x0f) | 0x50
      h[8] = (h[8]! & 0x3f) | 0x80
      const x = h.subarray(0, 16).toString('hex')
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
    }
    expect(SLUICE_NAMESPACE).toBe(v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'urn:sluice:stix'))
    expect(SLUICE_IDENTITY_ID).toBe(`identity--${v5(SLUICE_NAMESPACE, 'identity/sluice')}`)
    expect(HANDLING_EXTENSION_ID).toBe(
      `extension-definition--${v5(SLUICE_NAMESPACE, 'extension-definition/handling-code')}`,
    )
    expect(GRADING_EXTENSION_ID).toBe(
      `extension-definition--${v5(SLUICE_NAMESPACE, 'extension-definition/grading')}`,
    )
    for (const code of ['H0', 'H1', 'H2', 'H3'] as const) {
      expect(HANDLING_MARKING_IDS[code]).toBe(
        `marking-definition--${v5(SLUICE_NAMESPACE, `marking-definition/handling-code/${code}`)}`,
      )
    }
  })

  it('forbids onward sharing for H2, IEP contact-for-instruction, AMBER and above, no TLP, unknown markings', () => {
    const green = [TLP2_MARKING_IDS.green]
    expect(forbidsOnwardSharing(obj({ object_marking_refs: green }).object, known)).toBe(false)
    expect(
      forbidsOnwardSharing(obj({ object_marking_refs: [...green, HANDLING_MARKING_IDS.H0] }).object, known),
    ).toBe(false)
    expect(forbidsOnwardSharing(obj({ object_marking_refs: [...green, h2statement.id] }).object, known)).toBe(
      true,
    )
    expect(
      forbidsOnwardSharing(obj({ object_marking_refs: [...green, HANDLING_MARKING_IDS.H3] }).object, known),
    ).toBe(true)
    expect(forbidsOnwardSharing(obj({ object_marking_refs: [iep.id] }).object, known)).toBe(true)
    expect(forbidsOnwardSharing(obj({ object_marking_refs: [TLP1_MARKING_IDS.amber] }).object, known)).toBe(
      true,
    )
    expect(forbidsOnwardSharing(obj({}).object, known)).toBe(true)
    const reasons = onwardSharingRestrictions(
      obj({ object_marking_refs: [...green, 'marking-definition--x'] }).object,
      known,
    )
    expect(reasons).toEqual([
      { kind: 'marking', id: 'marking-definition--x', message: 'unresolvable marking marking-definition--x' },
    ])
  })
})

describe('readings that fail closed', () => {
  const id = 'marking-definition--22222222-0000-4000-8000-00000000000a'
  const withTlp = (tlp: unknown) =>
    md(id, { extensions: { [IEP_EXTENSION_ID]: { extension_type: 'property-extension', tlp } } })

  it('reads an IEP tlp it cannot read as RED, and one left out as no TLP', () => {
    expect(resolveMarking(id, indexMarkings([withTlp('TLP-RED')]))?.tlp).toBe('red')
    expect(resolveMarking(id, indexMarkings([withTlp('rouge')]))?.tlp).toBe('red')
    expect(resolveMarking(id, indexMarkings([md(id, { extensions: { [IEP_EXTENSION_ID]: {} } })]))?.tlp).toBe(
      undefined,
    )
  })

  it('reads an IEP permitted_actions it cannot read as none, which forbids passing on', () => {
    const shouted = md(id, {
      extensions: { [IEP_EXTENSION_ID]: { extension_type: 'property-extension', permitted_actions: 'NONE' } },
    })
    const known = indexMarkings([shouted])
    expect(resolveMarking(id, known)).toMatchObject({ iep: { permitted_actions: 'none' } })
    expect(
      forbidsOnwardSharing(obj({ object_marking_refs: [TLP2_MARKING_IDS.clear, id] }).object, known),
    ).toBe(true)
  })

  it('keeps one definition per id, and reads copies that disagree as RED whichever came first', () => {
    const white = withTlp('white')
    const red = withTlp('red')
    const reordered = { ...white, created: white.created, id: white.id, type: white.type }
    expect(oneDefinitionPerId([white, reordered])).toEqual([white])
    for (const copies of [
      [white, red],
      [red, white],
    ]) {
      const [one, ...rest] = oneDefinitionPerId(copies)
      expect(rest).toEqual([])
      expect(resolveMarking(id, indexMarkings([one!]))?.tlp).toBe('red')
    }
    // a well-known id keeps its published level whatever copies say
    const forged = md(TLP2_MARKING_IDS.green, { definition_type: 'tlp', definition: { tlp: 'white' } })
    const [kept] = oneDefinitionPerId([forged, { ...forged, name: 'other' }])
    expect(resolveMarking(TLP2_MARKING_IDS.green, indexMarkings([kept!]))?.tlp).toBe('green')
  })
})

describe('object-level helpers', () => {
  it('most restrictive object-level TLP wins across families', () => {
    const o = obj({
      object_marking_refs: [TLP1_MARKING_IDS.white, TLP2_MARKING_IDS['amber+strict'], TLP2_MARKING_IDS.green],
    })
    expect(objectTlp(o.object)).toBe('amber+strict')
    expect(objectTlp(obj().object)).toBeUndefined()
  })

  it('unresolvedMarkings lists unknown object-level and granular refs once each', () => {
    const o = obj({
      object_marking_refs: [TLP2_MARKING_IDS.green, 'marking-definition--unknown-a'],
      granular_markings: [
        { marking_ref: 'marking-definition--unknown-b', selectors: ['description'] },
        { marking_ref: 'marking-definition--unknown-a', selectors: ['name'] },
        { lang: 'fr', selectors: ['name'] },
      ],
    })
    expect(unresolvedMarkings(o.object, BUILTIN_MARKINGS)).toEqual([
      'marking-definition--unknown-a',
      'marking-definition--unknown-b',
    ])
    expect(unresolvedMarkings(o.object, [])).toEqual([
      'marking-definition--unknown-a',
      'marking-definition--unknown-b',
    ])
  })

  it('reads grading and derives 4x4 from Admiralty', () => {
    const graded = (e: Record<string, unknown>) =>
      obj({ extensions: { [GRADING_EXTENSION_ID]: { extension_type: 'property-extension', ...e } } }).object
    expect(
      gradingOf(graded({ admiralty_source_reliability: 'D', admiralty_information_credibility: 5 })),
    ).toEqual({
      admiralty: { reliability: 'D', credibility: 5 },
      evaluation: { source: 'C', information: 4, derived: true },
    })
    expect(gradingOf(graded({ source_evaluation_4x4: 'X', information_evaluation_4x4: '2' }))).toEqual({
      evaluation: { source: 'X', information: 2, derived: false },
    })
    // a grade off its scale is not "ungraded", which filters admit by default
    expect(gradingOf(graded({ admiralty_source_reliability: 'G' }))).toEqual({
      unreadable: 'admiralty_source_reliability must be one of A, B, C, D, E, F',
    })
    expect(gradingOf(graded({ source_evaluation_4x4: 'A', information_evaluation_4x4: 9 }))).toEqual({
      unreadable: 'information_evaluation_4x4 must be one of 1, 2, 3, 4',
    })
    expect(gradingOf(obj().object)).toEqual({})
  })
})
