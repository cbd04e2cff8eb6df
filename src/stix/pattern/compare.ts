import type { ComparisonNode, Literal } from './ast.js'
import { compareBytes, decodeBase64, decodeHex, latin1Bytes, latin1String } from './bytes.js'
import { type IpNetwork, isSubnetOf, parseNetwork } from './cidr.js'
import { PatternMatchError } from './errors.js'
import { translateRegex } from './regex.js'
import { compareInstants, type Instant, parseTimestamp } from './timestamp.js'

/**
 * Comparison semantics, following the OASIS reference matcher:
 * - values of different kinds are never equal and never ordered (`5 = '5'` and `5 < 'a'` are
 *   false, so `!=` and `NOT` forms are true); booleans are not numbers;
 * - `int` and `float` compare numerically; strings compare by code point, without normalisation;
 * - binary and hex literals compare byte-wise with `*_bin` (base64) / `*_hex` properties, and with
 *   other strings taken one byte per character (a character above U+00FF makes them incomparable);
 * - a timestamp literal parses the property's string, and a string that is not a timestamp is an
 *   error, not a mismatch;
 * - LIKE and MATCHES apply to strings (and byte strings read as Latin-1) after NFC normalisation of
 *   both sides; ISSUBSET / ISSUPERSET to IPv4 / IPv6 addresses and CIDR blocks.
 */
export type ValuePredicate = (value: unknown) => boolean

type Operand =
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string; bytes: Uint8Array | undefined }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'timestamp'; value: Instant; text: string }

function operand(l: Literal): Operand {
  switch (l.type) {
    case 'int':
    case 'float':
      return { kind: 'number', value: l.value }
    case 'bool':
      return { kind: 'bool', value: l.value }
    case 'string':
      return { kind: 'string', value: l.value, bytes: latin1Bytes(l.value) }
    case 'binary':
      return { kind: 'bytes', value: decodeBase64(l.value)! }
    case 'hex':
      return { kind: 'bytes', value: decodeHex(l.value)! }
    case 'timestamp': {
      const t = parseTimestamp(l.value)
      if (t === undefined) throw new PatternMatchError(`invalid timestamp literal t'${l.value}'`)
      return { kind: 'timestamp', value: t, text: l.value }
    }
  }
}

/** How a property's string value is read: `*_bin` as base64, `*_hex` as hex, else as text. */
export type BinaryEncoding = 'base64' | 'hex' | undefined

export function binaryEncodingOf(propertyName: string | undefined): BinaryEncoding {
  if (propertyName === undefined) return undefined
  if (propertyName.endsWith('_bin')) return 'base64'
  if (propertyName.endsWith('_hex')) return 'hex'
  return undefined
}

/** Decodes a `_bin` / `_hex` property into bytes; other values pass through. */
function normalise(value: unknown, encoding: BinaryEncoding): unknown {
  if (encoding === undefined || typeof value !== 'string') return value
  return (encoding === 'base64' ? decodeBase64(value) : decodeHex(value)) ?? value
}

/** Compares strings by Unicode code point (JavaScript's `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    // Reorder so surrogates (astral code points) sort after U+E000..U+FFFF.
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800
    return x - y
  }
  return a.length - b.length
}

function valueTimestamp(value: string): Instant {
  const t = parseTimestamp(value)
  if (t === undefined)
    throw new PatternMatchError(`cannot compare '${value}' with a timestamp: not a valid timestamp`)
  return t
}

function equals(op: Operand, v: unknown): boolean {
  switch (op.kind) {
    case 'number':
      return typeof v === 'number' && v === op.value
    case 'bool':
      return typeof v === 'boolean' && v === op.value
    case 'string':
      if (typeof v === 'string') return v === op.value
      return v instanceof Uint8Array && op.bytes !== undefined && compareBytes(v, op.bytes) === 0
    case 'bytes': {
      const b = v instanceof Uint8Array ? v : typeof v === 'string' ? latin1Bytes(v) : undefined
      return b !== undefined && compareBytes(b, op.value) === 0
    }
    case 'timestamp':
      return typeof v === 'string' && compareInstants(valueTimestamp(v), op.value) === 0
  }
}

/** `value <=> literal`, or `undefined` when the two cannot be ordered. */
function order(op: Operand, v: unknown): number | undefined {
  switch (op.kind) {
    case 'number':
      return typeof v === 'number' ? v - op.value : undefined
    case 'string':
      if (typeof v === 'string') return compareCodePoints(v, op.value)
      return v instanceof Uint8Array && op.bytes !== undefined ? compareBytes(v, op.bytes) : undefined
    case 'bytes': {
      const b = v instanceof Uint8Array ? v : typeof v === 'string' ? latin1Bytes(v) : undefined
      return b === undefined ? undefined : compareBytes(b, op.value)
    }
    case 'timestamp':
      return typeof v === 'string' ? compareInstants(valueTimestamp(v), op.value) : undefined
    case 'bool':
      return undefined
  }
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.normalize('NFC')
  if (v instanceof Uint8Array) return latin1String(v).normalize('NFC')
  return undefined
}

function likeToRegex(like: string): RegExp {
  let src = '^'
  for (const ch of like.normalize('NFC')) {
    if (ch === '%') src += '.*'
    else if (ch === '_') src += '.'
    else src += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
  }
  return new RegExp(`${src}$`, 'su')
}

function network(text: string): IpNetwork {
  const n = parseNetwork(text)
  if (n === undefined) throw new PatternMatchError(`'${text}' is not an IPv4/IPv6 address or CIDR block`)
  return n
}

/**
 * Builds the predicate for one comparison, applied to each value the object path selects
 * (the comparison holds if any value satisfies it). `NOT` is applied per value.
 */
export function compileComparison(node: ComparisonNode, encoding: BinaryEncoding): ValuePredicate {
  const test = basePredicate(node)
  const negated = node.negated
  if (encoding === undefined) return negated ? (v) => !test(v) : test
  return negated ? (v) => !test(normalise(v, encoding)) : (v) => test(normalise(v, encoding))
}

function basePredicate(node: ComparisonNode): ValuePredicate {
  const lit = node.value
  if (lit.type === 'set') {
    const ops = lit.values.map(operand)
    if (node.operator !== 'IN') throw new PatternMatchError(`a set literal needs IN, not ${node.operator}`)
    return (v) => ops.some((op) => equals(op, v))
  }
  switch (node.operator) {
    case '=': {
      const op = operand(lit)
      return (v) => equals(op, v)
    }
    case '!=': {
      const op = operand(lit)
      return (v) => !equals(op, v)
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const op = operand(lit)
      const accept =
        node.operator === '<'
          ? (c: number) => c < 0
          : node.operator === '<='
            ? (c: number) => c <= 0
            : node.operator === '>'
              ? (c: number) => c > 0
              : (c: number) => c >= 0
      return (v) => {
        const c = order(op, v)
        return c !== undefined && accept(c)
      }
    }
    case 'LIKE': {
      const re = likeToRegex(stringOperand(lit))
      return (v) => {
        const s = asText(v)
        return s !== undefined && re.test(s)
      }
    }
    case 'MATCHES': {
      const r = translateRegex(stringOperand(lit).normalize('NFC'))
      if (!r.ok) throw new PatternMatchError(`invalid regular expression: ${r.message}`)
      const re = r.regex
      return (v) => {
        const s = asText(v)
        return s !== undefined && re.test(s)
      }
    }
    case 'ISSUBSET':
    case 'ISSUPERSET': {
      const net = network(stringOperand(lit))
      const subset = node.operator === 'ISSUBSET'
      return (v) => {
        if (typeof v !== 'string') return false
        const other = parseNetwork(v)
        if (other === undefined) return false
        return subset ? isSubnetOf(other, net) : isSubnetOf(net, other)
      }
    }
    case 'IN':
      throw new PatternMatchError('IN needs a set literal')
  }
}

function stringOperand(lit: Literal): string {
  if (lit.type !== 'string') throw new PatternMatchError(`expected a string literal, got ${lit.type}`)
  return lit.value
}
