import { isUtf8 } from 'node:buffer'
import { type IJsonProblems, type InexactNumber, iJsonProblems } from '../i-json.js'
import { BundleReadError, type BundleReadErrorCode } from './bundle-read-error.js'

/** One object found in the input, parsed, with its compact JSON text. */
export interface ScannedObject {
  index: number
  /** Where the object is, for messages: `$.objects[3]` in a bundle, `$[3]` in an array, `line 4: $` in JSON Lines. */
  where: string
  text: string
  value: unknown
  /** A member name given twice in one object of the raw input, which `value` (JSON.parse keeps the last) hides. */
  repeatedMember?: string
  /** A number of the raw input that `value` holds changed (Infinity, or an integer rounded), which it hides. */
  inexactNumber?: InexactNumber
}

export interface ScannerLimits {
  maxDepth: number
  maxObjectBytes: number
}

/** Which of the three accepted forms the input turned out to be (known after the first value). */
export type InputForm = 'bundle' | 'array' | 'jsonl'

// Byte values the scanner cares about.
const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COMMA = 0x2c
const COLON = 0x3a
const NEWLINE = 0x0a
const CR = 0x0d
const SPACE = 0x20
const TAB = 0x09

// Top-level states: where we are in the grammar *between* captured values.
const S_START = 0 // before the first value (a UTF-8 BOM is skipped here)
const S_BOM_2 = 1 // saw EF, expect BB
const S_BOM_3 = 2 // saw EF BB, expect BF
const S_ENV_KEY_OR_END = 3 // after the envelope's '{'
const S_ENV_KEY = 4 // after ',' in the envelope
const S_ENV_COLON = 5
const S_ENV_VALUE = 6
const S_ENV_AFTER_VALUE = 7
const S_ARR_FIRST = 8 // after '[' of a bare array or of `objects`
const S_ARR_MEMBER = 9 // after ',' in the array
const S_ARR_AFTER_MEMBER = 10
const S_JSONL_EOL = 11 // after a JSON Lines object: only blanks until the newline
const S_JSONL_NEXT = 12 // at the start of a JSON Lines line
const S_DONE = 13 // after the bundle or array: whitespace only
const S_CAPTURE = 14 // inside a value being captured

// What a captured value is for.
const R_KEY = 0 // an envelope key
const R_ENV_VALUE = 1 // the value of an envelope key other than `objects`
const R_MEMBER = 2 // a member of a bare array or of `objects`
const R_JSONL = 3 // a JSON Lines object

// How a captured value ends.
const K_CONTAINER = 0 // balanced {} / []
const K_STRING = 1
const K_LITERAL = 2 // number, true, false, null: ends before the first byte that cannot belong to it

function isBlank(c: number): boolean {
  return c === SPACE || c === NEWLINE || c === CR || c === TAB
}

function isLiteralByte(c: number): boolean {
  // digits, letters, '+', '-', '.'
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e
  )
}

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`
}

/**
 * A push-driven byte scanner: feed it chunks with `write`, take the objects it completed with `take`,
 * and call `end` once the input is exhausted. It never holds more than the object being captured
 * (plus the small envelope values of a bundle), so memory stays bounded by `maxObjectBytes`.
 *
 * Only the boundaries of each value are found here (strings, escapes and nesting are tracked byte by
 * byte); the bytes of a complete value are then handed to `JSON.parse`, which does the real
 * validation. Values are always cut at ASCII delimiters, so a multi-byte UTF-8 character is never
 * split when a slice is decoded, wherever the chunk boundaries fall.
 */
export class ObjectScanner {
  readonly #limits: ScannerLimits
  #state = S_START
  #form: InputForm | undefined
  /** Bytes consumed before the current chunk. */
  #base = 0
  #line = 1
  #count = 0
  #out: ScannedObject[] = []

  // The envelope of a top-level object (a bundle, or the first line of JSON Lines).
  #envEntries: [string, unknown][] = []
  #envKey = ''
  /** The first member name the envelope (or a value in it) gives twice. */
  #envRepeated: string | undefined
  /** The first number in the envelope's values that a double cannot hold exactly. */
  #envInexact: InexactNumber | undefined
  #envStartLine = 1
  #envStartOffset = 0
  #envBytes = 0
  #sawObjects = false
  #inObjects = false

  // The value being captured.
  #role = R_MEMBER
  #kind = K_CONTAINER
  #depth = 0
  #baseDepth = 0
  #inString = false
  #escaped = false
  #pieces: Buffer[] = []
  #piecesBytes = 0
  #capStartOffset = 0
  #capStartLine = 1
  /** Index in the current chunk where the captured value starts (0 when it began in an earlier chunk). */
  #captureStart = 0
  /** Set by #step: where scanning continues in the current chunk. */
  #nextIndex = 0

  constructor(limits: ScannerLimits) {
    this.#limits = limits
  }

  /** The input form, once the first value has shown it. */
  get form(): InputForm | undefined {
    return this.#form
  }

  /** Objects completed since the last call. */
  take(): ScannedObject[] {
    const out = this.#out
    this.#out = []
    return out
  }

  write(buf: Buffer): void {
    const n = buf.length
    let i = 0
    while (i < n) {
      if (this.#state === S_CAPTURE) {
        i = this.#captureFrom(buf, i)
        continue
      }
      this.#step(buf, i)
      i = this.#nextIndex
    }
    if (this.#state === S_CAPTURE) this.#keepPiece(buf)
    this.#base += n
  }

  end(): void {
    if (this.#state === S_CAPTURE && this.#kind === K_LITERAL) {
      this.#finishCapture(Buffer.alloc(0), 0, 0)
    }
    switch (this.#state) {
      case S_START:
        // Empty (or blank) input reads as JSON Lines with no lines.
        this.#form = 'jsonl'
        return
      case S_DONE:
      case S_JSONL_EOL:
      case S_JSONL_NEXT:
        return
      default:
        this.#fail('malformed', 'unexpected end of input', this.#base)
    }
  }

  /** Handles one byte of the top-level grammar at `buf[i]` (or starts a capture there). */
  #step(buf: Buffer, i: number): void {
    const c = buf[i]!
    const offset = this.#base + i
    this.#nextIndex = i + 1
    if (c === NEWLINE && this.#state !== S_JSONL_EOL) {
      this.#line++
      return
    }
    switch (this.#state) {
      case S_START:
        if (isBlank(c)) return
        if (c === 0xef && offset === 0) {
          this.#state = S_BOM_2
          return
        }
        if (c === OPEN_BRACE) {
          this.#envStartLine = this.#line
          this.#envStartOffset = offset
          this.#state = S_ENV_KEY_OR_END
          return
        }
        if (c === OPEN_BRACKET) {
          this.#form = 'array'
          this.#state = S_ARR_FIRST
          return
        }
        this.#fail(
          'not-a-bundle',
          `expected a STIX bundle, a JSON array or JSON Lines, found ${describe(c)}`,
          offset,
        )
        return
      case S_BOM_2:
      case S_BOM_3: {
        const expected = this.#state === S_BOM_2 ? 0xbb : 0xbf
        if (c !== expected) this.#fail('malformed', `invalid byte-order mark`, offset)
        this.#state = this.#state === S_BOM_2 ? S_BOM_3 : S_START
        return
      }
      case S_ENV_KEY_OR_END:
      case S_ENV_KEY:
        if (isBlank(c)) return
        if (c === QUOTE) {
          this.#startCapture(R_KEY, K_STRING, i, 0)
          return
        }
        if (c === CLOSE_BRACE && this.#state === S_ENV_KEY_OR_END) {
          this.#endEnvelope(offset)
          return
        }
        this.#fail('malformed', `expected a property name, found ${describe(c)}`, offset)
        return
      case S_ENV_COLON:
        if (isBlank(c)) return
        if (c !== COLON)
          this.#fail('malformed', `expected ':' after property name, found ${describe(c)}`, offset)
        this.#state = S_ENV_VALUE
        return
      case S_ENV_VALUE:
        if (isBlank(c)) return
        if (this.#envKey === 'objects') {
          if (this.#sawObjects) this.#fail('malformed', 'the bundle has two "objects" properties', offset)
          this.#refuseRepeatedInBundle(offset)
          if (c !== OPEN_BRACKET)
            this.#fail('not-a-bundle', 'the bundle property "objects" must be an array', offset)
          this.#sawObjects = true
          this.#inObjects = true
          this.#form = 'bundle'
          this.#checkBundleType(offset)
          this.#state = S_ARR_FIRST
          return
        }
        this.#startValue(R_ENV_VALUE, c, i, 1)
        return
      case S_ENV_AFTER_VALUE:
        if (isBlank(c)) return
        if (c === COMMA) {
          this.#state = S_ENV_KEY
          return
        }
        if (c === CLOSE_BRACE) {
          this.#endEnvelope(offset)
          return
        }
        this.#fail('malformed', `expected ',' or '}' in the bundle, found ${describe(c)}`, offset)
        return
      case S_ARR_FIRST:
      case S_ARR_MEMBER:
        if (isBlank(c)) return
        if (c === CLOSE_BRACKET && this.#state === S_ARR_FIRST) {
          this.#endArray()
          return
        }
        // a member that is JSON but not an object (7, "x", [..]) is the caller's to reject as one bad item;
        // stopping here would leave every object after it unread
        this.#startValue(R_MEMBER, c, i, 0)
        return
      case S_ARR_AFTER_MEMBER:
        if (isBlank(c)) return
        if (c === COMMA) {
          this.#state = S_ARR_MEMBER
          return
        }
        if (c === CLOSE_BRACKET) {
          this.#endArray()
          return
        }
        this.#fail('malformed', `expected ',' or ']' after a member, found ${describe(c)}`, offset)
        return
      case S_JSONL_EOL:
        if (c === NEWLINE) {
          this.#line++
          this.#state = S_JSONL_NEXT
          return
        }
        if (c === SPACE || c === TAB || c === CR) return
        this.#fail('malformed', `expected a newline after the object, found ${describe(c)}`, offset)
        return
      case S_JSONL_NEXT:
        if (isBlank(c)) return
        // as in an array: a line that is JSON but not an object is one bad item, not the end of the input
        this.#startValue(R_JSONL, c, i, 0)
        return
      case S_DONE:
        if (isBlank(c)) return
        this.#fail('trailing-data', `unexpected ${describe(c)} after the end of the ${this.#form}`, offset)
        return
    }
  }

  #startValue(role: number, c: number, i: number, baseDepth: number): void {
    if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#startCapture(role, K_CONTAINER, i, baseDepth)
    else if (c === QUOTE) this.#startCapture(role, K_STRING, i, baseDepth)
    else if (isLiteralByte(c)) this.#startCapture(role, K_LITERAL, i, baseDepth)
    else this.#fail('malformed', `expected a value, found ${describe(c)}`, this.#base + i)
  }

  /** Enters S_CAPTURE with `buf[i]` as the first byte of the value; scanning resumes at `i`. */
  #startCapture(role: number, kind: number, i: number, baseDepth: number): void {
    this.#state = S_CAPTURE
    this.#role = role
    this.#kind = kind
    this.#depth = 0
    this.#baseDepth = baseDepth
    this.#inString = false
    this.#escaped = false
    this.#pieces = []
    this.#piecesBytes = 0
    this.#capStartOffset = this.#base + i
    this.#capStartLine = this.#line
    this.#captureStart = i
    this.#nextIndex = i
  }

  /**
   * The hot loop: scans the captured value from `buf[from]`, returns where scanning continues.
   * State lives in locals while looping and is written back at the end.
   */
  #captureFrom(buf: Buffer, from: number): number {
    const n = buf.length
    const kind = this.#kind
    let i = from
    if (kind === K_LITERAL) {
      while (i < n && isLiteralByte(buf[i]!)) i++
      if (i < n) this.#finishCapture(buf, this.#captureStart, i)
      return i
    }
    const maxDepth = this.#limits.maxDepth - this.#baseDepth
    const jsonl = this.#role === R_JSONL
    let depth = this.#depth
    let inString = this.#inString
    let escaped = this.#escaped
    let done = false
    for (; i < n; i++) {
      if (inString) {
        // Jump to the next quote; it closes the string unless an odd run of backslashes precedes it
        // (a backslash carried over from the previous chunk counts as one more in the run).
        const q = buf.indexOf(QUOTE, i)
        const end = q === -1 ? n : q
        let run = 0
        while (end - run - 1 >= i && buf[end - run - 1] === BACKSLASH) run++
        if (end - run === i && escaped) run++
        if (q === -1) {
          escaped = run % 2 === 1
          i = n
          break
        }
        escaped = false
        i = q
        if (run % 2 === 1) continue
        inString = false
        if (kind === K_STRING) {
          done = true
          break
        }
        continue
      }
      const c = buf[i]!
      if (c === QUOTE) {
        inString = true
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > maxDepth) {
          this.#fail('too-deep', `nesting deeper than ${this.#limits.maxDepth} levels`, this.#base + i)
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) {
          done = true
          break
        }
      } else if (c === NEWLINE) {
        if (jsonl) this.#openAtEndOfLine(buf, i)
        this.#line++
      }
    }
    if (done) {
      this.#finishCapture(buf, this.#captureStart, i + 1)
      return i + 1
    }
    this.#depth = depth
    this.#inString = inString
    this.#escaped = escaped
    return n
  }

  /**
   * A JSON Lines object is still open where its line ends (`end`). Either the line is broken JSON (`{not json`),
   * which is what to report, and where; or it is sound so far and goes on below, which JSON Lines forbids.
   */
  #openAtEndOfLine(buf: Buffer, end: number): never {
    const text = Buffer.concat([...this.#pieces, buf.subarray(this.#captureStart, end)]).toString('utf8')
    try {
      JSON.parse(text)
    } catch (err) {
      // a sound prefix fails only at its end ("Unexpected end of JSON input" has no position)
      const position = /at position (\d+)/.exec(err instanceof Error ? err.message : String(err))
      if (position && Number(position[1]) < text.length) this.#parse(text)
    }
    return this.#fail('malformed', 'a JSON Lines object must not span several lines', this.#base + end)
  }

  /** The chunk ended inside a capture: keep the captured part of it for later. */
  #keepPiece(buf: Buffer): void {
    const start = this.#captureStart
    if (start < buf.length) {
      // Copy so a small tail does not pin a large chunk.
      const piece = Buffer.from(buf.subarray(start))
      this.#pieces.push(piece)
      this.#piecesBytes += piece.length
    }
    this.#captureStart = 0
    this.#checkSize(this.#piecesBytes)
  }

  #checkSize(bytes: number): void {
    const limit = this.#limits.maxObjectBytes
    // Envelope values beside `objects` are limited one by one; until `objects` shows up, the
    // envelope may be a JSON Lines object held whole, so its values count together.
    const envelope = this.#role === R_KEY || this.#role === R_ENV_VALUE
    const total = envelope && !this.#sawObjects ? bytes + this.#envBytes : bytes
    if (total > limit) {
      const what = envelope ? 'top-level object' : 'object'
      this.#failAt(
        'too-large',
        `${what} larger than ${limit} bytes`,
        this.#capStartOffset,
        this.#capStartLine,
      )
    }
  }

  #finishCapture(buf: Buffer, start: number, end: number): void {
    const size = this.#piecesBytes + (end - start)
    this.#checkSize(size)
    let bytes: Buffer
    if (this.#pieces.length === 0) {
      bytes = buf.subarray(start, end)
    } else {
      if (end > start) this.#pieces.push(buf.subarray(start, end))
      bytes = Buffer.concat(this.#pieces, size)
    }
    // decoding would put U+FFFD in place of each bad byte and store text the source never held; the
    // TAXII API refuses such a body too
    if (!isUtf8(bytes))
      this.#failAt('malformed', 'the input is not valid UTF-8', this.#capStartOffset, this.#capStartLine)
    const text = bytes.toString('utf8')
    this.#pieces = []
    this.#piecesBytes = 0
    const value = this.#parse(text)
    switch (this.#role) {
      case R_KEY:
        this.#envKey = value as string
        // the first line of JSON Lines is read as an envelope too, so a repeat is only an error once the
        // object is known to be the bundle
        if (this.#envRepeated === undefined && this.#envEntries.some(([k]) => k === this.#envKey))
          this.#envRepeated = this.#envKey
        if (this.#sawObjects) this.#refuseRepeatedInBundle(this.#capStartOffset)
        this.#envBytes += size
        this.#state = S_ENV_COLON
        return
      case R_ENV_VALUE:
        this.#envEntries.push([this.#envKey, value])
        this.#noteEnvelopeProblems(text)
        if (!this.#sawObjects) this.#envBytes += size
        if (this.#envKey === 'type' && this.#sawObjects) this.#checkBundleType(this.#capStartOffset)
        this.#state = S_ENV_AFTER_VALUE
        return
      case R_MEMBER:
        this.#emit(value, iJsonProblems(text))
        this.#state = S_ARR_AFTER_MEMBER
        return
      default:
        this.#emit(value, iJsonProblems(text))
        this.#state = S_JSONL_EOL
    }
  }

  #parse(text: string): unknown {
    try {
      return JSON.parse(text)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      const position = /at position (\d+)/.exec(message)
      let offset = this.#capStartOffset
      let line = this.#capStartLine
      if (position) {
        const before = text.slice(0, Number(position[1]))
        offset += Buffer.byteLength(before)
        for (let k = before.indexOf('\n'); k !== -1; k = before.indexOf('\n', k + 1)) line++
      }
      return this.#failAt('malformed', `invalid JSON: ${message}`, offset, line)
    }
  }

  /** Keeps the first problem of each kind in the envelope's values, for the object it may turn out to be. */
  #noteEnvelopeProblems(text: string): void {
    const found = iJsonProblems(text)
    this.#envRepeated ??= found.repeatedMember
    const inexact = found.inexactNumber
    // a number that is the whole value is the envelope member's own
    if (inexact !== undefined && this.#envInexact === undefined)
      this.#envInexact = inexact.member === undefined ? { ...inexact, member: this.#envKey } : inexact
  }

  #emit(value: unknown, problems: IJsonProblems, line = this.#capStartLine): void {
    const index = this.#count++
    const where =
      this.#form === 'jsonl'
        ? `line ${line}: $`
        : this.#form === 'array'
          ? `$[${index}]`
          : `$.objects[${index}]`
    this.#out.push({
      index,
      where,
      text: JSON.stringify(value),
      value,
      ...(problems.repeatedMember !== undefined ? { repeatedMember: problems.repeatedMember } : {}),
      ...(problems.inexactNumber !== undefined ? { inexactNumber: problems.inexactNumber } : {}),
    })
  }

  #envType(): unknown {
    let type: unknown
    for (const [k, v] of this.#envEntries) if (k === 'type') type = v
    return type
  }

  #checkBundleType(offset: number): void {
    const type = this.#envType()
    if (type !== undefined && type !== 'bundle') {
      this.#fail(
        'not-a-bundle',
        `a top-level object with "objects" must have type "bundle", not ${JSON.stringify(type)}`,
        offset,
      )
    }
  }

  /** I-JSON names each member once; in the envelope, a repeat leaves it unclear which `type` was meant. */
  #refuseRepeatedInBundle(offset: number): void {
    if (this.#envRepeated !== undefined)
      this.#fail(
        'malformed',
        `the member ${JSON.stringify(this.#envRepeated)} is given twice in one object of the bundle's envelope`,
        offset,
      )
  }

  #endEnvelope(offset: number): void {
    const type = this.#envType()
    if (this.#sawObjects || type === 'bundle') {
      if (type !== 'bundle') this.#fail('not-a-bundle', 'the bundle has no "type": "bundle"', offset)
      this.#refuseRepeatedInBundle(offset)
      this.#form = 'bundle'
      this.#state = S_DONE
      return
    }
    // Not a bundle: acceptable only as the first line of JSON Lines.
    if (this.#line !== this.#envStartLine) {
      this.#failAt(
        'not-a-bundle',
        'the top-level object is not a STIX bundle (and spans several lines, so it is not JSON Lines either)',
        this.#envStartOffset,
        this.#envStartLine,
      )
    }
    this.#form = 'jsonl'
    const value = Object.fromEntries(this.#envEntries)
    this.#envEntries = []
    const problems: IJsonProblems = {
      ...(this.#envRepeated !== undefined ? { repeatedMember: this.#envRepeated } : {}),
      ...(this.#envInexact !== undefined ? { inexactNumber: this.#envInexact } : {}),
    }
    this.#envRepeated = undefined
    this.#envInexact = undefined
    this.#emit(value, problems, this.#envStartLine)
    this.#state = S_JSONL_EOL
  }

  #endArray(): void {
    if (this.#inObjects) {
      this.#inObjects = false
      this.#state = S_ENV_AFTER_VALUE
    } else {
      this.#state = S_DONE
    }
  }

  #fail(code: BundleReadErrorCode, message: string, offset: number): never {
    return this.#failAt(code, message, offset, this.#line)
  }

  #failAt(code: BundleReadErrorCode, message: string, offset: number, line: number): never {
    throw new BundleReadError(code, message, offset, line)
  }
}
