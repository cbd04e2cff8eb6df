import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { repeatedMember } from '../../src/stix/i-json.js'

describe('repeatedMember', () => {
  it('finds a name given twice in one object, at any depth, however it is escaped', () => {
    expect(repeatedMember('{"partner":"a","reason":"x","partner":"b"}')).toBe('partner')
    expect(repeatedMember('{"a":[{"k":1},{"k":2,"k":3}]}')).toBe('k')
    expect(repeatedMember('{"p\\u0061rtner":"a", "partner" : "b"}')).toBe('partner')
  })

  it('does not confuse values, array items or sibling objects with repeated names', () => {
    expect(repeatedMember('{"a":"a","b":["a","a"],"c":{"a":1},"d":{"a":2}}')).toBeUndefined()
    expect(repeatedMember('{"a":"x\\":\\"","b":"\\\\"}')).toBeUndefined()
  })

  it('finds nothing in any JSON.stringify output, and finds the name added twice', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, name) => {
        const text = JSON.stringify(value)
        expect(repeatedMember(text)).toBeUndefined()
        const doubled = `{${JSON.stringify(name)}:1,"v":${text},${JSON.stringify(name)}:2}`
        expect(repeatedMember(doubled)).toBe(name)
      }),
      { numRuns: 500 },
    )
  })

  it('agrees with a plain recursive-descent reader on generated JSON with repeats, escapes and spacing', () => {
    const name = fc.constantFrom('a', 'b', 'a\\u0062', 'ab', '\\\\', '\\"', 'x y', '')
    const space = fc.constantFrom('', ' ', '\n\t')
    const { value } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('1', 'true', 'null', '"s"', '"\\\\"', '"\\"a\\":"', '"{["'),
        tie('object'),
        tie('array'),
      ),
      object: fc
        .array(fc.tuple(name, tie('value'), space), { maxLength: 4 })
        .map((members) => `{${members.map(([n, v, w]) => `"${n}"${w}:${w}${v}`).join(',')}}`),
      array: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    }))
    let withRepeat = 0
    fc.assert(
      fc.property(value, (text) => {
        const expected = referenceRepeat(text)
        if (expected !== undefined) withRepeat++
        expect(repeatedMember(text)).toBe(expected)
      }),
      { numRuns: 3000 },
    )
    expect(withRepeat).toBeGreaterThan(100)
  })
})

/** The first repeated name in reading order, found by parsing the text value by value. */
function referenceRepeat(text: string): string | undefined {
  let at = 0
  let found: string | undefined
  const skipSpace = () => {
    while (/\s/.test(text[at] ?? '')) at++
  }
  const string = (): string => {
    const start = at
    at++
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1
    at++
    return JSON.parse(text.slice(start, at)) as string
  }
  const value = (): void => {
    skipSpace()
    const c = text[at]
    if (c === '"') string()
    else if (c === '{' || c === '[') {
      at++
      const seen = new Set<string>()
      for (;;) {
        skipSpace()
        if (text[at] === '}' || text[at] === ']') break
        if (c === '{') {
          const n = string()
          if (seen.has(n)) found ??= n
          seen.add(n)
          skipSpace()
          at++ // the colon
        }
        value()
        if (found !== undefined) return
        skipSpace()
        if (text[at] === ',') at++
      }
      at++
    } else while (at < text.length && !/[,\]}\s]/.test(text[at]!)) at++
  }
  value()
  return found
}
