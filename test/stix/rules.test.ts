/** One targeted case per rule: the exact path and rule id are asserted. */
import { describe, expect, it } from 'vitest'
import { IEP_EXTENSION_ID, TLP_2_EXTENSION_ID, TLP_2_MARKINGS } from '../../src/stix/markings.js'
import { validateBundle, validateObject } from '../../src/stix/validate.js'

type Json = Record<string, unknown>

const IDENTITY = 'identity--5b2c8e4e-3f4c-4c6e-9d5e-1f2a3b4c5d6e'
const MARKING = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'

const indicator: Json = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created_by_ref: IDENTITY,
  created: '2024-03-01T10:00:00.000Z',
  modified: '2024-03-02T10:00:00.000Z',
  name: 'Sluice demo indicator',
  pattern: "[ipv4-addr:value = '203.0.113.7']",
  pattern_type: 'stix',
  valid_from: '2024-03-01T10:00:00Z',
  kill_chain_phases: [{ kill_chain_name: 'lockheed-martin-cyber-kill-chain', phase_name: 'delivery' }],
  external_references: [{ source_name: 'sluice-demo', url: 'https://example.org/ind/1' }],
  object_marking_refs: [MARKING],
}

const ipv4: Json = {
  type: 'ipv4-addr',
  spec_version: '2.1',
  id: 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4',
  value: '198.51.100.3',
}

function only(obj: unknown, path: string, rule: string): void {
  expect(validateObject(obj)).toEqual([{ path, rule, message: expect.any(String) }])
}

describe('baseline', () => {
  it('the fixtures are valid', () => {
    expect(validateObject(indicator)).toEqual([])
    expect(validateObject(ipv4)).toEqual([])
  })
})

describe('structure', () => {
  it('not-an-object', () => {
    only([], '$', 'not-an-object')
    expect(validateObject('x', { path: '$.objects[3]' })).toEqual([
      { path: '$.objects[3]', rule: 'not-an-object', message: expect.any(String) },
    ])
  })
  it('required-property', () => {
    const { pattern: _p, ...rest } = indicator
    only(rest, '$.pattern', 'required-property')
  })
  it('required-property for type', () => only({ id: indicator.id }, '$.type', 'required-property'))
  it('forbidden-property: SCOs have no created', () =>
    only({ ...ipv4, created: '2024-01-01T00:00:00.000Z' }, '$.created', 'forbidden-property'))
  it('forbidden-property: marking definitions are not versioned', () => {
    only(
      {
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--0b1c9a4e-2f35-4d0b-9a8e-3f2a1c6d7e8f',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-02T00:00:00.000Z',
        definition_type: 'statement',
        definition: { statement: 'Demo only' },
      },
      '$.modified',
      'forbidden-property',
    )
  })
  it('reserved-property', () => only({ ...indicator, severity: 'high' }, '$.severity', 'reserved-property'))
  it('property-type', () => only({ ...indicator, name: 42 }, '$.name', 'property-type'))
  it('null-value', () => only({ ...indicator, description: null }, '$.description', 'null-value'))
  it('empty-list', () => only({ ...indicator, labels: [] }, '$.labels', 'empty-list'))
  it('type-name', () => only({ ...indicator, type: 'Bad_Type' }, '$.type', 'type-name'))
  it('type-name: double hyphen', () => only({ ...indicator, type: 'x--y' }, '$.type', 'type-name'))
})

describe('identifiers and references', () => {
  it('identifier-form: not a UUID', () =>
    only({ ...indicator, id: 'indicator--1234' }, '$.id', 'identifier-form'))
  it('identifier-form: UUID variant must be RFC 4122', () =>
    only({ ...indicator, id: 'indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f' }, '$.id', 'identifier-form'))
  it('identifier-type-mismatch', () =>
    only(
      { ...indicator, id: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' },
      '$.id',
      'identifier-type-mismatch',
    ))
  it('reference-type: created_by_ref', () =>
    only({ ...indicator, created_by_ref: indicator.id }, '$.created_by_ref', 'reference-type'))
  it('reference-type: object_marking_refs item', () =>
    only(
      { ...indicator, object_marking_refs: [MARKING, IDENTITY] },
      '$.object_marking_refs[1]',
      'reference-type',
    ))
  it('identifier-form inside a list', () =>
    only({ ...indicator, object_marking_refs: ['TLP:GREEN'] }, '$.object_marking_refs[0]', 'identifier-form'))
  it('reference-type: relationship target cannot be an SRO', () => {
    only(
      {
        type: 'relationship',
        spec_version: '2.1',
        id: 'relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        relationship_type: 'indicates',
        source_ref: indicator.id,
        target_ref: 'sighting--ee20065d-2555-424f-ad9e-0f8428623c75',
      },
      '$.target_ref',
      'reference-type',
    )
  })
  it('reference-type: sighting where_sighted_refs', () => {
    only(
      {
        type: 'sighting',
        spec_version: '2.1',
        id: 'sighting--ee20065d-2555-424f-ad9e-0f8428623c75',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        sighting_of_ref: indicator.id,
        where_sighted_refs: [IDENTITY, 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b'],
      },
      '$.where_sighted_refs[1]',
      'reference-type',
    )
  })
  it('reference-type: SCO refs (network-traffic.src_ref)', () => {
    only(
      {
        type: 'network-traffic',
        id: 'network-traffic--a2f1d5e4-9a3b-4c1e-8f2d-1b3c5d7e9f10',
        src_ref: 'file--a2f1d5e4-9a3b-4c1e-8f2d-1b3c5d7e9f10',
        protocols: ['tcp'],
      },
      '$.src_ref',
      'reference-type',
    )
  })
})

describe('timestamps', () => {
  it('timestamp-format: no Z', () =>
    only({ ...indicator, valid_from: '2024-03-01T10:00:00+00:00' }, '$.valid_from', 'timestamp-format'))
  it('timestamp-format: impossible date', () =>
    only({ ...indicator, valid_from: '2023-02-29T10:00:00Z' }, '$.valid_from', 'timestamp-format'))
  it('timestamp-precision: created needs milliseconds', () =>
    only({ ...indicator, created: '2024-03-01T10:00:00Z' }, '$.created', 'timestamp-precision'))
  it('microseconds are fine on created', () =>
    expect(validateObject({ ...indicator, created: '2024-03-01T10:00:00.123456Z' })).toEqual([]))
  it('modified-before-created', () =>
    only({ ...indicator, modified: '2024-02-28T10:00:00.000Z' }, '$.modified', 'modified-before-created'))
  it('modified-before-created compares fractions correctly', () => {
    expect(
      validateObject({
        ...indicator,
        created: '2024-03-01T10:00:00.5Z'.replace('.5Z', '.500Z'),
        modified: '2024-03-01T10:00:00.5001Z',
      }),
    ).toEqual([])
    only(
      { ...indicator, created: '2024-03-01T10:00:00.5001Z', modified: '2024-03-01T10:00:00.500Z' },
      '$.modified',
      'modified-before-created',
    )
  })
  it('timestamp-order: valid_until must be after valid_from', () =>
    only({ ...indicator, valid_until: '2024-03-01T10:00:00Z' }, '$.valid_until', 'timestamp-order'))
  it('timestamp-order: last_seen before first_seen', () => {
    only(
      {
        ...indicator,
        type: 'campaign',
        id: 'campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        pattern: undefined,
        pattern_type: undefined,
        valid_from: undefined,
        kill_chain_phases: undefined,
        first_seen: '2024-01-02T00:00:00Z',
        last_seen: '2024-01-01T00:00:00Z',
      },
      '$.last_seen',
      'timestamp-order',
    )
  })
})

describe('versions and vocabularies', () => {
  it('spec-version', () => only({ ...indicator, spec_version: '2.0' }, '$.spec_version', 'spec-version'))
  it('spec_version is optional on SCOs', () => {
    const { spec_version: _s, ...rest } = ipv4
    expect(validateObject(rest)).toEqual([])
  })
  it('open vocabulary accepts any string', () =>
    expect(
      validateObject({ ...indicator, pattern_type: 'x-sluice-rules', indicator_types: ['x-local'] }),
    ).toEqual([]))
  it('open vocabulary still checks the type', () =>
    only({ ...indicator, indicator_types: [7] }, '$.indicator_types[0]', 'property-type'))
  it('closed-vocabulary', () => {
    only(
      {
        type: 'artifact',
        id: 'artifact--6f437177-6e48-4cf8-9d9e-872a2bddd641',
        payload_bin: 'aGVsbG8=',
        encryption_algorithm: 'rot13',
        decryption_key: 'k',
      },
      '$.encryption_algorithm',
      'closed-vocabulary',
    )
  })
})

describe('custom content', () => {
  it('custom-property-name', () =>
    only({ ...indicator, 'x-acme-thing': 1 }, '$["x-acme-thing"]', 'custom-property-name'))
  it('custom-property-name: must start with a letter', () =>
    only({ ...indicator, _x_private: 1 }, '$._x_private', 'custom-property-name'))
  it('binary-format: custom properties ending in _bin hold base64', () =>
    only({ ...indicator, x_blob_bin: 42 }, '$.x_blob_bin', 'binary-format'))
  it('custom property without x_ prefix is allowed', () =>
    expect(validateObject({ ...indicator, acme_score: 3 })).toEqual([]))
  it('custom object with SDO common properties is accepted', () => {
    expect(
      validateObject({
        type: 'x-sluice-widget',
        spec_version: '2.1',
        id: 'x-sluice-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        x_size: 3,
      }),
    ).toEqual([])
  })
  it('custom object must have created/modified', () => {
    only(
      {
        type: 'x-sluice-widget',
        spec_version: '2.1',
        id: 'x-sluice-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2024-01-01T00:00:00.000Z',
      },
      '$.modified',
      'required-property',
    )
  })
  it('extension-key', () =>
    only(
      { ...indicator, extensions: { 'not an ext': { a: 1 } } },
      '$.extensions["not an ext"]',
      'extension-key',
    ))
  it('extension-key: a predefined extension only on its own type, custom "-ext" ones only on SCOs (§11.3)', () => {
    only({ ...ipv4, extensions: { 'ntfs-ext': { sid: '1' } } }, '$.extensions["ntfs-ext"]', 'extension-key')
    only(
      { ...indicator, extensions: { 'x-acme-ext': { score: 5 } } },
      '$.extensions["x-acme-ext"]',
      'extension-key',
    )
    expect(validateObject({ ...ipv4, extensions: { 'x-acme-ext': { score: 5 } } })).toEqual([])
    // a custom type may be an observable of the deprecated custom style
    expect(
      validateObject({
        type: 'x-acme-beacon',
        id: 'x-acme-beacon--44298a74-ba52-4f0c-87a3-1824e67d7fad',
        spec_version: '2.1',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        extensions: { 'x-acme-ext': { score: 5 } },
      }),
    ).toEqual([])
  })
  it('extension_type is a closed vocabulary', () => {
    only(
      {
        ...indicator,
        extensions: {
          'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e': { extension_type: 'new-thing' },
        },
      },
      '$.extensions["extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"].extension_type',
      'closed-vocabulary',
    )
  })
  it('predefined extension is walked by its table', () => {
    only(
      {
        type: 'file',
        id: 'file--0a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b',
        name: 'a.exe',
        extensions: { 'windows-pebinary-ext': { pe_type: 'exe', number_of_sections: -1 } },
      },
      '$.extensions["windows-pebinary-ext"].number_of_sections',
      'integer-range',
    )
  })
  it('extension-properties', () => {
    only(
      {
        type: 'extension-definition',
        spec_version: '2.1',
        id: 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e',
        created_by_ref: IDENTITY,
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        name: 'demo',
        schema: 'https://example.org/s',
        version: '1.0',
        extension_types: ['property-extension'],
        extension_properties: ['x_a'],
      },
      '$.extension_properties',
      'extension-properties',
    )
  })
})

describe('common sub-objects', () => {
  it('granular-marking-target: both marking_ref and lang', () => {
    only(
      { ...indicator, granular_markings: [{ marking_ref: MARKING, lang: 'en', selectors: ['name'] }] },
      '$.granular_markings[0]',
      'granular-marking-target',
    )
  })
  it('a lang-only granular marking is fine', () =>
    expect(
      validateObject({ ...indicator, granular_markings: [{ lang: 'en', selectors: ['name'] }] }),
    ).toEqual([]))
  it('selector-syntax', () =>
    only(
      { ...indicator, granular_markings: [{ marking_ref: MARKING, selectors: ['[0].name'] }] },
      '$.granular_markings[0].selectors[0]',
      'selector-syntax',
    ))
  it('selector-unresolved', () =>
    only(
      {
        ...indicator,
        granular_markings: [{ marking_ref: MARKING, selectors: ['kill_chain_phases.[1].phase_name'] }],
      },
      '$.granular_markings[0].selectors[0]',
      'selector-unresolved',
    ))
  it('selectors resolve into lists and sub-objects', () => {
    expect(
      validateObject({
        ...indicator,
        granular_markings: [
          {
            marking_ref: MARKING,
            selectors: ['kill_chain_phases.[0].phase_name', 'external_references.[0].url', 'name'],
          },
        ],
      }),
    ).toEqual([])
  })
  it('at-least-one-property: external reference', () =>
    only(
      { ...indicator, external_references: [{ source_name: 'x-only' }] },
      '$.external_references[0]',
      'at-least-one-property',
    ))
  it('external-id-format: cve', () =>
    only(
      { ...indicator, external_references: [{ source_name: 'cve', external_id: 'CVE-24-1' }] },
      '$.external_references[0].external_id',
      'external-id-format',
    ))
  it('kill chain phase needs phase_name', () =>
    only(
      { ...indicator, kill_chain_phases: [{ kill_chain_name: 'k' }] },
      '$.kill_chain_phases[0].phase_name',
      'required-property',
    ))
  it('integer-range: confidence', () =>
    only({ ...indicator, confidence: 101 }, '$.confidence', 'integer-range'))
  it('number-range: latitude', () => {
    only(
      {
        type: 'location',
        spec_version: '2.1',
        id: 'location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        latitude: 91,
        longitude: 0,
      },
      '$.latitude',
      'number-range',
    )
  })
  it('dependent-property: latitude without longitude', () => {
    only(
      {
        type: 'location',
        spec_version: '2.1',
        id: 'location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64',
        created: '2024-01-01T00:00:00.000Z',
        modified: '2024-01-01T00:00:00.000Z',
        latitude: 10,
        country: 'ZZ',
      },
      '$.longitude',
      'dependent-property',
    )
  })
  it('lang-format', () => only({ ...indicator, lang: 'en us' }, '$.lang', 'lang-format'))
  it('url-format', () =>
    only(
      { ...indicator, external_references: [{ source_name: 's', url: 'not a url' }] },
      '$.external_references[0].url',
      'url-format',
    ))
})

describe('hashes and binary', () => {
  const file = { type: 'file', id: 'file--0a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b', name: 'a.exe' }
  it('hash-value: SHA-256 length', () =>
    only({ ...file, hashes: { 'SHA-256': 'abcd' } }, '$.hashes["SHA-256"]', 'hash-value'))
  it('hash-value: MD5 must be hex', () =>
    only({ ...file, hashes: { MD5: 'z'.repeat(32) } }, '$.hashes.MD5', 'hash-value'))
  it('hashes-key: custom key too short', () =>
    only({ ...file, hashes: { ab: 'x' } }, '$.hashes.ab', 'hashes-key'))
  it('custom hash names are allowed', () =>
    expect(validateObject({ ...file, hashes: { 'x-sluice-hash': 'anything' } })).toEqual([]))
  it('hashes-key: external references only take hash-algorithm-ov', () => {
    only(
      {
        ...indicator,
        external_references: [{ source_name: 's', url: 'https://example.org', hashes: { 'x-custom': 'a' } }],
      },
      '$.external_references[0].hashes["x-custom"]',
      'hashes-key',
    )
  })
  it('empty-dictionary', () => only({ ...file, hashes: {} }, '$.hashes', 'empty-dictionary'))
  it('binary-format', () =>
    only(
      { type: 'artifact', id: 'artifact--6f437177-6e48-4cf8-9d9e-872a2bddd641', payload_bin: 'not base64!' },
      '$.payload_bin',
      'binary-format',
    ))
  it('hex-format', () => only({ ...file, magic_number_hex: 'xyz' }, '$.magic_number_hex', 'hex-format'))
  it('value-format: ipv4', () =>
    only(
      { ...ipv4, id: 'ipv4-addr--4a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b', value: '198.51.100.300' },
      '$.value',
      'value-format',
    ))
  it('value-format: mac is lowercase', () =>
    only(
      { type: 'mac-addr', id: 'mac-addr--4a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b', value: 'AA:BB:CC:DD:EE:FF' },
      '$.value',
      'value-format',
    ))
  it('dictionary-key', () => {
    only(
      {
        type: 'process',
        id: 'process--4a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b',
        environment_variables: { 'has space': 'x' },
      },
      '$.environment_variables["has space"]',
      'dictionary-key',
    )
  })
})

describe('SCO rules', () => {
  it('sco-id-deterministic: a v5 id that does not match', () =>
    only({ ...ipv4, value: '198.51.100.4' }, '$.id', 'sco-id-deterministic'))
  it('a v4 SCO id is allowed', () =>
    expect(validateObject({ ...ipv4, id: 'ipv4-addr--4a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b' })).toEqual([]))
  it('mutually-exclusive-properties: artifact payload_bin and url', () => {
    only(
      {
        type: 'artifact',
        id: 'artifact--6f437177-6e48-4cf8-9d9e-872a2bddd641',
        payload_bin: 'aGVsbG8=',
        url: 'https://example.org/a',
        hashes: { MD5: 'a'.repeat(32) },
      },
      '$.url',
      'mutually-exclusive-properties',
    )
  })
  it('at-least-one-property: file needs hashes or name', () =>
    only(
      { type: 'file', id: 'file--0a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b', size: 3 },
      '$',
      'at-least-one-property',
    ))
  const observed = {
    type: 'observed-data',
    spec_version: '2.1',
    id: 'observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf',
    created: '2024-01-01T00:00:00.000Z',
    modified: '2024-01-01T00:00:00.000Z',
    first_observed: '2024-01-01T00:00:00Z',
    last_observed: '2024-01-01T00:00:00Z',
    number_observed: 1,
  }
  it('observable-type: observed-data.objects holds SCOs only', () => {
    only({ ...observed, objects: { '0': indicator } }, '$.objects["0"].type', 'observable-type')
  })
  it('reference-type: observed-data.object_refs holds at least one SCO (§4.14.1)', () => {
    const relationship = 'relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad'
    only({ ...observed, object_refs: [relationship] }, '$.object_refs', 'reference-type')
    expect(validateObject({ ...observed, object_refs: [relationship, ipv4.id] })).toEqual([])
    // a custom type may be an SCO
    expect(
      validateObject({ ...observed, object_refs: ['x-acme-beacon--44298a74-ba52-4f0c-87a3-1824e67d7fad'] }),
    ).toEqual([])
  })
  it('at-least-one-property: windows-pebinary-ext needs more than pe_type (§6.7.6)', () =>
    only(
      {
        type: 'file',
        id: 'file--0a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b',
        name: 'relay.exe',
        extensions: { 'windows-pebinary-ext': { pe_type: 'exe' } },
      },
      '$.extensions["windows-pebinary-ext"]',
      'at-least-one-property',
    ))
  it('forbidden-property: defanged is for SCOs only (§3.2)', () => {
    only({ ...indicator, defanged: true }, '$.defanged', 'forbidden-property')
    expect(validateObject({ ...ipv4, defanged: true })).toEqual([])
  })
})

describe('markings', () => {
  const tlpClear = {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP_2_MARKINGS.clear.id,
    created: '2022-10-01T00:00:00.000Z',
    name: 'TLP:CLEAR',
    extensions: { [TLP_2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'clear' } },
  }
  it('TLP 2.0 markings are accepted', () => expect(validateObject(tlpClear)).toEqual([]))
  it('reference-type: a marking definition is not marked by itself (§3.2)', () => {
    const own = 'marking-definition--7d1a4f62-2c9e-4b8a-9f3e-5a6b7c8d9e0f'
    const statement = {
      type: 'marking-definition',
      spec_version: '2.1',
      id: own,
      created: '2024-01-01T00:00:00.000Z',
      definition_type: 'statement',
      definition: { statement: 'Demo only' },
    }
    only({ ...statement, object_marking_refs: [own] }, '$.object_marking_refs', 'reference-type')
    expect(validateObject({ ...statement, object_marking_refs: [TLP_2_MARKINGS.green.id] })).toEqual([])
  })
  it('tlp-marking: a TLP 2.0 level under the wrong id', () =>
    only({ ...tlpClear, id: TLP_2_MARKINGS.red.id, name: undefined }, '$.id', 'tlp-marking'))
  it('closed-vocabulary: tlp_2_0 level', () => {
    only(
      {
        ...tlpClear,
        extensions: { [TLP_2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'white' } },
      },
      `$.extensions["${TLP_2_EXTENSION_ID}"].tlp_2_0`,
      'closed-vocabulary',
    )
  })
  it('closed-vocabulary and iep-marking: the IEP 2.0 extension holds only its own values', () => {
    const iep = (body: Record<string, unknown>) => ({
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--da05d443-ad8d-46fc-abf5-31d3d00290f1',
      created: '2024-01-10T14:52:41.853Z',
      name: 'IEP data marking',
      extensions: { [IEP_EXTENSION_ID]: body },
    })
    const at = `$.extensions["${IEP_EXTENSION_ID}"]`
    const valid = { extension_type: 'property-extension', tlp: 'amber', permitted_actions: 'none' }
    expect(validateObject(iep(valid))).toEqual([])
    // read as absent, these would relax what the provider asked for
    only(iep({ ...valid, tlp: 'TLP-RED' }), `${at}.tlp`, 'closed-vocabulary')
    only(iep({ ...valid, tlp: 'clear' }), `${at}.tlp`, 'closed-vocabulary')
    only(iep({ ...valid, permitted_actions: 'NONE' }), `${at}.permitted_actions`, 'closed-vocabulary')
    only(
      iep({ ...valid, extension_type: 'toplevel-property-extension' }),
      `${at}.extension_type`,
      'iep-marking',
    )
  })
  it('TLP 1.0 white is accepted, and a forged one is not', () => {
    const white = {
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
      created: '2017-01-20T00:00:00.000Z',
      definition_type: 'tlp',
      name: 'TLP:WHITE',
      definition: { tlp: 'white' },
    }
    expect(validateObject(white)).toEqual([])
    only({ ...white, definition: { tlp: 'red' } }, '$', 'tlp-marking')
  })
  it('statement marking needs definition.statement', () => {
    only(
      {
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--0b1c9a4e-2f35-4d0b-9a8e-3f2a1c6d7e8f',
        created: '2024-01-01T00:00:00.000Z',
        definition_type: 'statement',
        definition: { text: 'x' },
      },
      '$.definition.statement',
      'required-property',
    )
  })
})

describe('indicator patterns and bundles', () => {
  it('type-name: a bundle is not a STIX object, so validateObject refuses it (validateBundle takes it)', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
      objects: [indicator],
    }
    only(bundle, '$.type', 'type-name')
    expect(validateBundle(bundle)).toEqual([])
  })
  it('pattern-syntax comes from the injected checker, only for pattern_type stix', () => {
    const patternChecker = (p: string) => (p.startsWith('[') ? undefined : 'expected [')
    expect(validateObject({ ...indicator, pattern: 'oops' }, { patternChecker })).toEqual([
      { path: '$.pattern', rule: 'pattern-syntax', message: 'expected [' },
    ])
    expect(
      validateObject({ ...indicator, pattern: 'oops', pattern_type: 'yara' }, { patternChecker }),
    ).toEqual([])
    expect(validateObject({ ...indicator, pattern: 'oops' })).toEqual([])
  })
  it('bundle members are reported at $.objects[i]', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
      objects: [indicator, { ...ipv4, id: 'ipv4-addr--4a2b2c6e-2f5d-4b9c-8a4e-6c1d2e3f4a5b', value: 'nope' }],
    }
    expect(validateBundle(bundle)).toEqual([
      { path: '$.objects[1].value', rule: 'value-format', message: expect.any(String) },
    ])
  })
  it('bundle id and type', () => {
    expect(
      validateBundle({ type: 'bundle', id: 'indicator--5d0092c5-5f74-4287-9642-33f4c354e56d' }).map((i) => [
        i.path,
        i.rule,
      ]),
    ).toEqual([['$.id', 'identifier-type-mismatch']])
    expect(
      validateBundle({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [] }).map(
        (i) => [i.path, i.rule],
      ),
    ).toEqual([['$.objects', 'empty-list']])
  })
  it('options.path prefixes every path', () => {
    expect(validateObject({ ...indicator, confidence: -1 }, { path: '$.objects[3]' })).toEqual([
      { path: '$.objects[3].confidence', rule: 'integer-range', message: expect.any(String) },
    ])
  })
})
