import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/stix/canonical-json.js'
import {
  deterministicScoId,
  ID_CONTRIBUTING_PROPERTIES,
  scoIdCandidates,
  uuidV5,
} from '../../src/stix/sco-id.js'

describe('deterministicScoId', () => {
  // Vector computed independently with Python's uuid.uuid5(STIX namespace, '{"value":"198.51.100.3"}').
  it('matches an independently computed UUIDv5', () => {
    expect(deterministicScoId({ type: 'ipv4-addr', value: '198.51.100.3' })).toBe(
      'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4',
    )
  })

  it('uuidV5 follows RFC 4122 §4.3 (DNS namespace vector for "python.org")', () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex')
    expect(uuidV5('python.org', dns)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d')
  })

  it('ignores properties that do not contribute, and key order', () => {
    const a = deterministicScoId({
      type: 'domain-name',
      value: 'example.org',
      resolves_to_refs: ['ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4'],
    })
    expect(a).toBe(deterministicScoId({ value: 'example.org', type: 'domain-name' }))
  })

  it('uses one hash, MD5 first, for file', () => {
    const md5 = 'a'.repeat(32)
    const withBoth = deterministicScoId({ type: 'file', hashes: { 'SHA-256': 'b'.repeat(64), MD5: md5 } })
    expect(withBoth).toBe(deterministicScoId({ type: 'file', hashes: { MD5: md5 } }))
    expect(scoIdCandidates({ type: 'file', hashes: { 'SHA-256': 'b'.repeat(64), MD5: md5 } })).toHaveLength(2)
  })

  it('is undefined for process, custom SCOs, and SCOs without contributing properties', () => {
    expect(deterministicScoId({ type: 'process', pid: 4 })).toBeUndefined()
    expect(deterministicScoId({ type: 'x-sluice-gadget', value: 'a' })).toBeUndefined()
    expect(deterministicScoId({ type: 'user-account', display_name: 'n' })).toBeUndefined()
    expect(deterministicScoId('nope')).toBeUndefined()
  })

  it('is a version 5, RFC 4122 variant UUID that changes with the contributing value', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const ida = deterministicScoId({ type: 'mutex', name: a }) as string
        expect(ida).toMatch(/^mutex--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(ida === deterministicScoId({ type: 'mutex', name: b })).toBe(a === b)
      }),
    )
  })

  it('equals SHA-1 over namespace + canonical JSON, recomputed here by hand', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 65535 }), (name, port) => {
        const obj = { type: 'network-traffic', dst_port: port, protocols: ['tcp', name] }
        const digest = createHash('sha1')
          .update(Buffer.from('00abedb4aa42466c9c01fed23315a9b7', 'hex'))
          .update(canonicalJson({ dst_port: port, protocols: ['tcp', name] }))
          .digest('hex')
        const id = deterministicScoId(obj) as string
        const hex = id.split('--')[1]?.replaceAll('-', '') ?? ''
        expect(hex.slice(0, 12)).toBe(digest.slice(0, 12))
        expect(hex.slice(13, 16)).toBe(digest.slice(13, 16))
        expect(hex.slice(18, 32)).toBe(digest.slice(18, 32))
      }),
    )
  })

  it('covers all 18 predefined SCO types', () => {
    expect(Object.keys(ID_CONTRIBUTING_PROPERTIES)).toHaveLength(18)
  })
})

describe('canonicalJson', () => {
  it('sorts keys and strips whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}',
    )
  })
  it('round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)))
      }),
    )
  })
})
