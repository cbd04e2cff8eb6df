import { EMPTY_ROOT, nodeHash } from './hash.js'
import { assertCount, largestPowerOfTwoBelow } from './size.js'

// The recursive definitions of RFC 9162 §2.1, written as literally as possible. O(n) per call: they are the
// yardstick the stored-node path is tested against, and a fallback for small in-memory trees.

/** MTH(D[lo:hi]) over leaf hashes, by the recursive definition (RFC 9162 §2.1.1). */
export function referenceRoot(leafHashes: readonly Uint8Array[], lo = 0, hi = leafHashes.length): Uint8Array {
  const n = hi - lo
  if (n === 0) return EMPTY_ROOT
  if (n === 1) return leafHashes[lo]!
  const k = largestPowerOfTwoBelow(n)
  return nodeHash(referenceRoot(leafHashes, lo, lo + k), referenceRoot(leafHashes, lo + k, hi))
}

/** PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), bottom-up. */
export function referenceInclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number,
  size = leafHashes.length,
): Uint8Array[] {
  assertCount(index, 'index')
  if (index >= size || size > leafHashes.length) throw new RangeError(`no leaf ${index} in a tree of ${size}`)
  const path = (m: number, lo: number, hi: number): Uint8Array[] => {
    const n = hi - lo
    if (n === 1) return []
    const k = largestPowerOfTwoBelow(n)
    return m < k
      ? [...path(m, lo, lo + k), referenceRoot(leafHashes, lo + k, hi)]
      : [...path(m - k, lo + k, hi), referenceRoot(leafHashes, lo, lo + k)]
  }
  return path(index, 0, size)
}

/** PROOF(m, D[0:n]) (RFC 9162 §2.1.4.1); empty when m = n. */
export function referenceConsistencyProof(
  leafHashes: readonly Uint8Array[],
  m: number,
  n = leafHashes.length,
): Uint8Array[] {
  assertCount(m, 'old size')
  if (m === 0 || m > n || n > leafHashes.length)
    throw new RangeError(`no consistency proof from ${m} to ${n}`)
  const subproof = (m: number, lo: number, hi: number, complete: boolean): Uint8Array[] => {
    const n = hi - lo
    if (m === n) return complete ? [] : [referenceRoot(leafHashes, lo, hi)]
    const k = largestPowerOfTwoBelow(n)
    return m <= k
      ? [...subproof(m, lo, lo + k, complete), referenceRoot(leafHashes, lo + k, hi)]
      : [...subproof(m - k, lo + k, hi, false), referenceRoot(leafHashes, lo, lo + k)]
  }
  return subproof(m, 0, n, true)
}
