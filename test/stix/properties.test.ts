/**
 * Property tests: generated valid objects are accepted by both our validator
 * and the OASIS schemas; targeted mutations are rejected by both. Where the
 * schemas are weaker than the specification, our validator follows the spec
 * and the test says so in its name.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TYPE_SPECS } from '../../src/stix/spec/index.js'
import { validateObject } from '../../src/stix/validate.js'
import { ALL, anyObject, idOf, sco, sdo } from './arbitraries.js'
import { oasisValidate } from './oasis-schemas.js'

type Json = Record<string, unknown>
const RUNS = { numRuns: 300 }

function rules(obj: unknown): string[] {
  return validateObject(obj).map((i) => i.rule)
}

describe('generated valid objects', () => {
  it.each(Object.keys(ALL))('%s: accepted by our validator and by the OASIS schemas', (name) => {
    fc.assert(
      fc.property(ALL[name] as fc.Arbitrary<Json>, (obj) => {
        expect(validateObject(obj)).toEqual([])
        expect(oasisValidate(obj)).toEqual({ valid: true, errors: [] })
      }),
      { numRuns: 100 },
    )
  })
})

/** Required properties the schemas require as well (extension-definition.created_by_ref is spec-only). */
function requiredOf(obj: Json): string[] {
  const spec = TYPE_SPECS.get(String(obj.type))
  const required =
    spec?.required ?? (obj.created !== undefined ? ['spec_version', 'created', 'modified'] : [])
  return ['id', ...required.filter((p) => !(obj.type === 'extension-definition' && p === 'created_by_ref'))]
}

const withCreated = anyObject.filter((o) => typeof o.created === 'string')

describe('targeted mutations: both verdicts reject', () => {
  function bothReject(obj: Json, rule: string): void {
    expect(rules(obj)).toContain(rule)
    expect(oasisValidate(obj).valid).toBe(false)
  }

  it('drop a required property', () => {
    fc.assert(
      fc.property(anyObject, fc.nat(), (obj, n) => {
        const required = requiredOf(obj)
        const prop = required[n % required.length] as string
        const { [prop]: _dropped, ...rest } = obj
        bothReject(rest, 'required-property')
      }),
      RUNS,
    )
  })

  it('break the id', () => {
    fc.assert(
      fc.property(
        anyObject,
        fc.constantFrom('1234', 'not-a-uuid', '6ba7b810-9dad-11d1-80b4'),
        (obj, tail) => {
          bothReject({ ...obj, id: `${String(obj.type)}--${tail}` }, 'identifier-form')
        },
      ),
      RUNS,
    )
  })

  it('id prefix differs from type (predefined types)', () => {
    const predefined = fc.oneof(...Object.values(sdo), ...Object.values(sco))
    fc.assert(
      fc.property(predefined, (obj) => {
        const uuid = String(obj.id).split('--')[1]
        bothReject({ ...obj, id: `x-other--${uuid}` }, 'identifier-type-mismatch')
      }),
      RUNS,
    )
  })

  it('break a timestamp', () => {
    fc.assert(
      fc.property(
        withCreated,
        fc.constantFrom(
          '2020-13-01T00:00:00.000Z',
          '2020-01-01 00:00:00.000Z',
          '2020-01-01T00:00:00.000+01:00',
          'yesterday',
        ),
        (obj, bad) => {
          bothReject({ ...obj, created: bad }, 'timestamp-format')
        },
      ),
      RUNS,
    )
  })

  it('created without millisecond precision (SDO/SRO)', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(sdo)), (obj) => {
        bothReject({ ...obj, created: String(obj.created).replace(/\.\d+Z$/, 'Z') }, 'timestamp-precision')
      }),
      RUNS,
    )
  })

  it('wrong closed-vocabulary value (spec_version, opinion, extension_types)', () => {
    fc.assert(
      fc.property(anyObject, (obj) => bothReject({ ...obj, spec_version: '2.2' }, 'spec-version')),
      RUNS,
    )
    fc.assert(
      fc.property(ALL.opinion as fc.Arbitrary<Json>, (obj) =>
        bothReject({ ...obj, opinion: 'maybe' }, 'closed-vocabulary'),
      ),
      RUNS,
    )
    fc.assert(
      fc.property(ALL['extension-definition'] as fc.Arbitrary<Json>, (obj) =>
        bothReject({ ...obj, extension_types: ['new-thing'] }, 'closed-vocabulary'),
      ),
      RUNS,
    )
  })

  it('bad reference types the schema also constrains', () => {
    fc.assert(
      fc.property(ALL.relationship as fc.Arbitrary<Json>, idOf('marking-definition'), (obj, ref) =>
        bothReject({ ...obj, source_ref: ref }, 'reference-type'),
      ),
      RUNS,
    )
    fc.assert(
      fc.property(ALL.sighting as fc.Arbitrary<Json>, idOf('malware'), (obj, ref) =>
        bothReject({ ...obj, where_sighted_refs: [ref] }, 'reference-type'),
      ),
      RUNS,
    )
    fc.assert(
      fc.property(ALL['malware-analysis'] as fc.Arbitrary<Json>, idOf('file'), (obj, ref) =>
        bothReject({ ...obj, host_vm_ref: ref }, 'reference-type'),
      ),
      RUNS,
    )
  })

  it('bad custom property name (all but marking-definition, which the schema leaves open)', () => {
    const notMarking = anyObject.filter((o) => o.type !== 'marking-definition')
    fc.assert(
      fc.property(
        notMarking,
        fc.constantFrom('Bad-Name', 'x', '_x_private', 'X_upper'),
        customValueArb(),
        (obj, name, value) => {
          bothReject({ ...obj, [name]: value }, 'custom-property-name')
        },
      ),
      RUNS,
    )
  })

  it('empty list and null value', () => {
    fc.assert(
      fc.property(
        withCreated.filter((o) => o.type !== 'marking-definition'),
        (obj) => bothReject({ ...obj, labels: [] }, 'empty-list'),
      ),
      RUNS,
    )
    fc.assert(
      fc.property(
        withCreated.filter((o) => o.type !== 'marking-definition'),
        (obj) => bothReject({ ...obj, x_nothing: null }, 'null-value'),
      ),
      RUNS,
    )
  })

  it('confidence out of range', () => {
    fc.assert(
      fc.property(
        fc.oneof(...Object.values(sdo)),
        fc.oneof(fc.integer({ min: 101 }), fc.integer({ max: -1 })),
        (obj, c) => bothReject({ ...obj, confidence: c }, 'integer-range'),
      ),
      RUNS,
    )
  })

  it('hash value of the wrong length', () => {
    fc.assert(
      fc.property(
        ALL.file as fc.Arbitrary<Json>,
        fc.constantFrom('abc', 'z'.repeat(64), 'a'.repeat(63)),
        (obj, bad) => bothReject({ ...obj, hashes: { 'SHA-256': bad } }, 'hash-value'),
      ),
      RUNS,
    )
  })

  it('mutations of the OASIS example objects are rejected by both', async () => {
    const { readOracleJson } = await import('../oracles.js')
    const bundle = readOracleJson<{ objects: Json[] }>(
      'stix2-json-schemas/examples/threat-reports/poisonivy.json',
    )
    for (const obj of bundle.objects) {
      bothReject({ ...obj, id: 'nope' }, 'identifier-form')
      bothReject({ ...obj, modified: 'not a time' }, 'timestamp-format')
      bothReject({ ...obj, spec_version: '3.0' }, 'spec-version')
    }
  })
})

function customValueArb(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.string(), fc.integer(), fc.boolean())
}

describe('where the spec is stricter than the OASIS schema', () => {
  function specOnly(obj: Json, rule: string): void {
    expect(rules(obj)).toContain(rule)
    expect(oasisValidate(obj).valid).toBe(true)
  }

  it('spec is stricter than the OASIS schema: modified must not precede created', () => {
    fc.assert(
      fc.property(
        withCreated.filter((o) => typeof o.modified === 'string' && o.created !== o.modified),
        (obj) => {
          specOnly({ ...obj, created: obj.modified, modified: obj.created }, 'modified-before-created')
        },
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: created_by_ref must point to an identity', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(sdo)), idOf('indicator'), (obj, ref) =>
        specOnly({ ...obj, created_by_ref: ref }, 'reference-type'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: object_marking_refs must point to marking-definitions', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(sdo)), idOf('identity'), (obj, ref) =>
        specOnly({ ...obj, object_marking_refs: [ref] }, 'reference-type'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: sighting_of_ref must point to an SDO', () => {
    fc.assert(
      fc.property(ALL.sighting as fc.Arbitrary<Json>, idOf('ipv4-addr'), (obj, ref) =>
        specOnly({ ...obj, sighting_of_ref: ref }, 'reference-type'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: malware.sample_refs must be file or artifact identifiers', () => {
    fc.assert(
      fc.property(ALL.malware as fc.Arbitrary<Json>, idOf('url'), (obj, ref) =>
        specOnly({ ...obj, sample_refs: [ref] }, 'reference-type'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: a UUIDv5 SCO id must be the deterministic one', () => {
    const v5 = fc
      .oneof(...Object.values(sco))
      .filter((o) => String(o.id).charAt(String(o.id).indexOf('--') + 16) === '5')
    fc.assert(
      fc.property(v5, (obj) => {
        const [type, uuid] = String(obj.id).split('--') as [string, string]
        const flipped = `${type}--${uuid.slice(0, 35)}${uuid.endsWith('0') ? '1' : '0'}`
        specOnly({ ...obj, id: flipped }, 'sco-id-deterministic')
      }),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: indicator valid_until must be after valid_from', () => {
    fc.assert(
      fc.property(ALL.indicator as fc.Arbitrary<Json>, (obj) =>
        specOnly({ ...obj, valid_until: obj.valid_from }, 'timestamp-order'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: first_seen must not follow last_seen', () => {
    fc.assert(
      fc.property(ALL.campaign as fc.Arbitrary<Json>, (obj) => {
        specOnly(
          { ...obj, first_seen: '2031-01-01T00:00:00Z', last_seen: '2030-01-01T00:00:00Z' },
          'timestamp-order',
        )
      }),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: spec_version "2.0" is not STIX 2.1', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(sdo)), (obj) =>
        specOnly({ ...obj, spec_version: '2.0' }, 'spec-version'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: SCOs carry no created/modified', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(sco)), fc.constantFrom('created', 'modified'), (obj, p) =>
        specOnly({ ...obj, [p]: '2020-01-01T00:00:00.000Z' }, 'forbidden-property'),
      ),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: granular marking selectors must resolve', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(sdo)), idOf('marking-definition'), (obj, ref) => {
        specOnly(
          { ...obj, granular_markings: [{ marking_ref: ref, selectors: ['no_such_property'] }] },
          'selector-unresolved',
        )
      }),
      RUNS,
    )
  })

  it('spec is stricter than the OASIS schema: extension-definition requires created_by_ref', () => {
    fc.assert(
      fc.property(ALL['extension-definition'] as fc.Arbitrary<Json>, (obj) => {
        const { created_by_ref: _dropped, ...rest } = obj
        specOnly(rest, 'required-property')
      }),
      RUNS,
    )
  })
})
