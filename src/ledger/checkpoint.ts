import { LedgerError } from './errors.js'
import { fromBase64Strict, HASH_SIZE, toBase64 } from './hash.js'
import { signNote, verifyNote } from './note.js'
import type { NodeSigningKey, NoteVerifier } from './note-key.js'

/** A C2SP tlog-checkpoint: what a log commits to at one size. */
export interface Checkpoint {
  /** The log's identity, e.g. `ledger.meridia.example/partner/northland-deb`. */
  readonly origin: string
  readonly size: number
  readonly rootHash: Uint8Array
  /** Opaque extension lines (not recommended by C2SP; Sluice writes none). */
  readonly extensions: readonly string[]
}

function malformed(message: string): never {
  throw new LedgerError('malformed_checkpoint', message)
}

/** The checkpoint body: origin, decimal size, base64 root hash, extension lines, each ending in "\n". */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint
  if (origin.length === 0 || origin.includes('\n')) malformed('origin must be one non-empty line')
  if (!Number.isSafeInteger(size) || size < 0)
    malformed(`tree size ${String(size)} is not a non-negative integer`)
  if (rootHash.length !== HASH_SIZE) malformed(`root hash must be ${HASH_SIZE} bytes`)
  for (const line of extensions) if (line.length === 0 || line.includes('\n')) malformed('bad extension line')
  return [origin, String(size), toBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('')
}

/**
 * Parses a checkpoint body (the text of a checkpoint note); throws `malformed_checkpoint`. Sizes above
 * 2^53 - 1 are valid C2SP but rejected here as unsupported.
 */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) malformed('checkpoint must end with a newline')
  const lines = body.slice(0, -1).split('\n')
  if (lines.length < 3) malformed('checkpoint needs origin, size and root hash lines')
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]]
  if (origin.length === 0) malformed('origin line is empty')
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText))
    malformed(`tree size ${JSON.stringify(sizeText)} is not a decimal number`)
  const big = BigInt(sizeText)
  if (big >= 2n ** 64n) malformed(`tree size ${sizeText} does not fit in 64 bits`)
  if (big > BigInt(Number.MAX_SAFE_INTEGER))
    malformed(`tree size ${sizeText} is beyond what this node supports`)
  const rootHash = fromBase64Strict(rootText)
  if (rootHash === null || rootHash.length !== HASH_SIZE)
    malformed(`root hash is not base64 of ${HASH_SIZE} bytes`)
  for (const line of extensions) if (line.length === 0) malformed('extension lines must be non-empty')
  return { origin, size: Number(big), rootHash: new Uint8Array(rootHash), extensions }
}

/** Signs a checkpoint: the C2SP signed note over its body. */
export function signCheckpoint(
  checkpoint: Checkpoint,
  key: NodeSigningKey | readonly NodeSigningKey[],
): string {
  return signNote(formatCheckpoint(checkpoint), key)
}

/** Outcome of `openCheckpoint`. */
export type CheckpointVerification =
  | { readonly ok: true; readonly checkpoint: Checkpoint }
  | { readonly ok: false; readonly reason: string }

/**
 * Verifies a checkpoint note with the given verifier keys and parses its body. With `expectedOrigin`, the
 * origin line must match (C2SP: the log's key name SHOULD equal the origin; a recipient pins the origin).
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifierKeys: readonly (string | NoteVerifier)[],
  expectedOrigin?: string,
): CheckpointVerification {
  let result: ReturnType<typeof verifyNote>
  try {
    result = verifyNote(note, verifierKeys)
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, reason: error.message }
    throw error
  }
  if (!result.ok) return { ok: false, reason: `checkpoint signature: ${result.reason}` }
  let checkpoint: Checkpoint
  try {
    checkpoint = parseCheckpoint(result.text)
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, reason: error.message }
    throw error
  }
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    return { ok: false, reason: `checkpoint origin ${checkpoint.origin} is not ${expectedOrigin}` }
  }
  return { ok: true, checkpoint }
}
