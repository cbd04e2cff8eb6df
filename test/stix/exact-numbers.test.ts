/**
 * A number a double cannot hold is changed by JSON.parse without a word: 1e999999 is Infinity (stored and served
 * as null), a 30-digit integer is rounded. The scan that finds repeated members finds these too, so ingest can
 * refuse them (I-JSON, RFC 7493 §2.2).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ReadItem, readObjects } from '../../src/stix/bundle-reader.js'
import { describeInexactNumber, iJsonProblems, repeatedMember } from '../../src/stix/i-json.js'

const inexact = (text: string) => iJsonProblems(text).inexactNumber

describe('iJsonProblems: numbers', () => {
  it('finds a number that overflows to Infinity, with the member that holds it', () => {
    expect(inexact('{"x_big":1e999999}')).toEqual({ text: '1e999999', member: 'x_big' })
    expect(inexact('{"a":{"b":[1, -1E400]}}')).toEqual({ text: '-1E400', member: 'b' })
    expect(inexact('{"a":2e308}')).toEqual({ text: '2e308', member: 'a' })
    expect(inexact(`{"a":1${'0'.repeat(400)}.5}`)?.text).toBe(`1${'0'.repeat(400)}.5`)
    expect(inexact('[1e999999]')).toEqual({ text: '1e999999' })
  })

  it('finds an integer beyond ±(2^53 − 1), which a double would round', () => {
    for (const n of [
      '123456789012345678901234567890',
      '9007199254740992',
      '-9007199254740992',
      '9007199254740993',
      '18014398509481984',
    ])
      expect(inexact(`{"n":${n}}`), n).toEqual({ text: n, member: 'n' })
  })

  it('accepts every number JSON.parse reads as written, and fractions, which round by design', () => {
    for (const n of [
      '0',
      '-0',
      '9007199254740991',
      '-9007199254740991',
      '1000000000000000',
      '0.1000000000000000055',
      '12345678901234567890.5',
      '1e20',
      '1.7976931348623157e308',
      '-5e-324',
    ])
      expect(inexact(`{"n":${n}}`), n).toBeUndefined()
  })

  it('names the member of the enclosing array past nested objects, and keeps the first number found', () => {
    expect(inexact('{"a":[{"b":1},1e999],"c":1e400}')).toEqual({ text: '1e999', member: 'a' })
    expect(inexact('{"a":{"b":1},"c":[[1,2],9007199254740992]}')).toEqual({
      text: '9007199254740992',
      member: 'c',
    })
  })

  it('reads numbers only where they are values: not in strings, nor in member names', () => {
    expect(iJsonProblems('{"a":"1e999999","9007199254740993":1,"b":["-1e400\\"1e999"]}')).toEqual({})
  })

  it('still finds a repeated member after an inexact number, and repeatedMember sees only repeats', () => {
    const text = '{"a":1e999999,"b":1,"b":2}'
    expect(iJsonProblems(text)).toEqual({
      repeatedMember: 'b',
      inexactNumber: { text: '1e999999', member: 'a' },
    })
    expect(repeatedMember(text)).toBe('b')
    expect(repeatedMember('{"a":1e999999}')).toBeUndefined()
  })

  it('agrees with a BigInt reference on generated JSON', () => {
    const number = fc.oneof(
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
      fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
      fc.constantFrom('1e999999', '-1E400', '2e+308', '1.5e-400', '0.1000000000000000055', '1e308', '0'),
    )
    const name = fc.constantFrom('a', '1', '-1e999', 'x y', '\\"', '')
    const { value } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        number,
        fc.constantFrom('true', 'null', '"9007199254740993"', '"\\"1e999"'),
        tie('object'),
        tie('array'),
      ),
      object: fc
        .uniqueArray(fc.tuple(name, tie('value')), { maxLength: 4, selector: ([n]) => n })
        .map((members) => `{${members.map(([n, v]) => `"${n}": ${v}`).join(',')}}`),
      array: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    }))
    let found = 0
    fc.assert(
      fc.property(value, (text) => {
        const expected = referenceInexact(text)
        if (expected !== undefined) found++
        expect(inexact(text)?.text).toBe(expected)
      }),
      { numRuns: 3000 },
    )
    expect(found).toBeGreaterThan(300)
  })
})

describe('describeInexactNumber', () => {
  it('says which number, where, and why; a long number is cut short', () => {
    expect(describeInexactNumber({ text: '1e999999', member: 'x_big' })).toBe(
      'the number 1e999999 in "x_big" cannot be held exactly (I-JSON, RFC 7493 §2.2)',
    )
    expect(describeInexactNumber({ text: '9'.repeat(100) })).toBe(
      `the number ${'9'.repeat(32)}… (100 characters) cannot be held exactly (I-JSON, RFC 7493 §2.2)`,
    )
  })
})

describe('readObjects: inexact numbers', () => {
  async function read(text: string): Promise<ReadItem[]> {
    const out: ReadItem[] = []
    for await (const item of readObjects(
      (async function* () {
        yield text
      })(),
    ))
      out.push(item)
    return out
  }

  it('marks each object with one, in every form, the first line of JSON Lines included', async () => {
    const big = '{"id":"x--1","x_big":1e999999}'
    const deep = '{"id":"x--2","n":{"k":[123456789012345678901234567890]}}'
    const clean = '{"id":"x--3","n":9007199254740991,"f":0.1000000000000000055}'
    for (const text of [
      `[${big},${deep},${clean}]`,
      `{"type":"bundle","objects":[${big},${deep},${clean}]}`,
      `${big}\n${deep}\n${clean}`,
      `${deep}\n${big}\n${clean}`,
    ]) {
      const items = await read(text)
      const byId = Object.fromEntries(items.map((i) => [(i.value as { id: string }).id, i.inexactNumber]))
      expect(byId, text).toEqual({
        'x--1': { text: '1e999999', member: 'x_big' },
        'x--2': { text: '123456789012345678901234567890', member: 'k' },
        'x--3': undefined,
      })
    }
  })

  it('ignores a number in a bundle envelope, which is not stored', async () => {
    const items = await read('{"type":"bundle","x_n":1e999999,"objects":[{"id":"x--1"}]}')
    expect(items.map((i) => i.inexactNumber)).toEqual([undefined])
  })
})

/** The first number in `text` whose integer form is beyond ±(2^53 − 1) or whose value is not finite. */
function referenceInexact(text: string): string | undefined {
  const outsideStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  for (const [n] of outsideStrings.matchAll(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (/^-?\d+$/.test(n)) {
      const big = BigInt(n)
      if (big > 2n ** 53n - 1n || big < -(2n ** 53n - 1n)) return n
    } else if (!Number.isFinite(Number(n))) return n
  }
  return undefined
}
