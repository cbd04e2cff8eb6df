import { LedgerError } from './errors.js'
import { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, nodeHashInto } from './hash.js'
import { assertCount, decomposeRange } from './size.js'

/**
 * A stored node: the root of the perfect subtree at (`level`, `index`), which covers leaves
 * [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes. Only complete subtrees are stored,
 * so a stored node never changes once written.
 */
export interface NodeKey {
  readonly level: number
  readonly index: number
}

/** A node key with its hash, as the store persists it. */
export interface StoredNode extends NodeKey {
  readonly hash: Uint8Array
}

/** The string a node key is known by in fetched maps: `"<level>/<index>"`, both decimal. */
export function nodeKeyId(key: NodeKey): string {
  return `${key.level}/${key.index}`
}

/**
 * Hashes of the perfect subtrees along the right edge of a tree, left (largest) to right (smallest): one per
 * set bit of the tree size. It is all an append needs, and every element is itself a stored node.
 */
export type Frontier = readonly Uint8Array[]

/** What an append produces: the nodes to persist, and the new frontier, size and root. */
export interface AppendResult {
  readonly nodes: StoredNode[]
  readonly frontier: Uint8Array[]
  readonly size: number
  readonly root: Uint8Array
}

function popcount(n: number): number {
  let count = 0
  while (n > 0) {
    if (n % 2 === 1) count++
    n = Math.floor(n / 2)
  }
  return count
}

/**
 * Appends `leafHashes` (already leaf-hashed, 32 bytes each) to the tree of `size` leaves whose right edge is
 * `frontier`. Pure: returns every node completed by the append (leaf hashes at level 0 included), in
 * append order, for the store to persist in the same transaction.
 *
 * @example
 * const first = appendLeaves([], 0, [leafHash(a), leafHash(b)])   // nodes 0/0, 0/1, 1/0
 * const next = appendLeaves(first.frontier, first.size, [leafHash(c)])
 */
export function appendLeaves(
  frontier: Frontier,
  size: number,
  leafHashes: readonly Uint8Array[],
): AppendResult {
  const nodes: StoredNode[] = []
  const packed = appendPacked(frontier, size, leafHashes, (level, index, hash) =>
    nodes.push({ level, index, hash }),
  )
  return { nodes, frontier: packed.frontier, size: packed.size, root: frontierRoot(packed.frontier) }
}

/** What `appendPacked` produces: the interior nodes in one buffer, and the new frontier and size. */
export interface PackedAppend {
  /** Every node of level ≥ 1 completed by the append, 32 bytes each, in completion order. */
  readonly interior: Buffer
  readonly frontier: Uint8Array[]
  readonly size: number
}

/**
 * `appendLeaves` for a store: the completed interior nodes are hashed straight into one buffer (the form a
 * store keeps them in), with no object per node. `visit`, if given, sees every completed node, leaves
 * included, in append order.
 */
export function appendPacked(
  frontier: Frontier,
  size: number,
  leafHashes: readonly Uint8Array[],
  visit?: (level: number, index: number, hash: Uint8Array) => void,
): PackedAppend {
  assertCount(size, 'size')
  if (frontier.length !== popcount(size)) {
    throw new LedgerError(
      'invalid_argument',
      `a tree of size ${size} has ${popcount(size)} frontier hashes, got ${frontier.length}`,
    )
  }
  const end = size + leafHashes.length
  if (!Number.isSafeInteger(end)) throw new LedgerError('invalid_argument', 'tree size overflow')
  // a tree of n leaves holds n − popcount(n) interior nodes
  const interior = Buffer.allocUnsafe((end - popcount(end) - (size - popcount(size))) * HASH_SIZE)
  let at = 0
  const stack = frontier.slice()
  let n = size
  for (let i = 0; i < leafHashes.length; i++) {
    const leaf = leafHashes[i]!
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
      throw new LedgerError('invalid_argument', `leaf hash ${i} is not ${HASH_SIZE} bytes`)
    }
    visit?.(0, n, leaf)
    let right: Uint8Array = leaf
    let level = 0
    let index = n
    // Each trailing 1 bit of the leaf index closes one perfect subtree.
    while (index % 2 === 1) {
      right = nodeHashInto(stack.pop()!, right, interior, at)
      at += HASH_SIZE
      level++
      index = (index - 1) / 2
      visit?.(level, index, right)
    }
    stack.push(right)
    n++
  }
  return { interior, frontier: stack, size: n }
}

/** The tree root given its frontier (the empty frontier is the empty tree). */
export function frontierRoot(frontier: Frontier): Uint8Array {
  if (frontier.length === 0) return new Uint8Array(EMPTY_ROOT)
  let root = frontier[frontier.length - 1]!
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i]!, root)
  return root
}

/** The stored nodes that make up the frontier of a tree of `size` leaves, left to right. */
export function frontierPlan(size: number): NodeKey[] {
  assertCount(size, 'size')
  return decomposeRange(0, size)
}

/** Root of a list of leaf hashes (RFC 9162 §2.1.2 stack algorithm). */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  return appendLeaves([], 0, leafHashes).root
}

/** Root of a list of raw leaves (each is leaf-hashed first). */
export function merkleRootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(leaves.map(leafHash))
}
