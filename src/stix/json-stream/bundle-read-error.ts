/** What went wrong while streaming a bundle, as a stable code callers can branch on. */
export type BundleReadErrorCode =
  /** The bytes are not JSON, or not the JSON the form requires (e.g. a member that is not an object). */
  | 'malformed'
  /** An object nests deeper than `maxDepth`. */
  | 'too-deep'
  /** An object is larger than `maxObjectBytes`. */
  | 'too-large'
  /** A top-level JSON object that is not a STIX bundle (wrong or missing `type`, `objects` not an array). */
  | 'not-a-bundle'
  /** Non-whitespace bytes after the end of the bundle or array. */
  | 'trailing-data'

/**
 * Raised by `readObjects` for any input it cannot read. `offset` is the 0-based byte offset in the
 * input (UTF-8) where the problem was found; `line` is the 1-based line of that byte.
 */
export class BundleReadError extends Error {
  override readonly name = 'BundleReadError'
  readonly code: BundleReadErrorCode
  readonly offset: number
  readonly line: number

  constructor(code: BundleReadErrorCode, message: string, offset: number, line: number) {
    super(`${message} (at byte ${offset}, line ${line})`)
    this.code = code
    this.offset = offset
    this.line = line
  }
}
