import { describe, expect, it } from 'vitest'
import { matchPattern, PatternMatchError, validatePattern } from '../../../src/stix/pattern/index.js'
import { readOracleJson } from '../../oracles.js'

interface PatternOracle {
  valid: string[]
  invalid: string[]
  invalid_details: { pattern: string; expected_error_prefix: string; kind: 'syntax' | 'semantic' }[]
}

interface MatcherOracle {
  cases: {
    pattern: string
    stix_version: '2.0' | '2.1'
    observations: string
    expected: boolean | 'error'
    test: string
  }[]
  observation_sets: Record<string, Record<string, unknown>[]>
}

const patterns = readOracleJson<PatternOracle>('stix-patterns.json')
const matcher = readOracleJson<MatcherOracle>('stix-matcher-cases.json')

// The OASIS validator checks syntax, hash formats and duplicate qualifiers but not object paths,
// so its verdicts are reproduced with our object-path check switched off. strict.test.ts covers
// what the path check says about these same patterns.
const ORACLE_OPTIONS = { checkObjectPaths: false }

describe('stix-patterns.json: valid', () => {
  it.each(patterns.valid)('%s', (pattern) => {
    expect(validatePattern(pattern, ORACLE_OPTIONS)).toBeUndefined()
  })
})

describe('stix-patterns.json: invalid', () => {
  it.each(patterns.invalid_details)('$pattern', ({ pattern, expected_error_prefix, kind }) => {
    const error = validatePattern(pattern, ORACLE_OPTIONS)
    expect(error).toBeDefined()
    expect(error!.kind).toBe(kind)
    // ANTLR reports "line 1:N" with a 0-based N; ours is the same offset, column = N + 1.
    const at = /line 1:(\d+)\. /.exec(expected_error_prefix)
    if (at !== null) {
      expect(error!.offset).toBe(Number(at[1]))
      expect(error!.column).toBe(Number(at[1]) + 1)
    }
    expect(error!.column).toBeGreaterThanOrEqual(1)
    expect(error!.column).toBeLessThanOrEqual(pattern.length + 1)
  })
})

describe('stix-matcher-cases.json', () => {
  const cases = matcher.cases.map((c, i) => ({
    ...c,
    name: `#${i} v${c.stix_version} ${c.observations} ${c.pattern}`,
  }))
  it.each(cases)('$name → $expected', ({ pattern, stix_version, observations, expected }) => {
    const data = matcher.observation_sets[observations]!
    const run = () => matchPattern(pattern, data, { stixVersion: stix_version })
    if (expected === 'error') {
      expect(run).toThrow(PatternMatchError)
    } else {
      expect(run().matched).toBe(expected)
    }
  })
})
