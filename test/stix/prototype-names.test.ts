/**
 * Names that are properties of every JavaScript object (`constructor`, `toString`, `__proto__`…) are plain
 * names in STIX: looked up in the validator's tables they must find nothing, not Object.prototype's members.
 */
import { describe, expect, it } from 'vitest'
import { isRequiredProperty } from '../../src/policy/decide.js'
import { validatePattern } from '../../src/stix/pattern/index.js'
import { scoIdCandidates } from '../../src/stix/sco-id.js'
import { validateObject } from '../../src/stix/validate.js'

const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf']

const indicator = (extra: Record<string, unknown>) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created: '2024-03-01T10:00:00.000Z',
  modified: '2024-03-02T10:00:00.000Z',
  pattern: "[ipv4-addr:value = '203.0.113.7']",
  pattern_type: 'stix',
  valid_from: '2024-03-01T10:00:00Z',
  ...extra,
})

/** Parsed from text, as ingest sees it: `__proto__` is then an own property, not the prototype. */
const parsed = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>

describe('names shared with Object.prototype', () => {
  it.each(PROTOTYPE_NAMES)('a property named %s is judged as a custom property', (name) => {
    const object = JSON.parse(JSON.stringify(indicator({})).replace(/}$/, `,${JSON.stringify(name)}:"x"}`))
    const issues = validateObject(object)
    // constructor is a well-formed custom name; the others break the naming rule (capitals, underscores)
    if (name === 'constructor') expect(issues).toEqual([])
    else expect(issues.map((i) => [i.path, i.rule])).toEqual([[`$.${name}`, expect.any(String)]])
  })

  it.each(PROTOTYPE_NAMES)('an extension named %s is judged as an unknown extension', (name) => {
    const issues = validateObject(parsed(indicator({ extensions: { [name]: { a: 1 } } })))
    expect(issues.length).toBeGreaterThan(0)
    expect(issues.every((i) => i.path.startsWith('$.extensions'))).toBe(true)
  })

  it('an object whose type is constructor is a custom object, with no deterministic id rule', () => {
    const object = parsed({
      ...indicator({}),
      type: 'constructor',
      id: 'constructor--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    })
    expect(() => validateObject(object)).not.toThrow()
    expect(scoIdCandidates(object)).toEqual([])
    expect(isRequiredProperty('constructor', 'name')).toBe(false)
  })

  it.each(["[ipv4-addr:constructor = 'x']", "[file:hashes.constructor = 'x']", "[file:toString = 'x']"])(
    'the pattern %s is checked without throwing',
    (pattern) => {
      expect(() => validatePattern(pattern)).not.toThrow()
    },
  )
})
