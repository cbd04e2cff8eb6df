/** What JSON.parse would silently change in a text, which I-JSON (RFC 7493), as STIX and TAXII content is, rules out. */
export interface IJsonProblems {
  /**
   * The first member name given twice in one object. JSON.parse keeps the last of two silently, so
   * `{"object_marking_refs": [RED], …, "object_marking_refs": [CLEAR]}` is CLEAR here and may be RED to the
   * tool that wrote it or the next one that reads it.
   */
  repeatedMember?: string
  /** The first number that a double cannot hold exactly, as {@link inexactNumber} defines it. */
  inexactNumber?: InexactNumber
}

export interface InexactNumber {
  /** The number as written. */
  text: string
  /** The member whose value it is (or whose array holds it), when there is one. */
  member?: string
}

const NONE: IJsonProblems = Object.freeze({})

/**
 * What in `text` (valid JSON) JSON.parse would read as something else: a member name given twice in one object,
 * and a number that does not survive as a double.
 *
 * Runs on every object posted or imported, so it is built for speed: most of STIX text is inside strings,
 * which are skipped with `indexOf` rather than walked, and a backslash is looked for once per run of text
 * rather than once per string. A repeated member ends the scan; the first inexact number does not, so a repeat
 * after it is still found.
 *
 * @example
 * iJsonProblems('{"a":1,"a":2}') // { repeatedMember: 'a' }
 * iJsonProblems('{"x_big":1e999999}') // { inexactNumber: { text: '1e999999', member: 'x_big' } }
 */
export function iJsonProblems(text: string): IJsonProblems {
  // the names of the enclosing containers, saved as each nested one opens (an array's stay undefined: in
  // valid JSON a string followed by a colon is a member name, so no other container kind is needed)
  const outerNames: (Set<string> | undefined)[] = []
  let names: Set<string> | undefined
  // the member whose value is being read, saved likewise; an array keeps its member's, for its items
  const outerMembers: (string | undefined)[] = []
  let member: string | undefined
  let inexact: InexactNumber | undefined
  let nextBackslash = text.indexOf('\\')
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i
      let end = text.indexOf('"', i + 1)
      const escaped = nextBackslash !== -1 && nextBackslash < end
      if (escaped) {
        end = escapedStringEnd(text, start)
        nextBackslash = text.indexOf('\\', end)
      }
      i = end
      let j = end + 1
      while (isJsonSpace(text.charCodeAt(j))) j++
      if (text.charCodeAt(j) !== 58 /* : */) continue
      // most names have no escapes, and slicing them costs a fraction of parsing them
      const name = escaped ? (JSON.parse(text.slice(start, end + 1)) as string) : text.slice(start + 1, end)
      names ??= new Set()
      if (names.has(name))
        return inexact ? { repeatedMember: name, inexactNumber: inexact } : { repeatedMember: name }
      names.add(name)
      member = name
      i = j
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      outerNames.push(names)
      names = undefined
      outerMembers.push(member)
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      names = outerNames.pop()
      member = outerMembers.pop()
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57) /* 0-9 */) {
      const end = numberEnd(text, i)
      if (inexact === undefined && !isExact(text, i, end))
        inexact = member === undefined ? { text: text.slice(i, end) } : { text: text.slice(i, end), member }
      i = end - 1
    }
  }
  return inexact ? { inexactNumber: inexact } : NONE
}

/** The first member name given twice in one object of `text` (valid JSON), if any; see {@link iJsonProblems}. */
export function repeatedMember(text: string): string | undefined {
  return iJsonProblems(text).repeatedMember
}

/**
 * Whether the number written at `text[start, end)` reads back as itself. I-JSON (RFC 7493 §2.2) says a message
 * SHOULD NOT hold a number beyond a double's range or precision; such a number is refused here rather than
 * rounded, since the node serves what it stored and a value changed on the way in is lost without a trace:
 * `1e999999` is Infinity, which JSON.stringify writes as null, and 123456789012345678901234567890 comes back
 * as 1.2345678901234568e+29. So a number is inexact if it overflows to ±Infinity, or if it is an integer
 * (no fraction, no exponent) of magnitude above 2^53 − 1, outside the range RFC 7493 §2.2 names as exact.
 * A fraction with more digits than a double keeps (0.1000000000000000055) is not refused: a decimal fraction
 * is read as the nearest double by design.
 */
function isExact(text: string, start: number, end: number): boolean {
  let integer = true
  for (let k = start + 1; k < end; k++) {
    const c = text.charCodeAt(k)
    if (c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */) {
      integer = false
      break
    }
  }
  if (!integer) return Number.isFinite(Number(text.slice(start, end)))
  const digits = text.charCodeAt(start) === 45 ? end - start - 1 : end - start
  // JSON allows no leading zeros, so 15 digits are below 2^53 and 17 are above it
  if (digits < 16) return true
  if (digits > 16) return false
  return Math.abs(Number(text.slice(start, end))) <= Number.MAX_SAFE_INTEGER
}

/** The index just past the number that starts at `start`. */
function numberEnd(text: string, start: number): number {
  let i = start + 1
  for (;;) {
    const c = text.charCodeAt(i)
    // digits, . e E + -: what a JSON number is made of, none of which may follow one
    if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) i++
    else return i
  }
}

/**
 * `the number 1e999999 in "x_big" cannot be held exactly (I-JSON, RFC 7493 §2.2)`, for a message; a long number
 * is cut short.
 */
export function describeInexactNumber(found: InexactNumber): string {
  const shown =
    found.text.length > 40 ? `${found.text.slice(0, 32)}… (${found.text.length} characters)` : found.text
  const where = found.member === undefined ? '' : ` in ${JSON.stringify(found.member)}`
  return `the number ${shown}${where} cannot be held exactly (I-JSON, RFC 7493 §2.2)`
}

/** The index of the quote that closes the string opening at `start`, stepping over escapes. */
function escapedStringEnd(text: string, start: number): number {
  let i = start + 1
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 34) return i
    i += c === 92 /* \ */ ? 2 : 1
  }
}

/** JSON's four whitespace characters (RFC 8259 §2). */
function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}
