import { createHash, hash as oneShotHash } from 'node:crypto'
import { LedgerError } from './errors.js'

/** Bytes of one SHA-256 hash; every tree hash, proof element and root has exactly this length. */
export const HASH_SIZE = 32

// Scratch buffers: the hot path copies prefix and input into one buffer and makes one one-shot digest
// (crypto.hash is about twice as fast as createHash for inputs this small). Safe: all of this is synchronous.
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE)
nodeScratch[0] = 0x01
const LEAF_SCRATCH_MAX = 16 * 1024
const leafScratch = Buffer.alloc(1 + LEAF_SCRATCH_MAX)

// Digests are taken as latin1 text (one char per byte, exact) and copied into a shared slab, of which each
// result is a 32-byte view: a digest returned as a Buffer gets an ArrayBuffer of its own, which costs as much
// as the hashing and more to collect (appends hash ~4 times per disclosure). A view keeps its slab alive,
// as Buffer's own pool does.
const SLAB_SIZE = 2048 * HASH_SIZE
let slab = Buffer.allocUnsafe(SLAB_SIZE)
let slabAt = 0

/** SHA-256 of `data` written at `out[at…at+32)`; returns that view. */
function digestInto(data: Uint8Array, out: Buffer, at: number): Buffer {
  out.write(oneShotHash('sha256', data, 'binary'), at, HASH_SIZE, 'latin1')
  return out.subarray(at, at + HASH_SIZE)
}

/** The next 32 bytes of the slab, as a place to write a digest. */
function slabSlot(): number {
  if (slabAt === SLAB_SIZE) {
    slab = Buffer.allocUnsafe(SLAB_SIZE)
    slabAt = 0
  }
  slabAt += HASH_SIZE
  return slabAt - HASH_SIZE
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Buffer {
  const at = slabSlot()
  return digestInto(data, slab, at)
}

/** Lowercase hex SHA-256 of a text's UTF-8, or of bytes (what a disclosure entry says of the bytes served). */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShotHash('sha256', data, 'hex')
}

/** RFC 9162 §2.1.1 leaf hash: SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Buffer {
  if (leaf.length <= LEAF_SCRATCH_MAX) {
    leafScratch.set(leaf, 1)
    return sha256(leafScratch.subarray(0, 1 + leaf.length))
  }
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest()
}

/**
 * RFC 9162 §2.1.1 interior node hash: SHA-256(0x01 || left || right).
 * Children of any length are accepted (the vectors hash short ones); tree code only ever passes 32-byte hashes.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    const at = slabSlot()
    return nodeHashInto(left, right, slab, at)
  }
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()
}

/** `nodeHash` of two 32-byte hashes written at `out[at…at+32)` (a store's packed run of nodes); returns that view. */
export function nodeHashInto(left: Uint8Array, right: Uint8Array, out: Buffer, at: number): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    throw new LedgerError('invalid_argument', `node children must be ${HASH_SIZE} bytes`)
  nodeScratch.set(left, 1)
  nodeScratch.set(right, 1 + HASH_SIZE)
  return digestInto(nodeScratch, out, at)
}

const LEAF_PREFIX = Uint8Array.of(0x00)
const NODE_PREFIX = Uint8Array.of(0x01)

/** MTH({}) = SHA-256(""), the root of the empty tree. Shared: never modify it. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0))

/** Byte equality (hashes are public data: no constant-time compare needed). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** True for a 32-byte hash. */
export function isHash(value: Uint8Array): boolean {
  return value instanceof Uint8Array && value.length === HASH_SIZE
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Bytes of a lowercase or uppercase hex string of even length; throws `invalid_argument` otherwise. */
export function fromHex(hex: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new LedgerError('invalid_argument', `not a hex string: ${JSON.stringify(hex.slice(0, 80))}`)
  }
  return Buffer.from(hex, 'hex')
}

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/**
 * Strict standard base64 with padding: returns null unless `text` is the canonical encoding of some bytes
 * (Node's decoder silently skips junk; we re-encode and compare instead).
 */
export function fromBase64Strict(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : null
}
