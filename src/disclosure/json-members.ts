/**
 * The top-level members of an object's JSON text, found without parsing it, so that a member can be cut
 * out or replaced while every other byte stays as stored. Only text as `JSON.stringify` writes it is
 * accepted (no whitespace between tokens); anything else is `undefined`, and the caller parses instead.
 */

/** One top-level member: its key as written between the quotes, and where it starts and ends. */
export interface JsonMember {
  key: string
  /** Offset of the key's opening quote. */
  start: number
  /** Offset just after the value. */
  end: number
}

const SPACE = 0x20
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

export function topLevelMembers(text: string): JsonMember[] | undefined {
  const last = text.length - 1
  if (last < 1 || text.charCodeAt(0) !== OPEN_BRACE || text.charCodeAt(last) !== CLOSE_BRACE) return undefined
  const members: JsonMember[] = []
  if (last === 1) return members
  let at = 1
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) return undefined
    const keyEnd = afterString(text, at)
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined
    const end = afterValue(text, keyEnd + 1)
    if (end < 0) return undefined
    members.push({ key: text.slice(at + 1, keyEnd - 1), start: at, end })
    const next = text.charCodeAt(end)
    if (next === CLOSE_BRACE) return end === last ? members : undefined
    if (next !== COMMA) return undefined
    at = end + 1
  }
}

/** The offset after the string whose opening quote is at `open`; -1 if it never closes. */
function afterString(text: string, open: number): number {
  let from = open + 1
  for (;;) {
    const quote = text.indexOf('"', from)
    if (quote < 0) return -1
    // a quote preceded by an odd run of backslashes is escaped
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    from = quote + 1
  }
}

/** The offset of the `,` or `}` that ends the member value starting at `from`; -1 if none does. */
function afterValue(text: string, from: number): number {
  let depth = 0
  let at = from
  while (at < text.length) {
    const c = text.charCodeAt(at)
    if (c === QUOTE) {
      at = afterString(text, at)
      if (at < 0) return -1
      continue
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) return at > from ? at : -1
      depth--
    } else if (c === COMMA && depth === 0) return at > from ? at : -1
    else if (c <= SPACE) return -1 // whitespace: not as JSON.stringify writes
    at++
  }
  return -1
}
