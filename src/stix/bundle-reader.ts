import type { InexactNumber } from './i-json.js'
import { ObjectScanner } from './json-stream/object-scanner.js'

export { BundleReadError, type BundleReadErrorCode } from './json-stream/bundle-read-error.js'

/** One object read from the input. */
export interface ReadItem {
  /** 0-based position of the object in the input. */
  index: number
  /** Where the object is, for messages: `$.objects[3]` in a bundle, `$[3]` in an array, `line 4: $` in JSON Lines. */
  where: string
  /** Compact JSON text of the object, i.e. `JSON.stringify(JSON.parse(raw))`. */
  text: string
  /** The parsed object. */
  value: unknown
  /**
   * A member name the object gives twice (at any depth), which `value` hides: JSON.parse keeps the last.
   * STIX content is I-JSON (RFC 7493), so a caller refuses such an object.
   */
  repeatedMember?: string
  /**
   * A number that `value` holds changed, which a double cannot (1e999999 is Infinity, a 30-digit integer is
   * rounded). I-JSON (RFC 7493 §2.2) rules such numbers out, so a caller refuses the object rather than store it.
   */
  inexactNumber?: InexactNumber
}

export interface ReadObjectsOptions {
  /** Deepest nesting allowed inside one object; the object's own braces are level 1. Default 64. */
  maxDepth?: number
  /** Largest object accepted, in bytes of input. Default 16 MiB. */
  maxObjectBytes?: number
}

export const DEFAULT_MAX_DEPTH = 64
export const DEFAULT_MAX_OBJECT_BYTES = 16 * 1024 * 1024

/**
 * Streams the objects out of a STIX bundle, a bare JSON array of objects, or JSON Lines, holding at
 * most one object in memory at a time. The form is detected from the first bytes: `[` is an array;
 * `{` is a bundle if it has `objects` or `type: "bundle"`, otherwise the first line of JSON Lines.
 *
 * Errors are thrown as `BundleReadError` (with `code`, byte `offset` and `line`) when they are found;
 * objects before the error have already been yielded. A bundle's `type` may follow its `objects`, in
 * which case a wrong type is only reported after those objects.
 *
 * @example
 * for await (const { value } of readObjects(createReadStream('bundle.json'))) store(value)
 */
export async function* readObjects(
  input: AsyncIterable<Buffer | string>,
  options: ReadObjectsOptions = {},
): AsyncGenerator<ReadItem> {
  const scanner = new ObjectScanner({
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxObjectBytes: options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES,
  })
  // A string chunk may end between the two halves of a surrogate pair: hold the high half back.
  let pendingHigh = ''
  for await (const chunk of input) {
    let buf: Buffer
    if (typeof chunk === 'string') {
      let text = pendingHigh + chunk
      pendingHigh = ''
      const last = text.charCodeAt(text.length - 1)
      if (last >= 0xd800 && last <= 0xdbff) {
        pendingHigh = text.slice(-1)
        text = text.slice(0, -1)
      }
      buf = Buffer.from(text, 'utf8')
    } else {
      buf = chunk
    }
    yield* drain(scanner, () => scanner.write(buf))
  }
  yield* drain(scanner, () => {
    if (pendingHigh !== '') scanner.write(Buffer.from(pendingHigh, 'utf8'))
    scanner.end()
  })
}

/** Runs one scanner step, then yields what it completed, even when the step failed part-way. */
function* drain(scanner: ObjectScanner, step: () => void): Generator<ReadItem> {
  let failure: unknown
  let failed = false
  try {
    step()
  } catch (err) {
    failure = err
    failed = true
  }
  for (const item of scanner.take()) yield item
  if (failed) throw failure
}
