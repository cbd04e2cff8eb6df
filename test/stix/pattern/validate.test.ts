import { describe, expect, it } from 'vitest'
import { STIX21_SCO_TYPES, validatePattern } from '../../../src/stix/pattern/index.js'
import { readOracleJson } from '../../oracles.js'

const oracleValid = readOracleJson<{ valid: string[] }>('stix-patterns.json').valid

describe('validatePattern: semantic checks', () => {
  it.each([
    // [pattern, column, message fragment]
    ["[file:hashes.'SHA-256' = 'f00']", 26, 'SHA-256'],
    ["[file:hashes.MD5 IN ('79054025255fb1a26e4bc422aef54eb4', 'nothex')]", 58, 'MD5'],
    ["[artifact:hashes.'SHA-1' != 'zz']", 29, 'SHA-1'],
    ['[file:name = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS', 34, 'WITHIN'],
    ['[file:name = 1] REPEATS 2 TIMES WITHIN 5 SECONDS REPEATS 3 TIMES', 50, 'REPEATS'],
    ['[file:name = 1] WITHIN 0 SECONDS', 17, 'positive'],
    ['[file:name = 1] REPEATS 0 TIMES', 17, 'positive'],
    ["[file:name = 1] START t'2020-01-02T00:00:00Z' STOP t'2020-01-01T00:00:00Z'", 17, 'START'],
    ["[file:size IN (1, 'two')]", 19, 'mixes'],
    ["[file:name MATCHES '(?<!x)++']", 20, 'regular expression'],
    ["[ipv4-addr:value ISSUBSET '300.1.1.1/8']", 27, 'CIDR'],
  ])('%s → column %i', (text, column, fragment) => {
    const e = validatePattern(text)
    expect(e).toMatchObject({ kind: 'semantic', column, offset: column - 1 })
    expect(e!.message).toContain(fragment)
  })

  it('allows repeated qualifiers on a parenthesised expression, as the OASIS validator does', () => {
    expect(validatePattern('([file:name = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS')).toBeUndefined()
    expect(validatePattern('([file:name = 1] REPEATS 2 TIMES) REPEATS 2 TIMES')).toBeUndefined()
  })

  it('accepts hashes of unknown algorithms and well-formed known ones', () => {
    expect(validatePattern("[file:hashes.'x_custom' = 'anything']")).toBeUndefined()
    expect(validatePattern("[file:hashes.'SHA-256' LIKE 'aec0%']")).toBeUndefined()
  })
})

describe('validatePattern: object paths', () => {
  it.each([
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:extensions.'windows-pebinary-ext'.optional_header.hashes.'SHA-256' LIKE 'ab%']",
    "[file:extensions.'ntfs-ext'.alternate_data_streams[0].name = 'x']",
    "[file:extensions.'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e'.anything[3].at.all = 1]",
    "[file:extensions.'x-acme-ext'.field = 1]",
    "[file:parent_directory_ref.path = 'C:\\\\Windows']",
    "[email-message:from_ref.value MATCHES '@example\\\\.org$']",
    "[email-message:body_multipart[*].body_raw_ref.name = 'a.exe']",
    "[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24' AND network-traffic:dst_ref.type = 'ipv4-addr']",
    "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'x']",
    "[process:extensions.'windows-service-ext'.service_dll_refs[*].name = 'x.dll']",
    "[user-account:extensions.'unix-account-ext'.groups[*] = 'wheel']",
    "[windows-registry-key:values[*].data = 'x']",
    "[domain-name:resolves_to_refs[*].value = '203.0.113.7']",
    "[x509-certificate:x509_v3_extensions.key_usage = 'x']",
    "[file:x_acme_score > 5 AND file:id = 'file--1']",
    "[x-usb-device:usbdrive.serial_number = '1']",
    '[acme-widget:anything.goes = 1]',
    "[file:hashes[*] = 'x']",
    'EXISTS [file:name]'.replace('EXISTS [file:name]', '[EXISTS file:name]'),
  ])('accepts %s', (text) => {
    expect(validatePattern(text)).toBeUndefined()
  })

  it.each([
    // [pattern, column, message fragment]
    ["[file:file_name = 'x']", 7, "'file_name' is not a property of 'file'"],
    [
      "[file:extensions.'windows-pebinary-ext'.sections[*].entropi > 7.0]",
      53,
      "'entropi' is not a property of 'sections'",
    ],
    ["[file:extensions.'socket-ext'.is_listening = true]", 18, "'socket-ext' is not a predefined extension"],
    ["[network-traffic:dst_ref.path = 'x']", 26, 'referenced ipv4-addr'],
    ["[email-message:body_multipart.body = 'x']", 31, 'follows a list'],
    ["[file:name.first = 'x']", 12, 'plain value'],
    ['[file:size[0] = 1]', 11, 'not a list'],
    ['[x_whatever:a = 1]', 2, 'custom type name'],
    ['[Foo:a = 1]', 2, 'custom type name'],
    ["[process:name = 'x' AND file:name = 'y']", 10, "'name' is not a property of 'process'"],
  ])('rejects %s at column %i', (text, column, fragment) => {
    const e = validatePattern(text)
    expect(e).toMatchObject({ kind: 'semantic', column })
    expect(e!.message).toContain(fragment)
  })

  it('can be switched off, or extended with more SCO types', () => {
    expect(validatePattern("[file:file_name = 'x']", { checkObjectPaths: false })).toBeUndefined()
    const knownScoTypes = { 'acme-widget': { properties: { color: 'value' as const } } }
    expect(validatePattern("[acme-widget:color = 'red']", { knownScoTypes })).toBeUndefined()
    expect(validatePattern("[acme-widget:colour = 'red']", { knownScoTypes })?.column).toBe(14)
  })

  it('knows all 18 STIX 2.1 SCO types', () => {
    expect(Object.keys(STIX21_SCO_TYPES)).toHaveLength(18)
  })

  it('covers every property of the OASIS SCO schemas', () => {
    for (const [type, def] of Object.entries(STIX21_SCO_TYPES)) {
      const schema = readOracleJson<{
        allOf?: { properties?: Record<string, unknown> }[]
        properties?: object
      }>(`stix2-json-schemas/schemas/observables/${type}.json`)
      const names = new Set<string>(Object.keys(schema.properties ?? {}))
      for (const part of schema.allOf ?? []) for (const n of Object.keys(part.properties ?? {})) names.add(n)
      for (const name of names) {
        if (
          [
            'type',
            'id',
            'spec_version',
            'extensions',
            'defanged',
            'object_marking_refs',
            'granular_markings',
          ].includes(name)
        )
          continue
        expect(def.properties, `${type}.${name}`).toHaveProperty([name])
      }
    }
  })

  // Strict object paths disagree with the OASIS validator (which does not check paths) on these
  // oracle-valid patterns: 2.0-era property names, and type names STIX 2.1 does not allow.
  const STRICT_REJECTS: Record<string, string> = {
    "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']":
      "'created'",
    "([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']":
      "'name' is not a property of 'process'",
    "[file:file_name = 'my_file_name']": "'file_name'",
    "[file:extended_properties.'ntfs-ext'.sid = '234']": "'extended_properties'",
    "[user-account:value = 'Peter'] AND [user-account:value != 'Paul'] AND [user-account:value = 'Mary'] WITHIN 5 SECONDS":
      "'value' is not a property of 'user-account'",
    "[file:file_system_properties.file_name LIKE 'name%']": "'file_system_properties'",
    "[file:file_name IN ('test.txt', 'test2.exe', 'README')]": "'file_name'",
    "[x_whatever:detected == t'2018-03-22T12:11:14.1Z']": "'x_whatever'",
  }

  it.each(oracleValid)('strict verdict on oracle-valid %s', (text) => {
    const e = validatePattern(text)
    const expected = STRICT_REJECTS[text] ?? (text.startsWith('[x:created') ? "'x'" : undefined)
    if (expected === undefined) expect(e).toBeUndefined()
    else expect(e?.message).toContain(expected)
  })
})
