/**
 * Why a ledger value (entry bytes, note, checkpoint, key, tile path) was rejected.
 * Kept as a small closed set so the CLI and HTTP layers can map them once.
 */
export type LedgerErrorCode =
  | 'invalid_argument'
  | 'malformed_entry'
  | 'non_canonical_entry'
  | 'malformed_note'
  | 'malformed_checkpoint'
  | 'malformed_key'
  | 'malformed_tile_path'
  | 'missing_node'
  | 'conflicting_node'
  | 'key_file'

/** The one error class of `src/ledger/`: a typed code, a message, and (for entries) the JSON path at fault. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError'
  readonly code: LedgerErrorCode
  readonly path: readonly (string | number)[]

  constructor(code: LedgerErrorCode, message: string, path: readonly (string | number)[] = []) {
    super(message)
    this.code = code
    this.path = path
  }
}
