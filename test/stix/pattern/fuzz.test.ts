import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type {
  ComparisonExpression,
  ComparisonOperator,
  Literal,
  ObjectPath,
  ObservationExpression,
  PathStep,
  Qualifier,
} from '../../../src/stix/pattern/index.js'
import { parsePattern, printPattern, validatePattern } from '../../../src/stix/pattern/index.js'
import { readOracleJson } from '../../oracles.js'
import { stripPositions } from './strip-positions.js'

const valid = readOracleJson<{ valid: string[] }>('stix-patterns.json').valid

function expectWellBehaved(text: string): void {
  const r = parsePattern(text)
  if (!r.ok) {
    expect(r.error.kind).toBe('syntax')
    expect(r.error.offset).toBeGreaterThanOrEqual(0)
    expect(r.error.offset).toBeLessThanOrEqual(text.length)
    expect(r.error.column).toBe(r.error.offset + 1)
  }
  const v = validatePattern(text)
  if (v !== undefined) expect(v.column).toBeLessThanOrEqual(text.length + 1)
}

const TOKENS = [
  '[',
  ']',
  '(',
  ')',
  ':',
  '.',
  ',',
  '=',
  '!=',
  '<',
  '>=',
  ' ',
  "'",
  '\\',
  '*',
  '-',
  '+',
  '0',
  '7',
  '1.5',
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'IN',
  'LIKE',
  'MATCHES',
  'ISSUBSET',
  'EXISTS',
  'WITHIN',
  'SECONDS',
  'REPEATS',
  'TIMES',
  'START',
  'STOP',
  'true',
  "t'2020-01-01T00:00:00Z'",
  "h'ff'",
  "b'AA=='",
  'file',
  'name',
  'x-y',
  "'s'",
  '/*',
  '*/',
  '//',
]

describe('parser robustness (fast-check)', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), expectWellBehaved), {
      numRuns: 3000,
    })
  })

  it('never throws on token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }), (parts) =>
        expectWellBehaved(parts.join(' ')),
      ),
      { numRuns: 3000 },
    )
  })

  it('never throws on mutations of valid patterns', () => {
    const mutation = fc.record({
      base: fc.constantFrom(...valid),
      at: fc.nat(),
      cut: fc.nat({ max: 6 }),
      insert: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(...TOKENS)),
    })
    fc.assert(
      fc.property(mutation, ({ base, at, cut, insert }) => {
        const i = at % (base.length + 1)
        expectWellBehaved(base.slice(0, i) + insert + base.slice(i + cut))
      }),
      { numRuns: 5000 },
    )
  })
})

//// Generated trees

const span = { start: 0, end: 0 }
const KEYWORDish = ['AND', 'OR', 'NOT', 'IN', 'LIKE', 'true', 'b', 'h', 't']

const keyName = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
  fc.constantFrom(...KEYWORDish, 'has-hyphen', "it's", 'back\\slash', 'dot.ted', ''),
)
const objectType = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}$/),
  fc.constantFrom('file', 'x_y'),
)
const step: fc.Arbitrary<PathStep> = fc.oneof(
  keyName.map((name) => ({ type: 'key' as const, name, pos: span })),
  fc
    .oneof(fc.integer({ min: -5, max: 50 }), fc.constant('*' as const))
    .map((index) => ({ type: 'index' as const, index, pos: span })),
)
const objectPath: fc.Arbitrary<ObjectPath> = fc
  .tuple(objectType, keyName, fc.array(step, { maxLength: 4 }))
  .map(([t, first, rest]) => ({
    objectType: t,
    steps: [{ type: 'key', name: first, pos: span }, ...rest],
    pos: span,
  }))

const timestamp = fc
  .date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.000Z$/, 'Z'))
const base64 = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b).toString('base64'))
const hex = fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('hex'))
const decimal = fc
  .integer({ min: -1_000_000, max: 1_000_000 })
  .chain((n) => fc.nat({ max: 9999 }).map((f) => Number(`${n}.${f}`)))

const orderable: fc.Arbitrary<Literal> = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map((value) => ({ type: 'int' as const, value, pos: span })),
  decimal.filter((v) => !Object.is(v, -0)).map((value) => ({ type: 'float' as const, value, pos: span })),
  fc.string({ maxLength: 10 }).map((value) => ({ type: 'string' as const, value, pos: span })),
  base64.map((value) => ({ type: 'binary' as const, value, pos: span })),
  hex.map((value) => ({ type: 'hex' as const, value, pos: span })),
  timestamp.map((value) => ({ type: 'timestamp' as const, value, pos: span })),
)
const primitive: fc.Arbitrary<Literal> = fc.oneof(
  orderable,
  fc.boolean().map((value) => ({ type: 'bool' as const, value, pos: span })),
)
const stringLit = fc.string({ maxLength: 10 }).map((value) => ({ type: 'string' as const, value, pos: span }))

const comparisonLeaf: fc.Arbitrary<ComparisonExpression> = fc.oneof(
  fc
    .record({
      path: objectPath,
      negated: fc.boolean(),
      operator: fc.constantFrom<ComparisonOperator>('=', '!='),
      value: primitive,
    })
    .map((c) => ({ type: 'comparison' as const, ...c, pos: span })),
  fc
    .record({
      path: objectPath,
      negated: fc.boolean(),
      operator: fc.constantFrom<ComparisonOperator>('<', '<=', '>', '>='),
      value: orderable,
    })
    .map((c) => ({ type: 'comparison' as const, ...c, pos: span })),
  fc
    .record({
      path: objectPath,
      negated: fc.boolean(),
      operator: fc.constantFrom<ComparisonOperator>('LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'),
      value: stringLit,
    })
    .map((c) => ({ type: 'comparison' as const, ...c, pos: span })),
  fc
    .record({ path: objectPath, negated: fc.boolean(), values: fc.array(primitive, { maxLength: 4 }) })
    .map(({ path, negated, values }) => ({
      type: 'comparison' as const,
      path,
      negated,
      operator: 'IN' as const,
      value: { type: 'set' as const, values, pos: span },
      pos: span,
    })),
  fc
    .record({ path: objectPath, negated: fc.boolean() })
    .map((c) => ({ type: 'exists' as const, ...c, pos: span })),
)

// Children that would re-associate when printed without parentheses are wrapped in a group.
function boolNode(
  op: 'AND' | 'OR',
  left: ComparisonExpression,
  right: ComparisonExpression,
): ComparisonExpression {
  const wrap = (c: ComparisonExpression, isRight: boolean): ComparisonExpression =>
    c.type === 'boolean' && (isRight || (op === 'AND' && c.operator === 'OR'))
      ? { type: 'comparison-group', expression: c, pos: span }
      : c
  return { type: 'boolean', operator: op, left: wrap(left, false), right: wrap(right, true), pos: span }
}

const { comparison } = fc.letrec<{ comparison: ComparisonExpression }>((tie) => ({
  comparison: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparisonLeaf,
    fc
      .tuple(fc.constantFrom('AND' as const, 'OR' as const), tie('comparison'), tie('comparison'))
      .map(([op, l, r]) => boolNode(op, l, r)),
    tie('comparison').map((expression) => ({ type: 'comparison-group' as const, expression, pos: span })),
  ),
}))

const qualifier: fc.Arbitrary<Qualifier> = fc.oneof(
  fc
    .oneof(
      fc.integer({ min: 0, max: 1e6 }),
      decimal.filter((v) => v >= 0),
    )
    .map((seconds) => ({ type: 'within' as const, seconds, pos: span })),
  fc.integer({ min: 0, max: 1e6 }).map((times) => ({ type: 'repeats' as const, times, pos: span })),
  fc
    .tuple(timestamp, timestamp)
    .map(([start, stop]) => ({ type: 'start-stop' as const, start, stop, pos: span })),
)

const PREC = { FOLLOWEDBY: 0, OR: 1, AND: 2 } as const

function observationNode(
  op: keyof typeof PREC,
  left: ObservationExpression,
  right: ObservationExpression,
): ObservationExpression {
  const wrap = (e: ObservationExpression, isRight: boolean): ObservationExpression =>
    e.type === 'observation-operator' && (isRight || PREC[e.operator] < PREC[op])
      ? { type: 'observation-group', expression: e, pos: span }
      : e
  return {
    type: 'observation-operator',
    operator: op,
    left: wrap(left, false),
    right: wrap(right, true),
    pos: span,
  }
}

function qualify(e: ObservationExpression, q: Qualifier): ObservationExpression {
  const inner =
    e.type === 'observation-operator' ? { type: 'observation-group' as const, expression: e, pos: span } : e
  return { type: 'qualified', expression: inner, qualifier: q, pos: span }
}

const { observation } = fc.letrec<{ observation: ObservationExpression }>((tie) => ({
  observation: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison.map((c) => ({ type: 'observation' as const, comparison: c, pos: span })),
    fc
      .tuple(
        fc.constantFrom('AND' as const, 'OR' as const, 'FOLLOWEDBY' as const),
        tie('observation'),
        tie('observation'),
      )
      .map(([op, l, r]) => observationNode(op, l, r)),
    fc.tuple(tie('observation'), qualifier).map(([e, q]) => qualify(e, q)),
    tie('observation').map((expression) => ({ type: 'observation-group' as const, expression, pos: span })),
  ),
}))

describe('printer round trip (fast-check)', () => {
  it('printPattern(ast) parses back to the same tree', () => {
    fc.assert(
      fc.property(observation, (tree) => {
        const text = printPattern(tree)
        const r = parsePattern(text)
        if (!r.ok) throw new Error(`${text}\n${r.error.message} at column ${r.error.column}`)
        expect(stripPositions(r.ast)).toEqual(stripPositions(tree))
      }),
      { numRuns: 2000 },
    )
  })

  it.each(valid)('oracle pattern %s survives parse → print → parse', (text) => {
    const first = parsePattern(text)
    if (!first.ok) throw new Error(first.error.message)
    const again = parsePattern(printPattern(first.ast))
    expect(again.ok && stripPositions(again.ast)).toEqual(stripPositions(first.ast))
  })
})
