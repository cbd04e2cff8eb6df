import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { repeatedMember } from '../../src/stix/repeated-member.js'

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
})
