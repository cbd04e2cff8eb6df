import { describe, expect, it } from 'vitest'
import { compilePattern, matchPattern, PatternMatchError } from '../../../src/stix/pattern/index.js'

const ip = (n: number, value: string) => ({
  type: 'ipv4-addr',
  id: `ipv4-addr--0000000${n}-0000-4000-8000-000000000000`,
  value,
})
const observed = (n: number, refs: string[], first: string, last = first, count = 1) => ({
  type: 'observed-data',
  id: `observed-data--1000000${n}-0000-4000-8000-000000000000`,
  first_observed: first,
  last_observed: last,
  number_observed: count,
  object_refs: refs,
})

const a = ip(1, '198.51.100.7')
const b = ip(2, '203.0.113.9')
const dom = {
  type: 'domain-name',
  id: 'domain-name--1',
  value: 'www.example.org',
  resolves_to_refs: [a.id, b.id],
}
const traffic = {
  type: 'network-traffic',
  id: 'network-traffic--1',
  dst_ref: a.id,
  dst_port: 443,
  protocols: ['tcp'],
}
const objects = [a, b, dom, traffic]
const od1 = observed(1, [a.id, dom.id], '2024-01-01T00:00:00Z')
const od2 = observed(2, [traffic.id, a.id], '2024-01-01T00:00:10Z', '2024-01-01T00:00:20Z')
const od3 = observed(3, [b.id], '2024-01-01T00:05:00Z', '2024-01-01T00:05:00Z', 3)

const m = (pattern: string, obs = [od1, od2, od3]) => matchPattern(pattern, obs, { objects }).matched

describe('matchPattern: STIX 2.1 observed-data with a lookup', () => {
  it('matches SCOs named in object_refs', () => {
    expect(m("[ipv4-addr:value = '198.51.100.7']")).toBe(true)
    expect(m("[ipv4-addr:value = '192.0.2.1']")).toBe(false)
  })

  it('follows *_ref and *_refs[*]', () => {
    expect(m("[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24']")).toBe(true)
    expect(m("[domain-name:resolves_to_refs[*].value = '203.0.113.9']")).toBe(true)
    expect(m("[domain-name:resolves_to_refs[1].value = '198.51.100.7']")).toBe(false)
    expect(m("[network-traffic:dst_ref = 'ipv4-addr--00000001-0000-4000-8000-000000000000']")).toBe(true)
    expect(m("[network-traffic:protocols[*] = 'tcp' AND network-traffic:dst_port = 443]")).toBe(true)
  })

  it('requires AND inside brackets to hold for one object', () => {
    expect(m("[ipv4-addr:value = '198.51.100.7' AND ipv4-addr:value = '203.0.113.9']")).toBe(false)
    expect(m("[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '203.0.113.9']")).toBe(true)
  })

  it('binds observation expressions to distinct observations, counting number_observed', () => {
    expect(m("[ipv4-addr:value = '198.51.100.7'] AND [ipv4-addr:value = '198.51.100.7']")).toBe(true) // od1 + od2
    expect(m("[domain-name:value = 'www.example.org'] REPEATS 2 TIMES")).toBe(false) // only od1
    expect(m("[ipv4-addr:value = '203.0.113.9'] REPEATS 3 TIMES")).toBe(true) // od3 observed 3 times
    expect(m("[ipv4-addr:value = '203.0.113.9'] REPEATS 4 TIMES")).toBe(false)
  })

  it('applies FOLLOWEDBY, WITHIN and START/STOP to first_observed / last_observed', () => {
    expect(m("[domain-name:value = 'www.example.org'] FOLLOWEDBY [network-traffic:dst_port = 443]")).toBe(
      true,
    )
    expect(m("[network-traffic:dst_port = 443] FOLLOWEDBY [domain-name:value = 'www.example.org']")).toBe(
      false,
    )
    expect(
      m("([domain-name:value = 'www.example.org'] AND [ipv4-addr:value = '203.0.113.9']) WITHIN 300 SECONDS"),
    ).toBe(true)
    expect(
      m("([domain-name:value = 'www.example.org'] AND [ipv4-addr:value = '203.0.113.9']) WITHIN 299 SECONDS"),
    ).toBe(false)
    expect(
      m("[network-traffic:dst_port = 443] START t'2024-01-01T00:00:10Z' STOP t'2024-01-01T00:00:21Z'"),
    ).toBe(true)
    expect(
      m("[network-traffic:dst_port = 443] START t'2024-01-01T00:00:11Z' STOP t'2024-01-01T00:00:21Z'"),
    ).toBe(false)
    expect(
      m("[network-traffic:dst_port = 443] START t'2024-01-01T00:00:10Z' STOP t'2024-01-01T00:00:20Z'"),
    ).toBe(false)
  })

  it('reports the observations of the binding', () => {
    const r = matchPattern(
      "[network-traffic:dst_port = 443] FOLLOWEDBY [ipv4-addr:value = '203.0.113.9']",
      [od3, od1, od2],
      { objects },
    )
    expect(r.matched).toBe(true)
    expect(r.bindings?.map((x) => [x.input, x.observedData.id])).toEqual([
      [2, od2.id],
      [0, od3.id],
    ])
  })

  it('accepts the lookup as a map or a function, and bundles as inputs', () => {
    const map = new Map(objects.map((o) => [o.id, o]))
    expect(matchPattern("[ipv4-addr:value = '198.51.100.7']", [od1], { objects: map }).matched).toBe(true)
    expect(
      matchPattern("[ipv4-addr:value = '198.51.100.7']", [od1], { objects: (id) => map.get(id) }).matched,
    ).toBe(true)
    const bundle = { type: 'bundle', id: 'bundle--1', objects: [od1, ...objects] }
    expect(matchPattern("[domain-name:resolves_to_refs[*].value = '203.0.113.9']", [bundle]).matched).toBe(
      true,
    )
  })
})

describe('matchPattern: comparisons', () => {
  const sco = {
    type: 'x-thing',
    id: 'x-thing--1',
    text: 'Line one\nline two',
    v6: '2001:db8::42',
    net6: '2001:db8::/32',
    mapped: '::ffff:192.0.2.1',
    payload_bin: 'aGVsbG8=',
    magic_hex: 'ffd8',
    big: '😀',
  }
  const od = observed(9, [sco.id], '2024-01-01T00:00:00Z')
  const t = (pattern: string) => matchPattern(pattern, [od], { objects: [sco] }).matched

  it('handles IPv6 and IPv4-mapped CIDRs', () => {
    expect(t("[x-thing:v6 ISSUBSET '2001:db8::/32']")).toBe(true)
    expect(t("[x-thing:v6 ISSUBSET '2001:db9::/32']")).toBe(false)
    expect(t("[x-thing:net6 ISSUPERSET '2001:0db8:0000:0000:0000:0000:0000:0001/128']")).toBe(true)
    expect(t("[x-thing:mapped ISSUBSET '::ffff:192.0.2.0/120']")).toBe(true)
    expect(t("[x-thing:v6 ISSUBSET '192.0.2.0/24']")).toBe(false)
  })

  it('translates PCRE-isms to JavaScript regexes', () => {
    expect(t("[x-thing:text MATCHES '\\\\Aline']")).toBe(false)
    expect(t("[x-thing:text MATCHES '(?i)\\\\Aline']")).toBe(true)
    expect(t("[x-thing:text MATCHES '(?m)^line two$']")).toBe(true)
    expect(t("[x-thing:text MATCHES 'one$']")).toBe(false)
    expect(t("[x-thing:text MATCHES '(?P<w>l)ine (?P=w)*one']")).toBe(false)
    expect(t("[x-thing:text MATCHES '\\\\x{4C}ine']")).toBe(true)
    expect(t("[x-thing:text MATCHES '\\\\Qone\\\\E\\\\s']")).toBe(true)
    expect(t("[x-thing:big MATCHES '^.$']")).toBe(true)
  })

  it('treats LIKE wildcards as SQL does, across newlines', () => {
    expect(t("[x-thing:text LIKE 'Line%two']")).toBe(true)
    expect(t("[x-thing:text LIKE 'Line_one%']")).toBe(true)
    expect(t("[x-thing:text LIKE 'line%']")).toBe(false)
  })

  it('compares *_bin and *_hex properties as bytes', () => {
    expect(t("[x-thing:payload_bin = h'68656c6c6f']")).toBe(true)
    expect(t("[x-thing:payload_bin = 'hello']")).toBe(true)
    expect(t("[x-thing:magic_hex = b'/9g=']")).toBe(true)
    expect(t("[x-thing:magic_hex > h'ff']")).toBe(true)
  })

  it('orders strings by code point', () => {
    expect(t("[x-thing:big > '\uffff']")).toBe(true)
  })

  it('throws PatternMatchError for patterns it cannot evaluate', () => {
    expect(() => t('[x-thing:text = 1] WITHIN 0 SECONDS')).toThrow(PatternMatchError)
    expect(() => t("[x-thing:text IN (1, 'a')]")).toThrow(PatternMatchError)
    expect(() => t("[x-thing:text = t'2020-01-01T00:00:00Z']")).toThrow(/not a valid timestamp/)
    expect(() => t('[x-thing:text = ]')).toThrow(PatternMatchError)
    try {
      t('[x-thing:text = ]')
    } catch (e) {
      expect((e as PatternMatchError).patternError).toMatchObject({ kind: 'syntax', column: 17 })
    }
  })

  it('does not apply the strict object-path check', () => {
    expect(t("[x-thing:nope = 'x']")).toBe(false)
  })

  it('compiles once for repeated use', () => {
    const c = compilePattern("[x-thing:v6 ISSUBSET '2001:db8::/32']")
    expect(c.match([od], { objects: [sco] }).matched).toBe(true)
    expect(compilePattern("[x-thing:v6 ISSUBSET '2001:db8::/32']")).toBe(c)
  })
})

describe('matchPattern: a search that would not end', () => {
  // 30 observations of one address, and a chain of more expressions than there are observations: no
  // binding exists, and proving it means trying every ordered choice
  const many = Array.from({ length: 30 }, (_, i) =>
    observed(i % 10, [a.id], `2024-01-01T00:${String(i).padStart(2, '0')}:00Z`),
  ).map((o, i) => ({ ...o, id: `observed-data--2${String(i).padStart(7, '0')}-0000-4000-8000-000000000000` }))
  const chain = (n: number) =>
    Array.from({ length: n }, () => "[ipv4-addr:value LIKE '%']").join(' FOLLOWEDBY ')

  it('gives up with an error naming the way out, within its step budget', () => {
    const started = Date.now()
    expect(() => matchPattern(chain(40), many, { objects })).toThrow(
      new PatternMatchError(
        'matching needs too many combinations of these observations; use fewer observation expressions, or narrow them with WITHIN or START/STOP',
      ),
    )
    // a failure here is the search running unbounded, not a slow machine: the budget is ~1 s of work
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('still finds what a smaller budget allows, and the budget can be set', () => {
    expect(matchPattern(chain(3), many, { objects }).matched).toBe(true)
    expect(() => matchPattern(chain(3), many, { objects, maxSteps: 10 })).toThrow(PatternMatchError)
  })
})
