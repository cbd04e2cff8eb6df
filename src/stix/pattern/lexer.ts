import { isBase64Literal, isHexLiteral } from './bytes.js'
import { isTimestampLiteral } from './timestamp.js'

export const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
])

export type TokenKind =
  | 'keyword'
  | 'ident' // [a-zA-Z_][a-zA-Z0-9_]*
  | 'ident-hyphen' // [a-zA-Z_][a-zA-Z0-9_-]* containing a hyphen
  | 'int'
  | 'float'
  | 'string'
  | 'bool'
  | 'binary'
  | 'hex'
  | 'timestamp'
  | 'punct'
  | 'invalid'
  | 'eof'

export interface Token {
  kind: TokenKind
  /** Keyword or punctuation text, or the decoded value of string-like literals. */
  text: string
  start: number
  end: number
  /** For `invalid` tokens: why the lexer gave up here. */
  message?: string
}

const PUNCT2 = ['<=', '>=', '!=', '<>', '==']
const PUNCT1 = '[]():.,=<>+-^/*'

// ANTLR's WS rule: ASCII whitespace plus the Unicode space separators it lists.
function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  )
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isIdentStart = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c)

/**
 * Splits pattern text into tokens, skipping whitespace and comments. Never throws: a character or
 * literal it cannot read becomes an `invalid` token, and lexing stops there (the parser reports it
 * only if it gets that far, so an earlier grammar error wins).
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const n = text.length
  const push = (kind: TokenKind, value: string, start: number, end: number) => {
    tokens.push({ kind, text: value, start, end })
  }
  const fail = (start: number, message: string): Token[] => {
    tokens.push({ kind: 'invalid', text: text.slice(start, start + 1), start, end: start + 1, message })
    return tokens
  }

  while (i < n) {
    const c = text.charCodeAt(i)
    if (isSpace(c)) {
      i++
      continue
    }
    if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const close = text.indexOf('*/', i + 2)
      if (close < 0) return fail(i, 'unterminated comment')
      i = close + 2
      continue
    }
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++
      continue
    }
    const start = i

    // Typed literals: b'...', h'...', t'...'
    if ((c === 0x62 || c === 0x68 || c === 0x74) && text.charCodeAt(i + 1) === 0x27) {
      const close = text.indexOf("'", i + 2)
      const body = close < 0 ? undefined : text.slice(i + 2, close)
      const kind = c === 0x62 ? 'binary' : c === 0x68 ? 'hex' : 'timestamp'
      const ok =
        body !== undefined &&
        (kind === 'binary'
          ? isBase64Literal(body)
          : kind === 'hex'
            ? isHexLiteral(body)
            : isTimestampLiteral(body))
      if (!ok || body === undefined) {
        const what = kind === 'binary' ? 'binary (base64)' : kind === 'hex' ? 'hex' : 'timestamp'
        return fail(start, `invalid ${what} literal`)
      }
      push(kind, body, start, close + 1)
      i = close + 1
      continue
    }

    if (isIdentStart(c)) {
      let j = i + 1
      let hyphen = false
      while (j < n) {
        const d = text.charCodeAt(j)
        if (isIdentPart(d)) j++
        else if (d === 0x2d) {
          hyphen = true
          j++
        } else break
      }
      const word = text.slice(i, j)
      if (hyphen) push('ident-hyphen', word, start, j)
      else if (word === 'true' || word === 'false') push('bool', word, start, j)
      else if (KEYWORDS.has(word)) push('keyword', word, start, j)
      else push('ident', word, start, j)
      i = j
      continue
    }

    if (c === 0x27 /* ' */) {
      let j = i + 1
      let value = ''
      let chunk = j
      for (;;) {
        if (j >= n) return fail(start, 'unterminated string literal')
        const d = text.charCodeAt(j)
        if (d === 0x27) break
        if (d === 0x5c /* \ */) {
          const e = text[j + 1]
          if (e !== "'" && e !== '\\')
            return fail(j, "invalid escape in string literal (only \\' and \\\\ are allowed)")
          value += text.slice(chunk, j) + e
          j += 2
          chunk = j
          continue
        }
        j++
      }
      value += text.slice(chunk, j)
      push('string', value, start, j + 1)
      i = j + 1
      continue
    }

    // Numbers: [+-]? ( digits ( '.' digits )? | '.' digits )
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) {
      let j = i
      if (c === 0x2b || c === 0x2d) j++
      const digitsStart = j
      while (j < n && isDigit(text.charCodeAt(j))) j++
      const intEnd = j
      if (text.charCodeAt(j) === 0x2e && isDigit(text.charCodeAt(j + 1))) {
        j += 1
        while (j < n && isDigit(text.charCodeAt(j))) j++
        push('float', text.slice(i, j), start, j)
        i = j
        continue
      }
      if (intEnd > digitsStart) {
        // IntLiteral is '0' | [1-9][0-9]*: a leading zero ends the token (as ANTLR would).
        const end = text.charCodeAt(digitsStart) === 0x30 ? digitsStart + 1 : intEnd
        push('int', text.slice(i, end), start, end)
        i = end
        continue
      }
      // lone sign or dot: falls through to punctuation
    }

    const two = text.slice(i, i + 2)
    if (PUNCT2.includes(two)) {
      push('punct', two === '<>' ? '!=' : two === '==' ? '=' : two, start, i + 2)
      i += 2
      continue
    }
    if (PUNCT1.includes(text[i]!)) {
      push('punct', text[i]!, start, i + 1)
      i++
      continue
    }
    const cp = text.codePointAt(i)!
    return fail(start, `unexpected character '${String.fromCodePoint(cp)}'`)
  }
  tokens.push({ kind: 'eof', text: '<EOF>', start: n, end: n })
  return tokens
}
