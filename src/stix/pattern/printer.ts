import type {
  ComparisonExpression,
  Literal,
  ObjectPath,
  ObservationExpression,
  Pattern,
  Qualifier,
} from './ast.js'
import { KEYWORDS } from './lexer.js'

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Prints a syntax tree back to STIX 2.1 pattern text. Group nodes become parentheses and nothing
 * else is added, so `parsePattern(printPattern(ast))` yields the same tree (positions aside) for
 * any tree the parser can produce.
 */
export function printPattern(pattern: Pattern): string {
  return observation(pattern)
}

function observation(e: ObservationExpression): string {
  switch (e.type) {
    case 'observation':
      return `[${comparison(e.comparison)}]`
    case 'observation-group':
      return `(${observation(e.expression)})`
    case 'observation-operator':
      return `${observation(e.left)} ${e.operator} ${observation(e.right)}`
    case 'qualified':
      return `${observation(e.expression)} ${qualifier(e.qualifier)}`
  }
}

function qualifier(q: Qualifier): string {
  switch (q.type) {
    case 'within':
      return `WITHIN ${formatNumber(q.seconds, false)} SECONDS`
    case 'repeats':
      return `REPEATS ${q.times} TIMES`
    case 'start-stop':
      return `START t'${q.start}' STOP t'${q.stop}'`
  }
}

function comparison(c: ComparisonExpression): string {
  switch (c.type) {
    case 'comparison-group':
      return `(${comparison(c.expression)})`
    case 'boolean':
      return `${comparison(c.left)} ${c.operator} ${comparison(c.right)}`
    case 'exists':
      return `${c.negated ? 'NOT ' : ''}EXISTS ${objectPath(c.path)}`
    case 'comparison': {
      const value = c.value.type === 'set' ? `(${c.value.values.map(literal).join(', ')})` : literal(c.value)
      return `${objectPath(c.path)} ${c.negated ? 'NOT ' : ''}${c.operator} ${value}`
    }
  }
}

export function objectPath(p: ObjectPath): string {
  let out = `${p.objectType}:`
  p.steps.forEach((s, i) => {
    if (s.type === 'index') out += `[${s.index}]`
    else out += `${i === 0 ? '' : '.'}${key(s.name)}`
  })
  return out
}

function key(name: string): string {
  const plain = PLAIN_KEY.test(name) && !KEYWORDS.has(name) && name !== 'true' && name !== 'false'
  // b'..', h'..', t'..' never follow a bare key, so single letters are safe as identifiers.
  return plain ? name : quote(name)
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function literal(l: Literal): string {
  switch (l.type) {
    case 'int':
      return String(l.value)
    case 'float':
      return formatNumber(l.value, true)
    case 'string':
      return quote(l.value)
    case 'bool':
      return String(l.value)
    case 'binary':
      return `b'${l.value}'`
    case 'hex':
      return `h'${l.value}'`
    case 'timestamp':
      return `t'${l.value}'`
  }
}

function formatNumber(n: number, float: boolean): string {
  let s = String(n)
  if (/e/i.test(s)) s = n.toFixed(20).replace(/0+$/, '')
  if (float && !s.includes('.')) s += '.0'
  if (s.endsWith('.')) s += '0'
  return s
}
