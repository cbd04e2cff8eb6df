import { createHash } from 'node:crypto'
import { leafHash } from '../../src/ledger/index.js'

/** Deterministic distinct leaf hashes for tests: leafHash of "leaf <seed> <i>". */
export function makeLeafHashes(count: number, seed = 0): Buffer[] {
  return Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`leaf ${seed} ${i}`)))
}

/** A copy of `bytes` with one bit flipped. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  const at = bit % (out.length * 8)
  out[at >> 3]! ^= 1 << (at & 7)
  return out
}

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex')
