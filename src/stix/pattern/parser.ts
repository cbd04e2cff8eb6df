import type {
  ComparisonExpression,
  ComparisonOperator,
  Literal,
  ObjectPath,
  ObservationExpression,
  PathStep,
  Pattern,
  Qualifier,
  SetLiteral,
} from './ast.js'
import { type PatternError, patternError } from './errors.js'
import { type Token, tokenize } from './lexer.js'
import { isTimestampLiteral } from './timestamp.js'

export type ParseResult = { ok: true; ast: Pattern } | { ok: false; error: PatternError }

export interface ParseOptions {
  /**
   * `'2.0'` additionally accepts `START '...' STOP '...'` with plain string timestamps, as STIX 2.0
   * patterns wrote them. Default `'2.1'`.
   */
  stixVersion?: '2.0' | '2.1'
}

const MAX_DEPTH = 500

class ParseFailure {
  constructor(readonly error: PatternError) {}
}

const ORDER_OPS = new Set(['<', '<=', '>', '>='])
const STRING_OPS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'])
const LITERAL_KINDS = new Set(['int', 'float', 'string', 'bool', 'binary', 'hex', 'timestamp'])

/**
 * Parses a STIX patterning expression (the full STIX 2.1 grammar) into a syntax tree.
 * Never throws; on failure the error points at the first offending token.
 *
 * @example
 * const r = parsePattern("[file:name = 'a.exe'] WITHIN 5 SECONDS")
 * if (!r.ok) console.log(r.error.column, r.error.message)
 */
export function parsePattern(text: string, options: ParseOptions = {}): ParseResult {
  try {
    const parser = new Parser(tokenize(text), options.stixVersion ?? '2.1')
    return { ok: true, ast: parser.pattern() }
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error }
    throw e
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return '<EOF>'
  if (t.kind === 'string') return `'${t.text}'`
  return `'${t.text}'`
}

class Parser {
  private i = 0
  private depth = 0

  constructor(
    private readonly tokens: Token[],
    private readonly version: '2.0' | '2.1',
  ) {}

  private get tok(): Token {
    return this.tokens[this.i]!
  }

  private fail(t: Token, expecting: string): never {
    if (t.kind === 'invalid')
      throw new ParseFailure(patternError('syntax', t.message ?? 'invalid input', t.start))
    throw new ParseFailure(
      patternError('syntax', `mismatched input ${describe(t)} expecting ${expecting}`, t.start),
    )
  }

  private is(kind: Token['kind'], text?: string): boolean {
    const t = this.tok
    return t.kind === kind && (text === undefined || t.text === text)
  }

  private isPunct(p: string): boolean {
    return this.is('punct', p)
  }

  private isKeyword(k: string): boolean {
    return this.is('keyword', k)
  }

  private expectPunct(p: string, expecting = `'${p}'`): Token {
    if (!this.isPunct(p)) this.fail(this.tok, expecting)
    return this.tokens[this.i++]!
  }

  private expectKeyword(k: string): Token {
    if (!this.isKeyword(k)) this.fail(this.tok, `'${k}'`)
    return this.tokens[this.i++]!
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw new ParseFailure(patternError('syntax', 'expression nested too deeply', this.tok.start))
    }
  }

  pattern(): Pattern {
    if (!this.isPunct('[') && !this.isPunct('(') && this.tok.kind !== 'invalid' && this.tok.kind !== 'eof') {
      throw new ParseFailure(
        patternError(
          'syntax',
          `input is missing square brackets: mismatched input ${describe(this.tok)}`,
          this.tok.start,
        ),
      )
    }
    const expr = this.observationExpressions()
    if (!this.is('eof')) this.fail(this.tok, '<EOF>')
    return expr
  }

  private observationExpressions(): ObservationExpression {
    let left = this.observationOr()
    while (this.isKeyword('FOLLOWEDBY')) {
      this.i++
      const right = this.observationOr()
      left = {
        type: 'observation-operator',
        operator: 'FOLLOWEDBY',
        left,
        right,
        pos: { start: left.pos.start, end: right.pos.end },
      }
    }
    return left
  }

  private observationOr(): ObservationExpression {
    let left = this.observationAnd()
    while (this.isKeyword('OR')) {
      this.i++
      const right = this.observationAnd()
      left = {
        type: 'observation-operator',
        operator: 'OR',
        left,
        right,
        pos: { start: left.pos.start, end: right.pos.end },
      }
    }
    return left
  }

  private observationAnd(): ObservationExpression {
    let left = this.qualifiedObservation()
    while (this.isKeyword('AND')) {
      this.i++
      const right = this.qualifiedObservation()
      left = {
        type: 'observation-operator',
        operator: 'AND',
        left,
        right,
        pos: { start: left.pos.start, end: right.pos.end },
      }
    }
    return left
  }

  private qualifiedObservation(): ObservationExpression {
    let expr = this.observationPrimary()
    for (;;) {
      const q = this.qualifier()
      if (q === undefined) return expr
      expr = {
        type: 'qualified',
        expression: expr,
        qualifier: q,
        pos: { start: expr.pos.start, end: q.pos.end },
      }
    }
  }

  private observationPrimary(): ObservationExpression {
    const open = this.tok
    if (this.isPunct('[')) {
      this.i++
      const comparison = this.comparisonOr()
      const close = this.expectPunct(']', "']', 'AND' or 'OR'")
      return { type: 'observation', comparison, pos: { start: open.start, end: close.end } }
    }
    if (this.isPunct('(')) {
      this.i++
      this.enter()
      const expression = this.observationExpressions()
      this.depth--
      const close = this.expectPunct(')', "')', 'AND', 'OR', 'FOLLOWEDBY' or a qualifier")
      return { type: 'observation-group', expression, pos: { start: open.start, end: close.end } }
    }
    return this.fail(open, "'[' or '('")
  }

  private qualifier(): Qualifier | undefined {
    const kw = this.tok
    if (this.isKeyword('WITHIN')) {
      this.i++
      const n = this.tok
      if ((n.kind !== 'int' && n.kind !== 'float') || n.text.startsWith('-'))
        this.fail(n, 'a positive number')
      this.i++
      const end = this.expectKeyword('SECONDS')
      return { type: 'within', seconds: Number(n.text), pos: { start: kw.start, end: end.end } }
    }
    if (this.isKeyword('REPEATS')) {
      this.i++
      const n = this.tok
      if (n.kind !== 'int' || n.text.startsWith('-')) this.fail(n, 'a positive integer')
      this.i++
      const end = this.expectKeyword('TIMES')
      return { type: 'repeats', times: Number(n.text), pos: { start: kw.start, end: end.end } }
    }
    if (this.isKeyword('START')) {
      this.i++
      const start = this.qualifierTimestamp()
      this.expectKeyword('STOP')
      const stopTok = this.tok
      const stop = this.qualifierTimestamp()
      return { type: 'start-stop', start, stop, pos: { start: kw.start, end: stopTok.end } }
    }
    return undefined
  }

  private qualifierTimestamp(): string {
    const t = this.tok
    if (t.kind === 'timestamp') {
      this.i++
      return t.text
    }
    if (this.version === '2.0' && t.kind === 'string') {
      if (!isTimestampLiteral(t.text)) {
        throw new ParseFailure(patternError('syntax', `invalid timestamp ${describe(t)}`, t.start))
      }
      this.i++
      return t.text
    }
    return this.fail(t, 'a timestamp literal')
  }

  private comparisonOr(): ComparisonExpression {
    let left = this.comparisonAnd()
    while (this.isKeyword('OR')) {
      this.i++
      const right = this.comparisonAnd()
      left = {
        type: 'boolean',
        operator: 'OR',
        left,
        right,
        pos: { start: left.pos.start, end: right.pos.end },
      }
    }
    return left
  }

  private comparisonAnd(): ComparisonExpression {
    let left = this.propTest()
    while (this.isKeyword('AND')) {
      this.i++
      const right = this.propTest()
      left = {
        type: 'boolean',
        operator: 'AND',
        left,
        right,
        pos: { start: left.pos.start, end: right.pos.end },
      }
    }
    return left
  }

  private propTest(): ComparisonExpression {
    const first = this.tok
    if (this.isPunct('(')) {
      this.i++
      this.enter()
      const expression = this.comparisonOr()
      this.depth--
      const close = this.expectPunct(')', "')', 'AND' or 'OR'")
      return { type: 'comparison-group', expression, pos: { start: first.start, end: close.end } }
    }
    if (this.isKeyword('NOT') || this.isKeyword('EXISTS')) {
      const negated = this.isKeyword('NOT')
      if (negated) this.i++
      this.expectKeyword('EXISTS')
      const path = this.objectPath()
      return { type: 'exists', path, negated, pos: { start: first.start, end: path.pos.end } }
    }
    const path = this.objectPath()
    let negated = false
    if (this.isKeyword('NOT')) {
      negated = true
      this.i++
    }
    const opTok = this.tok
    let operator: ComparisonOperator
    if (opTok.kind === 'punct' && ['=', '!=', '<', '<=', '>', '>='].includes(opTok.text)) {
      operator = opTok.text as ComparisonOperator
    } else if (opTok.kind === 'keyword' && ['IN', ...STRING_OPS].includes(opTok.text)) {
      operator = opTok.text as ComparisonOperator
    } else {
      return this.fail(opTok, 'a comparison operator')
    }
    this.i++
    let value: Literal | SetLiteral
    if (operator === 'IN') value = this.setLiteral()
    else if (STRING_OPS.has(operator)) {
      const lit = this.literal()
      if (lit === undefined || lit.type !== 'string')
        this.fail(this.tokens[this.i - (lit === undefined ? 0 : 1)]!, 'a string literal')
      value = lit
    } else {
      const lit = this.literal()
      if (lit === undefined) return this.fail(this.tok, 'a literal')
      if (ORDER_OPS.has(operator) && lit.type === 'bool')
        this.fail(this.tokens[this.i - 1]!, 'an orderable literal')
      value = lit
    }
    return {
      type: 'comparison',
      path,
      operator,
      negated,
      value,
      pos: { start: path.pos.start, end: value.pos.end },
    }
  }

  private setLiteral(): SetLiteral {
    const open = this.expectPunct('(', "'('")
    const values: Literal[] = []
    if (!this.isPunct(')')) {
      for (;;) {
        const lit = this.literal()
        if (lit === undefined) return this.fail(this.tok, 'a literal')
        values.push(lit)
        if (this.isPunct(',')) {
          this.i++
          continue
        }
        break
      }
    }
    const close = this.expectPunct(')', "',' or ')'")
    return { type: 'set', values, pos: { start: open.start, end: close.end } }
  }

  private literal(): Literal | undefined {
    const t = this.tok
    if (!LITERAL_KINDS.has(t.kind)) return undefined
    this.i++
    const pos = { start: t.start, end: t.end }
    switch (t.kind) {
      case 'int':
        return { type: 'int', value: Number(t.text), pos }
      case 'float':
        return { type: 'float', value: Number(t.text), pos }
      case 'bool':
        return { type: 'bool', value: t.text === 'true', pos }
      case 'string':
      case 'binary':
      case 'hex':
      case 'timestamp':
        return { type: t.kind, value: t.text, pos }
      default:
        return undefined
    }
  }

  private objectPath(): ObjectPath {
    const typeTok = this.tok
    if (typeTok.kind !== 'ident' && typeTok.kind !== 'ident-hyphen') this.fail(typeTok, 'an object type')
    this.i++
    this.expectPunct(':', "':'")
    const first = this.tok
    const steps: PathStep[] = []
    if (first.kind === 'ident' || first.kind === 'string') {
      this.i++
      steps.push({ type: 'key', name: first.text, pos: { start: first.start, end: first.end } })
    } else {
      this.fail(first, 'a property name (quote names containing hyphens)')
    }
    for (;;) {
      const t = this.tok
      if (this.isPunct('.')) {
        this.i++
        const k = this.tok
        if (k.kind !== 'ident' && k.kind !== 'string')
          this.fail(k, 'a property name (quote names containing hyphens)')
        this.i++
        steps.push({ type: 'key', name: k.text, pos: { start: k.start, end: k.end } })
      } else if (this.isPunct('[')) {
        this.i++
        const k = this.tok
        let index: number | '*'
        if (k.kind === 'int') index = Number(k.text)
        else if (k.kind === 'punct' && k.text === '*') index = '*'
        else return this.fail(k, "a list index or '*'")
        this.i++
        const close = this.expectPunct(']', "']'")
        steps.push({ type: 'index', index, pos: { start: t.start, end: close.end } })
      } else break
    }
    const last = this.tokens[this.i - 1]!
    return { objectType: typeTok.text, steps, pos: { start: typeTok.start, end: last.end } }
  }
}
