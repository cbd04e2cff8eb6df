import { describe, expect, it } from 'vitest'
import { parsePattern } from '../../../src/stix/pattern/index.js'
import { stripPositions } from './strip-positions.js'

function ast(text: string) {
  const r = parsePattern(text)
  if (!r.ok) throw new Error(`${r.error.message} at ${r.error.column}`)
  return stripPositions(r.ast)
}

function errorAt(text: string) {
  const r = parsePattern(text)
  if (r.ok) throw new Error(`expected a syntax error in ${text}`)
  return r.error
}

describe('parsePattern: structure', () => {
  it('gives FOLLOWEDBY the lowest precedence, then OR, then AND', () => {
    const tree = ast('[a:x = 1] OR [a:x = 2] AND [a:x = 3] FOLLOWEDBY [a:x = 4]')
    expect(tree.type).toBe('observation-operator')
    if (tree.type !== 'observation-operator') return
    expect(tree.operator).toBe('FOLLOWEDBY')
    expect(tree.left).toMatchObject({ operator: 'OR', right: { operator: 'AND' } })
  })

  it('is left-associative', () => {
    const tree = ast('[a:x = 1] AND [a:x = 2] AND [a:x = 3]')
    expect(tree).toMatchObject({ operator: 'AND', left: { operator: 'AND' }, right: { type: 'observation' } })
  })

  it('binds qualifiers to the nearest observation expression', () => {
    const tree = ast('[a:x = 1] AND [a:x = 2] WITHIN 5 SECONDS REPEATS 2 TIMES')
    expect(tree).toMatchObject({
      operator: 'AND',
      right: {
        type: 'qualified',
        qualifier: { type: 'repeats', times: 2 },
        expression: { type: 'qualified' },
      },
    })
  })

  it('reads comparison AND before OR, and keeps parentheses as groups', () => {
    const tree = ast('[(a:x = 1 OR a:y = 2) AND a:z = 3 OR NOT EXISTS a:w]')
    expect(tree).toMatchObject({
      type: 'observation',
      comparison: {
        operator: 'OR',
        left: { operator: 'AND', left: { type: 'comparison-group' } },
        right: { type: 'exists', negated: true },
      },
    })
  })

  it('reads every literal type', () => {
    const tree = ast(
      "[a:b IN (1, -2, +3, 1.5, -.5, 'it''s', true, false, h'00ff', b'AAEC', t'2020-01-01T00:00:00.5Z')]".replace(
        "''",
        "\\'",
      ),
    )
    if (tree.type !== 'observation' || tree.comparison.type !== 'comparison') throw new Error('shape')
    const set = tree.comparison.value
    expect(set.type === 'set' && set.values.map((v) => [v.type, v.value])).toEqual([
      ['int', 1],
      ['int', -2],
      ['int', 3],
      ['float', 1.5],
      ['float', -0.5],
      ['string', "it's"],
      ['bool', true],
      ['bool', false],
      ['hex', '00ff'],
      ['binary', 'AAEC'],
      ['timestamp', '2020-01-01T00:00:00.5Z'],
    ])
  })

  it("unescapes \\\\ and \\' in strings", () => {
    expect(ast("[a:b = 'C:\\\\x\\'y']")).toMatchObject({ comparison: { value: { value: "C:\\x'y" } } })
  })

  it('reads object paths with quoted keys, indexes and wildcards', () => {
    const tree = ast(
      "[file:extensions.'windows-pebinary-ext'.sections[*].hashes.'SHA-256' = 'x' AND a:'b-c'[-1] = 1]",
    )
    expect(tree).toMatchObject({
      comparison: {
        left: {
          path: {
            objectType: 'file',
            steps: [
              { type: 'key', name: 'extensions' },
              { type: 'key', name: 'windows-pebinary-ext' },
              { type: 'key', name: 'sections' },
              { type: 'index', index: '*' },
              { type: 'key', name: 'hashes' },
              { type: 'key', name: 'SHA-256' },
            ],
          },
        },
        right: { path: { objectType: 'a', steps: [{ name: 'b-c' }, { index: -1 }] } },
      },
    })
  })

  it('accepts == and <> as = and !=, and skips comments', () => {
    expect(ast('[a:b == 1 /* c */ AND a:c <> 2] // end')).toEqual(ast('[a:b = 1 AND a:c != 2]'))
  })

  it('accepts START/STOP strings only in 2.0 mode', () => {
    const text = "[a:b = 1] START '2020-01-01T00:00:00Z' STOP '2020-01-02T00:00:00Z'"
    expect(parsePattern(text).ok).toBe(false)
    expect(parsePattern(text, { stixVersion: '2.0' }).ok).toBe(true)
  })

  it('records source positions', () => {
    const text = "[file:name = 'x'] WITHIN 5 SECONDS"
    const r = parsePattern(text)
    expect(r.ok && r.ast).toMatchObject({
      pos: { start: 0, end: text.length },
      expression: { pos: { start: 0, end: 17 } },
      qualifier: { pos: { start: 18, end: text.length } },
    })
  })
})

describe('parsePattern: error columns', () => {
  it.each([
    // [pattern, 1-based column, message fragment]
    ['', 1, 'expecting'],
    ['file:name = 1', 1, 'square brackets'],
    ['[file:name = 1', 15, "']'"],
    ['[file:name 1]', 12, 'comparison operator'],
    ['[file:name = 1] AND', 20, '<EOF>'],
    ['[file:name = 1] WITHIN 0.5 MINUTES', 28, "'SECONDS'"],
    ['[file:name = 1] REPEATS 1.5 TIMES', 25, 'positive integer'],
    ['[file:name = 1] REPEATS -2 TIMES', 25, 'positive integer'],
    ['[file:name > true]', 14, 'orderable'],
    ['[file:name LIKE 5]', 17, 'string literal'],
    ["[file:name IN ('a' 'b')]", 20, "','"],
    ["[file:name = 'a\\q']", 16, 'escape'],
    ["[file:name = 'abc]", 14, 'unterminated'],
    ["[file:name = h'abc']", 14, 'hex'],
    ["[file:name = b'abc']", 14, 'base64'],
    ["[file:name = t'2020-01-01T00:00:00']", 14, 'timestamp'],
    ['[file:na-me = 1]', 7, 'property name'],
    ['[file:name[x] = 1]', 12, 'index'],
    ['[file:name = 1] § ', 17, 'unexpected character'],
    ['[(file:name = 1]', 16, "')'"],
    ['[NOT file:name = 1]', 6, "'EXISTS'"],
    ["[a:b = 1] START t'2020-01-01T00:00:00Z'", 40, "'STOP'"],
    ['[a:b = 1] FOLLOWEDBY', 21, "'['"],
  ])('%j → column %i', (text, column, fragment) => {
    const e = errorAt(text)
    expect(e.kind).toBe('syntax')
    expect(e.column).toBe(column)
    expect(e.offset).toBe(column - 1)
    expect(e.message).toContain(fragment)
  })

  it('limits nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(5000)}[a:b = 1]${')'.repeat(5000)}`
    expect(errorAt(deep).message).toContain('nested too deeply')
  })
})
