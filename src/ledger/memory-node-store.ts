import { LedgerError } from './errors.js'
import { bytesEqual, HASH_SIZE } from './hash.js'
import {
  assembleProof,
  assembleRoot,
  consistencyProofPlan,
  inclusionProofPlan,
  type NodeReader,
  type NodeWriter,
  rootPlan,
} from './proof.js'
import { type NodeKey, nodeKeyId, type StoredNode } from './tree.js'

/** Options for `MemoryNodeStore`. */
export interface MemoryNodeStoreOptions {
  /** Leaves the store should have room for up front (avoids regrowing buffers while a big tree is built). */
  readonly expectedLeaves?: number
}

/**
 * Stored nodes in memory, one contiguous buffer of 32-byte hashes per level (a tree of 10^7 leaves is
 * about 640 MB of buffers and no per-node objects). Append-only like the SQL stores: a node is written
 * once, rewriting it with the same hash is a no-op, with a different hash an error, and a level never has gaps.
 */
export class MemoryNodeStore implements NodeReader, NodeWriter {
  private readonly levels: Buffer[] = []
  private readonly counts: number[] = []
  private readonly expectedLeaves: number

  constructor(options: MemoryNodeStoreOptions = {}) {
    this.expectedLeaves = options.expectedLeaves ?? 0
  }

  /** Number of leaves stored (nodes at level 0). */
  get leafCount(): number {
    return this.counts[0] ?? 0
  }

  /** Number of nodes stored at `level`. */
  nodeCount(level: number): number {
    return this.counts[level] ?? 0
  }

  /** The hash stored at (level, index), as a view into the store's buffer (do not modify it), or undefined. */
  getNode(level: number, index: number): Uint8Array | undefined {
    const count = this.counts[level] ?? 0
    if (!Number.isInteger(index) || index < 0 || index >= count) return undefined
    const start = index * HASH_SIZE
    return this.levels[level]!.subarray(start, start + HASH_SIZE)
  }

  /** Synchronous `getNodes`. */
  getNodesSync(keys: readonly NodeKey[]): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>()
    for (const key of keys) {
      const hash = this.getNode(key.level, key.index)
      if (hash !== undefined) out.set(nodeKeyId(key), hash)
    }
    return out
  }

  async getNodes(keys: readonly NodeKey[]): Promise<Map<string, Uint8Array>> {
    return this.getNodesSync(keys)
  }

  /** Synchronous `putNodes`. */
  putNodesSync(nodes: readonly StoredNode[]): void {
    for (const node of nodes) this.putNode(node)
  }

  async putNodes(nodes: readonly StoredNode[]): Promise<void> {
    this.putNodesSync(nodes)
  }

  /** Inclusion proof read from this store, synchronously. */
  inclusionProof(index: number, size: number): Uint8Array[] {
    const plan = inclusionProofPlan(index, size)
    return assembleProof(plan, this.getNodesSync(plan.keys))
  }

  /** Consistency proof read from this store, synchronously. */
  consistencyProof(m: number, n: number): Uint8Array[] {
    const plan = consistencyProofPlan(m, n)
    return assembleProof(plan, this.getNodesSync(plan.keys))
  }

  /** Root at any stored size, synchronously. */
  rootAt(size: number): Uint8Array {
    const plan = rootPlan(size)
    return assembleRoot(plan, this.getNodesSync(plan.keys))
  }

  private putNode(node: StoredNode): void {
    const { level, index, hash } = node
    if (!Number.isInteger(level) || level < 0 || level > 63 || !Number.isSafeInteger(index) || index < 0) {
      throw new LedgerError('invalid_argument', `bad node key ${level}/${index}`)
    }
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new LedgerError('invalid_argument', `node ${level}/${index} hash is not ${HASH_SIZE} bytes`)
    }
    while (this.levels.length <= level) {
      this.levels.push(Buffer.alloc(0))
      this.counts.push(0)
    }
    const count = this.counts[level]!
    if (index < count) {
      if (!bytesEqual(this.getNode(level, index)!, hash)) {
        throw new LedgerError(
          'conflicting_node',
          `node ${level}/${index} is already stored with another hash`,
        )
      }
      return
    }
    if (index > count) {
      throw new LedgerError(
        'invalid_argument',
        `node ${level}/${index} would leave a gap after ${count} nodes`,
      )
    }
    let buffer = this.levels[level]!
    if (buffer.length < (count + 1) * HASH_SIZE) {
      const hinted = Math.ceil(this.expectedLeaves / 2 ** level)
      const capacity = Math.max(64, hinted > count ? hinted : 0, count * 2)
      const grown = Buffer.allocUnsafe(capacity * HASH_SIZE)
      buffer.copy(grown, 0, 0, count * HASH_SIZE)
      buffer = grown
      this.levels[level] = buffer
    }
    buffer.set(hash, count * HASH_SIZE)
    this.counts[level] = count + 1
  }
}
