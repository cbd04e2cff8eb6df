import { LedgerError } from './errors.js'
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hash.js'
import { assertCount, decomposeRange, largestPowerOfTwoBelow } from './size.js'
import { type NodeKey, nodeKeyId } from './tree.js'

/**
 * Which stored nodes a proof (or root) needs. Each proof element is the hash of one subtree from the RFC
 * recursion; a perfect subtree is one stored node, a subtree on the right edge of a non-power-of-two tree is
 * the fold of its perfect parts (left to right, hashed right to left).
 */
export interface ProofPlan {
  /** One entry per proof element, in proof order (bottom-up), each listing its perfect parts left to right. */
  readonly elements: readonly (readonly NodeKey[])[]
  /** Every node to fetch, without duplicates: what an adapter reads in one query. */
  readonly keys: readonly NodeKey[]
}

/** Reads stored nodes; the map is keyed by `nodeKeyId`. Missing keys are simply absent from the map. */
export interface NodeReader {
  getNodes(keys: readonly NodeKey[]): Promise<Map<string, Uint8Array>>
}

/** Persists stored nodes (the output of `appendLeaves`), idempotently. */
export interface NodeWriter {
  putNodes(nodes: readonly { level: number; index: number; hash: Uint8Array }[]): Promise<void>
}

function planOf(elements: NodeKey[][]): ProofPlan {
  const seen = new Set<string>()
  const keys: NodeKey[] = []
  for (const element of elements) {
    for (const key of element) {
      const id = nodeKeyId(key)
      if (!seen.has(id)) {
        seen.add(id)
        keys.push(key)
      }
    }
  }
  return { elements, keys }
}

/** Several plans' keys as one list without duplicates, for fetching them all in one query. */
export function planKeys(...plans: ProofPlan[]): NodeKey[] {
  const seen = new Set<string>()
  const keys: NodeKey[] = []
  for (const plan of plans) {
    for (const key of plan.keys) {
      const id = nodeKeyId(key)
      if (!seen.has(id)) {
        seen.add(id)
        keys.push(key)
      }
    }
  }
  return keys
}

/** Nodes needed for the inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export function inclusionProofPlan(index: number, size: number): ProofPlan {
  assertCount(index, 'index')
  assertCount(size, 'size')
  if (index >= size) throw new LedgerError('invalid_argument', `no leaf ${index} in a tree of size ${size}`)
  const topDown: NodeKey[][] = []
  let lo = 0
  let n = size
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n)
    if (index - lo < k) {
      topDown.push(decomposeRange(lo + k, n - k))
      n = k
    } else {
      topDown.push(decomposeRange(lo, k))
      lo += k
      n -= k
    }
  }
  return planOf(topDown.reverse())
}

/** Nodes needed for the consistency proof from size `m` to size `n` (RFC 9162 §2.1.4.1); empty if m = n. */
export function consistencyProofPlan(m: number, n: number): ProofPlan {
  assertCount(m, 'old size')
  assertCount(n, 'new size')
  if (m === 0 || m > n) throw new LedgerError('invalid_argument', `no consistency proof from ${m} to ${n}`)
  const topDown: NodeKey[][] = []
  let lo = 0
  let width = n
  let rest = m
  let complete = true
  while (rest !== width) {
    const k = largestPowerOfTwoBelow(width)
    if (rest <= k) {
      topDown.push(decomposeRange(lo + k, width - k))
      width = k
    } else {
      topDown.push(decomposeRange(lo, k))
      lo += k
      width -= k
      rest -= k
      complete = false
    }
  }
  const bottomUp = topDown.reverse()
  if (!complete) bottomUp.unshift(decomposeRange(lo, width))
  return planOf(bottomUp)
}

/** Nodes needed for the root of the tree of `size` leaves: one element, the frontier (none for size 0). */
export function rootPlan(size: number): ProofPlan {
  assertCount(size, 'size')
  return planOf(size === 0 ? [] : [decomposeRange(0, size)])
}

function lookup(fetched: ReadonlyMap<string, Uint8Array>, key: NodeKey): Uint8Array {
  const hash = fetched.get(nodeKeyId(key))
  if (hash === undefined) throw new LedgerError('missing_node', `stored node ${nodeKeyId(key)} is missing`)
  if (hash.length !== HASH_SIZE)
    throw new LedgerError('missing_node', `stored node ${nodeKeyId(key)} is corrupt`)
  return hash
}

function fold(parts: readonly NodeKey[], fetched: ReadonlyMap<string, Uint8Array>): Uint8Array {
  let hash = lookup(fetched, parts[parts.length - 1]!)
  for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(lookup(fetched, parts[i]!), hash)
  return hash
}

/** Builds the proof a plan describes from fetched nodes; throws `missing_node` if one is absent. */
export function assembleProof(plan: ProofPlan, fetched: ReadonlyMap<string, Uint8Array>): Uint8Array[] {
  return plan.elements.map((parts) => fold(parts, fetched))
}

/** `assembleProof` for an `inclusionProofPlan`. */
export const assembleInclusionProof = assembleProof
/** `assembleProof` for a `consistencyProofPlan`. */
export const assembleConsistencyProof = assembleProof

/** The root a `rootPlan` describes. */
export function assembleRoot(plan: ProofPlan, fetched: ReadonlyMap<string, Uint8Array>): Uint8Array {
  return plan.elements.length === 0 ? new Uint8Array(EMPTY_ROOT) : fold(plan.elements[0]!, fetched)
}

/** Inclusion proof of leaf `index` at tree size `size`, read from a node store in one call. */
export async function proveInclusion(reader: NodeReader, index: number, size: number): Promise<Uint8Array[]> {
  const plan = inclusionProofPlan(index, size)
  return assembleProof(plan, await reader.getNodes(plan.keys))
}

/** Consistency proof from size `m` to size `n`, read from a node store in one call. */
export async function proveConsistency(reader: NodeReader, m: number, n: number): Promise<Uint8Array[]> {
  const plan = consistencyProofPlan(m, n)
  return assembleProof(plan, await reader.getNodes(plan.keys))
}

/** The root of the tree at `size`, read from a node store in one call (any past size, not only the latest). */
export async function rootAt(reader: NodeReader, size: number): Promise<Uint8Array> {
  const plan = rootPlan(size)
  return assembleRoot(plan, await reader.getNodes(plan.keys))
}
