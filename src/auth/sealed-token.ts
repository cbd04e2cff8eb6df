import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * Tokens the node hands out and takes back (paging cursors) that a holder can neither read nor alter:
 * AES-256-GCM with a fresh random IV per token, as base64url of `iv ‖ ciphertext ‖ tag`. The key is
 * derived from a node secret with HKDF-SHA256 under a label naming the token's purpose, so the secret
 * is never used raw and a token of one kind never opens as another. GCM hides the content, not its
 * length: callers encode numbers at a fixed width.
 *
 * @example
 * const sealer = new TokenSealer(await store.secret('cursor'), 'sluice taxii cursor v2')
 * const token = sealer.seal(Buffer.from('position'))
 * sealer.open(token) // Buffer 'position'; undefined for any token it did not seal
 */
export class TokenSealer {
  readonly #key: Buffer

  constructor(secret: Buffer, label: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), label, 32))
  }

  seal(plaintext: Uint8Array): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
  }

  /** The sealed bytes, or undefined for anything this sealer did not seal (bad base64url, too short, altered). */
  open(token: string): Buffer | undefined {
    const bytes = Buffer.from(token, 'base64url')
    // Buffer skips characters outside the alphabet and ignores the spare bits of the last one: only the
    // exact text we issued is ours, so no two spellings of one token are accepted
    if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) return undefined
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES))
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ])
    } catch {
      return undefined
    }
  }
}

/** A non-negative safe integer as 8 bytes, so a sealed token's length says nothing of its size. */
export function uint64(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a count: ${value}`)
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(value))
  return bytes
}

/** Inverse of uint64, for bytes this node sealed: the caller checks there are 8 at `offset`. */
export function readUint64(bytes: Buffer, offset: number): number {
  return Number(bytes.readBigUInt64BE(offset))
}
