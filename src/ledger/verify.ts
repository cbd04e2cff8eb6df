import { bytesEqual, HASH_SIZE, nodeHash } from './hash.js'
import { isCount } from './size.js'

/** Outcome of a proof check: a reason accompanies every rejection. */
export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string }

const OK: VerifyResult = Object.freeze({ ok: true })
const fail = (reason: string): VerifyResult => ({ ok: false, reason })

function badHash(what: string, value: Uint8Array): VerifyResult | null {
  return value instanceof Uint8Array && value.length === HASH_SIZE
    ? null
    : fail(`${what} is ${value?.length ?? 'not'} bytes, expected ${HASH_SIZE}`)
}

function badProof(proof: readonly Uint8Array[]): VerifyResult | null {
  for (let i = 0; i < proof.length; i++) {
    const bad = badHash(`proof[${i}]`, proof[i]!)
    if (bad) return bad
  }
  return null
}

const isOdd = (n: number): boolean => n % 2 === 1
const half = (n: number): number => Math.floor(n / 2)

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false
  while (n % 2 === 0) n /= 2
  return n === 1
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leafHash` is leaf `index` of the tree of `size` leaves whose
 * root is `root`? Every hash must be 32 bytes (otherwise an empty leaf and empty root "verify" at size 1).
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): VerifyResult {
  if (!isCount(index) || !isCount(size)) return fail('index and size must be non-negative safe integers')
  if (index >= size) return fail(`leaf index ${index} is outside a tree of size ${size}`)
  const bad = badHash('leaf hash', leafHash) ?? badHash('root', root) ?? badProof(proof)
  if (bad) return bad
  let fn = index
  let sn = size - 1
  let r: Uint8Array = leafHash
  for (const p of proof) {
    if (sn === 0) return fail(`proof is too long for leaf ${index} of ${size}`)
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r)
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (sn !== 0) return fail(`proof is too short for leaf ${index} of ${size}`)
  if (!bytesEqual(r, root)) return fail('recomputed root does not match the expected root')
  return OK
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree (`size1`, `root1`) is a prefix of (`size2`, `root2`)?
 * Edge cases the RFC leaves open follow transparency-dev/merkle: equal sizes need an empty proof and equal
 * roots; `size1 = 0` is rejected (a client treats "no previous checkpoint" as trivially consistent itself).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): VerifyResult {
  if (!isCount(size1) || !isCount(size2)) return fail('sizes must be non-negative safe integers')
  if (size2 < size1) return fail(`new size ${size2} is smaller than old size ${size1}`)
  if (size1 === 0) return fail('a consistency proof from the empty tree is meaningless')
  const bad = badHash('old root', root1) ?? badHash('new root', root2) ?? badProof(proof)
  if (bad) return bad
  if (size1 === size2) {
    if (proof.length !== 0) return fail('sizes are equal but the proof is not empty')
    return bytesEqual(root1, root2) ? OK : fail('sizes are equal but the roots differ')
  }
  if (proof.length === 0) return fail('empty consistency proof')
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof
  let fn = size1 - 1
  let sn = size2 - 1
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  let fr: Uint8Array = path[0]!
  let sr: Uint8Array = path[0]!
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!
    if (sn === 0) return fail('consistency proof is too long')
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (sn !== 0) return fail('consistency proof is too short')
  if (!bytesEqual(fr, root1)) return fail('proof does not rebuild the old root')
  if (!bytesEqual(sr, root2)) return fail('proof does not rebuild the new root')
  return OK
}
