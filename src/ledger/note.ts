import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto'
import { LedgerError } from './errors.js'
import { fromBase64Strict, toBase64 } from './hash.js'
import {
  isValidKeyName,
  type NodeSigningKey,
  type NoteVerifier,
  parseVerifierKey,
  SIGNATURE_COSIGNATURE_V1,
} from './note-key.js'

/** One signature line of a note: `— <name> base64(keyID || signature)`. */
export interface NoteSignature {
  readonly name: string
  readonly keyId: number
  /** The signature bytes after the 4-byte key ID (for cosignatures: timestamp || signature). */
  readonly signature: Uint8Array
}

/** A parsed (not yet verified) signed note. */
export interface Note {
  /** The signed text, ending in "\n". */
  readonly text: string
  readonly signatures: readonly NoteSignature[]
}

/** Who signed: a (name, key ID) pair. */
export interface NoteSigner {
  readonly name: string
  readonly keyId: number
}

/** Outcome of `verifyNote`. */
export type NoteVerification =
  | {
      readonly ok: true
      readonly text: string
      /** Signatures by known keys, all verified. */
      readonly verified: readonly NoteSigner[]
      /** Signatures by keys not in the verifier list (ignored, as C2SP requires). */
      readonly unverified: readonly NoteSigner[]
    }
  | {
      readonly ok: false
      readonly code: 'malformed' | 'no_verifiable_signatures' | 'invalid_signature' | 'ambiguous_key'
      readonly reason: string
    }

/** More signature lines than this make a note malformed (C2SP requires accepting at least 16). */
export const MAX_NOTE_SIGNATURES = 100

const EM_DASH_PREFIX = '\u2014 '
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function malformed(message: string): never {
  throw new LedgerError('malformed_note', message)
}

function checkNoteText(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 && c !== 0x0a)
      malformed(`${what} contains control character U+${c.toString(16).padStart(4, '0')}`)
  }
  if (/\p{Cs}/u.test(text)) malformed(`${what} is not valid UTF-8`)
}

/** Parses a signed note (text, blank line, signature lines); throws `malformed_note`. Signatures are not checked. */
export function parseNote(note: string | Uint8Array): Note {
  let text: string
  if (typeof note === 'string') {
    text = note
  } else {
    try {
      text = utf8.decode(note)
    } catch {
      return malformed('note is not valid UTF-8')
    }
  }
  checkNoteText(text, 'note')
  const split = text.lastIndexOf('\n\n')
  if (split < 0) malformed('note has no blank line before its signatures')
  const body = text.slice(0, split + 1)
  const block = text.slice(split + 2)
  if (block.length === 0 || !block.endsWith('\n'))
    malformed('signature block must be non-empty and end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_NOTE_SIGNATURES) malformed(`note has more than ${MAX_NOTE_SIGNATURES} signatures`)
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(EM_DASH_PREFIX))
      malformed('signature line does not start with an em dash and a space')
    const rest = line.slice(EM_DASH_PREFIX.length)
    const space = rest.indexOf(' ')
    const name = space < 0 ? '' : rest.slice(0, space)
    if (!isValidKeyName(name)) malformed('signature line has no valid key name')
    const bytes = fromBase64Strict(rest.slice(space + 1))
    if (bytes === null || bytes.length < 5)
      malformed(`signature by ${name} is not base64 of key ID and signature`)
    return { name, keyId: bytes.readUInt32BE(0), signature: new Uint8Array(bytes.subarray(4)) }
  })
  return { text: body, signatures }
}

function checkSignable(text: string): void {
  if (text.length === 0 || !text.endsWith('\n'))
    malformed('note text must be non-empty and end with a newline')
  checkNoteText(text, 'note text')
}

function signatureLine(key: NodeSigningKey, text: string): string {
  const signature = cryptoSign(null, Buffer.from(text, 'utf8'), key.privateKey)
  const id = Buffer.alloc(4)
  id.writeUInt32BE(key.keyId)
  return `${EM_DASH_PREFIX}${key.name} ${toBase64(Buffer.concat([id, signature]))}\n`
}

/** Signs `text` (which must end in "\n") with one or more Ed25519 keys; returns the note. */
export function signNote(text: string, keys: NodeSigningKey | readonly NodeSigningKey[]): string {
  checkSignable(text)
  const list = Array.isArray(keys) ? (keys as readonly NodeSigningKey[]) : [keys as NodeSigningKey]
  if (list.length === 0) throw new LedgerError('invalid_argument', 'signNote needs at least one key')
  return `${text}\n${list.map((key) => signatureLine(key, text)).join('')}`
}

function verifySignature(verifier: NoteVerifier, text: string, signature: Uint8Array): boolean {
  if (verifier.type === SIGNATURE_COSIGNATURE_V1) {
    // cosignature/v1: timestamp (u64 BE) || Ed25519 signature over a header plus the checkpoint text.
    if (signature.length !== 8 + 64) return false
    const timestamp = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0)
    if (timestamp >= 2n ** 63n) return false
    const message = `cosignature/v1\ntime ${timestamp}\n${text}`
    return cryptoVerify(null, Buffer.from(message, 'utf8'), verifier.keyObject, signature.subarray(8))
  }
  if (signature.length !== 64) return false
  return cryptoVerify(null, Buffer.from(text, 'utf8'), verifier.keyObject, signature)
}

/**
 * Opens a signed note with the given verifier keys (vkey strings or parsed verifiers). Signatures by
 * unknown (name, key ID) pairs are ignored; any signature by a known key must verify; at least one must.
 */
export function verifyNote(
  note: string | Uint8Array,
  verifierKeys: readonly (string | NoteVerifier)[],
): NoteVerification {
  const verifiers = new Map<string, NoteVerifier>()
  for (const key of verifierKeys) {
    const verifier = typeof key === 'string' ? parseVerifierKey(key) : key
    const id = `${verifier.name}\u0000${verifier.keyId}`
    if (verifiers.has(id)) {
      return {
        ok: false,
        code: 'ambiguous_key',
        reason: `two verifier keys share name ${verifier.name} and key ID`,
      }
    }
    verifiers.set(id, verifier)
  }
  let parsed: Note
  try {
    parsed = parseNote(note)
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, code: 'malformed', reason: error.message }
    throw error
  }
  const verified: NoteSigner[] = []
  const unverified: NoteSigner[] = []
  const seen = new Set<string>()
  for (const { name, keyId, signature } of parsed.signatures) {
    const id = `${name}\u0000${keyId}`
    const verifier = verifiers.get(id)
    if (verifier === undefined) {
      unverified.push({ name, keyId })
      continue
    }
    if (seen.has(id)) continue
    seen.add(id)
    if (!verifySignature(verifier, parsed.text, signature)) {
      return { ok: false, code: 'invalid_signature', reason: `signature by ${name} does not verify` }
    }
    verified.push({ name, keyId })
  }
  if (verified.length === 0) {
    return { ok: false, code: 'no_verifiable_signatures', reason: 'no signature by a known key' }
  }
  return { ok: true, text: parsed.text, verified, unverified }
}
