import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AgreementEntry,
  type DisclosureEntry,
  decodeEntry,
  type Entry,
  encodeEntries,
  encodeEntry,
  entryLeafHash,
  GLOBAL_LOG,
  type JsonValue,
  LedgerError,
  leafHash,
  logOrigin,
  logsForEntry,
  MemoryLedger,
  type OrderEntry,
  parseLogId,
  partnerLogId,
  toHex,
} from '../../src/ledger/index.js'

const disclosure: DisclosureEntry = {
  kind: 'disclosure',
  partnerId: 'northland-deb',
  collectionId: 'maritime-routes',
  objectId: 'location--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  objectModified: '2026-02-01T10:00:00.000Z',
  contentSha256: 'a'.repeat(64),
  disclosedAt: '2026-03-01T09:30:00.000123Z',
  agreementId: 'agr-northland-1',
  requestId: 'req-0001',
}
const order: OrderEntry = {
  kind: 'order',
  orderId: 'ord-1',
  orderKind: 'suspension',
  partnerId: 'northland-deb',
  scope: { collections: ['maritime-routes'], above: 'TLP:CLEAR', all: false },
  issuer: 'officer-12',
  reason: 'ministerial order pending review',
  reference: null,
  effectiveFrom: '2026-03-03T00:00:00.000000Z',
  recordedAt: '2026-03-03T08:15:00.250000Z',
}
const agreement: AgreementEntry = {
  kind: 'agreement',
  agreementId: 'agr-northland-1',
  version: 2,
  partnerId: 'northland-deb',
  change: 'amended',
  changedBy: 'officer-7',
  changedAt: '2026-02-20T12:00:00.000000Z',
  agreementSha256: 'b'.repeat(64),
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const bytes = (s: string) => new TextEncoder().encode(s)

describe('canonical entry encoding', () => {
  it('pins the exact bytes of each kind', () => {
    expect(text(encodeEntry(disclosure))).toBe(
      '{"v":1,"kind":"disclosure","partner_id":"northland-deb","collection_id":"maritime-routes",' +
        '"object_id":"location--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","object_modified":"2026-02-01T10:00:00.000Z",' +
        `"content_sha256":"${'a'.repeat(64)}","disclosed_at":"2026-03-01T09:30:00.000123Z",` +
        '"agreement_id":"agr-northland-1","request_id":"req-0001"}',
    )
    expect(text(encodeEntry(order))).toBe(
      '{"v":1,"kind":"order","order_id":"ord-1","order_kind":"suspension","partner_id":"northland-deb",' +
        '"scope":{"above":"TLP:CLEAR","all":false,"collections":["maritime-routes"]},"issuer":"officer-12",' +
        '"reason":"ministerial order pending review","reference":null,' +
        '"effective_from":"2026-03-03T00:00:00.000000Z","recorded_at":"2026-03-03T08:15:00.250000Z"}',
    )
    expect(text(encodeEntry(agreement))).toBe(
      '{"v":1,"kind":"agreement","agreement_id":"agr-northland-1","version":2,"partner_id":"northland-deb",' +
        `"change":"amended","changed_by":"officer-7","changed_at":"2026-02-20T12:00:00.000000Z","agreement_sha256":"${'b'.repeat(64)}"}`,
    )
  })

  it.each([disclosure, order, agreement].map((e) => [e.kind, e] as const))('%s round-trips', (_k, entry) => {
    const encoded = encodeEntry(entry)
    expect(decodeEntry(encoded)).toEqual(entry)
    expect(encodeEntry(decodeEntry(encoded))).toEqual(encoded)
    expect(toHex(entryLeafHash(entry))).toBe(toHex(leafHash(encoded)))
  })

  it('non-ASCII text is raw UTF-8, and only what JSON requires is escaped', () => {
    const e = { ...order, reason: 'ordre ministériel — « en attente »\n"quoted"' }
    expect(text(encodeEntry(e))).toContain('"reason":"ordre ministériel — « en attente »\\n\\"quoted\\""')
    expect(decodeEntry(encodeEntry(e))).toEqual(e)
  })

  it('random entries round-trip byte for byte, and encode alike alone and in batches (property)', () => {
    const id = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => !/[\u0000-\u001f\u007f]/.test(s) && !/\p{Cs}/u.test(s))
    const txt = fc.string({ maxLength: 30 }).filter((s) => !/\p{Cs}/u.test(s))
    const json: fc.Arbitrary<JsonValue> = fc
      .jsonValue()
      .map((v) => JSON.parse(JSON.stringify(v)) as JsonValue)
    const time = fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .chain((d) =>
        fc.nat({ max: 999 }).map((us) => `${d.toISOString().slice(0, 23)}${String(us).padStart(3, '0')}Z`),
      )
    const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b))
    const entry: fc.Arbitrary<Entry> = fc.oneof(
      fc.record({
        kind: fc.constant('disclosure' as const),
        partnerId: id,
        collectionId: id,
        objectId: id,
        objectModified: fc.option(time, { nil: null }),
        contentSha256: hex64,
        disclosedAt: time,
        agreementId: id,
        requestId: id,
      }),
      fc.record({
        kind: fc.constant('order' as const),
        orderId: id,
        orderKind: fc.constantFrom('suspension' as const, 'resumption' as const),
        partnerId: id,
        scope: json,
        issuer: id,
        reason: txt,
        reference: fc.option(txt, { nil: null }),
        effectiveFrom: time,
        recordedAt: time,
      }),
      fc.record({
        kind: fc.constant('agreement' as const),
        agreementId: id,
        version: fc.integer({ min: 1, max: 1_000_000 }),
        partnerId: id,
        change: fc.constantFrom('created', 'amended', 'suspended', 'terminated'),
        changedBy: id,
        changedAt: time,
        agreementSha256: hex64,
      }),
    )
    // a batch as a request makes it: runs of disclosures sharing partner, time and request
    const stixId = fc
      .tuple(fc.constantFrom('indicator', 'x-vessel-track', 'relationship'), fc.uuid())
      .map(([type, uuid]) => `${type}--${uuid}`)
    const batch = fc
      .tuple(
        fc.array(entry, { maxLength: 4 }),
        fc.record({ partnerId: id, disclosedAt: time, requestId: id }),
        fc.array(
          fc.record({
            collectionId: fc.constantFrom('c1', 'c2', 'c\u0022'),
            objectId: fc.oneof(stixId, id),
            objectModified: fc.option(time, { nil: null }),
            contentSha256: hex64,
            agreementId: fc.constantFrom('agr-1', 'agr-é'),
          }),
          { maxLength: 12 },
        ),
      )
      .chain(([others, shared, versions]) =>
        fc.shuffledSubarray(
          [...others, ...versions.map((v) => ({ kind: 'disclosure' as const, ...shared, ...v }))],
          { minLength: others.length + versions.length },
        ),
      )
    fc.assert(
      fc.property(batch, (entries) => {
        expect(encodeEntries(entries).map(text)).toEqual(entries.map((e) => text(encodeEntry(e))))
      }),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(entry, (e) => {
        const encoded = encodeEntry(e)
        const decoded = decodeEntry(encoded)
        expect(encodeEntry(decoded)).toEqual(encoded)
        if (e.kind !== 'order') expect(decoded).toEqual(e)
      }),
      { numRuns: 300 },
    )
  })
})

describe('decodeEntry rejects malformed input with a clear error', () => {
  const good = text(encodeEntry(agreement))
  const cases: [string, Uint8Array, string, RegExp][] = [
    ['invalid UTF-8', Uint8Array.of(0xff, 0x7b, 0x7d), 'malformed_entry', /UTF-8/],
    ['not JSON', bytes('{"v":1,'), 'malformed_entry', /not JSON/],
    ['an array', bytes('[]'), 'malformed_entry', /object/],
    ['unknown version', bytes(good.replace('"v":1', '"v":2')), 'malformed_entry', /version/],
    ['unknown kind', bytes(good.replace('"agreement"', '"gossip"')), 'malformed_entry', /kind/],
    ['an extra key', bytes(good.replace('}', ',"extra":1}')), 'malformed_entry', /unexpected key "extra"/],
    ['a missing key', bytes(good.replace(/,"version":2/, '')), 'malformed_entry', /missing key "version"/],
    [
      'a bad hash',
      bytes(good.replace('b'.repeat(64), 'B'.repeat(64))),
      'malformed_entry',
      /agreement_sha256/,
    ],
    ['a bad time', bytes(good.replace('12:00:00.000000Z', '12:00:00Z')), 'malformed_entry', /changed_at/],
    ['an impossible date', bytes(good.replace('2026-02-20', '2026-02-30')), 'malformed_entry', /changed_at/],
    ['a zero version', bytes(good.replace('"version":2', '"version":0')), 'malformed_entry', /version/],
    ['whitespace', bytes(good.replace('"version":2', '"version": 2')), 'non_canonical_entry', /canonical/],
    [
      'reordered keys',
      bytes(good.replace('"v":1,"kind":"agreement"', '"kind":"agreement","v":1')),
      'non_canonical_entry',
      /canonical/,
    ],
    [
      'a needless escape',
      bytes(good.replace('officer-7', 'officer\\u002d7')),
      'non_canonical_entry',
      /canonical/,
    ],
    ['a BOM', bytes(`\ufeff${good}`), 'malformed_entry', /JSON/],
    [
      'a float version',
      bytes(good.replace('"version":2', '"version":2.0')),
      'non_canonical_entry',
      /canonical/,
    ],
  ]
  it.each(cases)('%s', (_name, input, code, message) => {
    let caught: unknown
    try {
      decodeEntry(input)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(LedgerError)
    expect((caught as LedgerError).code).toBe(code)
    expect((caught as LedgerError).message).toMatch(message)
  })

  it('names the offending property when encoding', () => {
    expect(() => encodeEntry({ ...disclosure, contentSha256: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'malformed_entry', path: ['contentSha256'] }),
    )
    expect(() => encodeEntry({ ...order, scope: { n: Number.NaN } })).toThrow(/finite/)
    expect(() => encodeEntry({ ...disclosure, partnerId: '' })).toThrow(/partnerId/)
  })

  it('checks every disclosure of a batch as it checks one alone', () => {
    const modified = (objectModified: string) => [{ ...disclosure, objectModified }]
    for (const bad of [
      '2026-02-30T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-06-30T12:00:60Z',
    ])
      expect(() => encodeEntries(modified(bad)), bad).toThrow(
        expect.objectContaining({ code: 'malformed_entry', path: ['objectModified'] }),
      )
    // every timestamp ingest accepts as `modified` (RFC 3339: year 0000, leap seconds, any fraction)
    for (const good of [
      '2024-02-29T23:59:59.999999999Z',
      '2026-12-31T00:00:00Z',
      '2026-01-28T00:00:00.1Z',
      '0000-01-01T00:00:00.000Z',
      '2016-12-31T23:59:60.000Z',
      '9999-12-31T23:59:60.000Z',
      '2026-01-01T00:00:00.1234567891Z',
    ])
      expect(new TextDecoder().decode(encodeEntries(modified(good))[0])).toContain(
        `"object_modified":"${good}"`,
      )
    for (const bad of [
      'A'.repeat(64),
      'g'.repeat(64),
      'a'.repeat(63),
      'a'.repeat(65),
      `${'a'.repeat(63)}\u0660`,
    ])
      expect(() => encodeEntries([{ ...disclosure, contentSha256: bad }]), bad).toThrow(
        expect.objectContaining({ code: 'malformed_entry', path: ['contentSha256'] }),
      )
    for (const bad of ['', 'indicator--a\u0001', 'x\u007f'])
      expect(() => encodeEntries([{ ...disclosure, objectId: bad }]), bad).toThrow(
        expect.objectContaining({ code: 'malformed_entry', path: ['objectId'] }),
      )
    // ids outside the plain form are quoted as JSON quotes them
    for (const id of ['x"y', 'a\\b', 'navire-é', 'x--\u{1f6a2}'])
      expect(new TextDecoder().decode(encodeEntries([{ ...disclosure, objectId: id }])[0])).toContain(
        `"object_id":${JSON.stringify(id)}`,
      )
  })

  it('sorts scope keys, including a "__proto__" key, canonically', () => {
    const scope = JSON.parse('{"b":1,"__proto__":{"x":[1,2]},"a":null}') as JsonValue
    const e = { ...order, scope }
    expect(text(encodeEntry(e))).toContain('"scope":{"__proto__":{"x":[1,2]},"a":null,"b":1}')
    expect(encodeEntry(decodeEntry(encodeEntry(e)))).toEqual(encodeEntry(e))
  })
})

describe('logs', () => {
  it('every entry goes to the global log and to its partner log', () => {
    for (const e of [disclosure, order, agreement])
      expect(logsForEntry(e)).toEqual([GLOBAL_LOG, 'partner:northland-deb'])
    expect(parseLogId('partner:northland-deb')).toEqual({ kind: 'partner', partnerId: 'northland-deb' })
    expect(parseLogId('global')).toEqual({ kind: 'global' })
    expect(() => parseLogId('partner:')).toThrow(LedgerError)
    expect(() => partnerLogId('two words')).toThrow(LedgerError)
    expect(logOrigin('ledger.meridia.example', 'partner:northland-deb')).toBe(
      'ledger.meridia.example/partner/northland-deb',
    )
  })

  it('MemoryLedger appends a disclosure to both logs', () => {
    const ledger = new MemoryLedger()
    ledger.record(agreement)
    const recorded = ledger.record(disclosure)
    expect(recorded.positions).toEqual([
      { logId: 'global', index: 1 },
      { logId: 'partner:northland-deb', index: 1 },
    ])
    expect(ledger.log('global').size).toBe(2)
    expect(ledger.logIds().sort()).toEqual(['global', 'partner:northland-deb'])
  })
})
