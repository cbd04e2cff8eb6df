import { decodeEntry, entryObjectKey } from '../ledger/entry.js'
import { HASH_SIZE } from '../ledger/hash.js'
import { appendPacked, type NodeKey, nodeKeyId } from '../ledger/tree.js'
import type { LedgerAppend, LedgerHead, LedgerLeaf, LedgerPosition } from './types.js'

/**
 * One row an adapter writes per log per append: a run of consecutive leaves of one log.
 *
 * - `nodes`: every interior node (level ≥ 1) completed by these leaves, 32 bytes each, in completion
 *   order (for each leaf, the nodes it closes from level 1 up). Node (L, i) is completed by leaf
 *   (i + 1)·2^L − 1, so it lives in the chunk holding that leaf, at `nodeOffset`.
 * - The leaves themselves: either their bytes (`bytes` concatenated, `ends` the end offset of each
 *   as a u32 LE, `keyHashes` the `keyHash` of each one's object key, or null when none has one (chunks
 *   written before key hashes keep a JSON array of the keys in the `keys` column), `hashes` their
 *   leaf hashes, 32 bytes each, kept in a small row of their own), or, when the
 *   same entries went to another log in the same append as a contiguous run, a reference to that
 *   log's chunk (`ref`, an index into the plan's chunks, and `refOffset`, the first leaf of the run
 *   in it). A partner log's disclosures therefore refer to the global log's bytes instead of
 *   holding a second copy. A referenced chunk always holds bytes.
 *
 * Leaf hashes are stored apart from the chunk row because every inclusion proof needs one, and
 * reading anything from a chunk row at or after `bytes` walks the ~100 overflow pages before it
 * (~120 µs against ~10 µs). Chunks written before hashes were stored have none: readers hash the
 * leaf's bytes instead.
 */
export interface LedgerChunkPlan {
  logId: string
  start: number
  count: number
  nodes: Buffer
  ref: number | null
  refOffset: number
  ends: Buffer | null
  bytes: Buffer | null
  /** `keyHash` of each leaf's object key (0 for none), a u32 LE each, or null when no leaf has a key. */
  keyHashes: Buffer | null
  hashes: Buffer | null
}

/** Rows an adapter writes for one ledger append: the same for every SQL backend. */
export interface LedgerWritePlan {
  chunks: LedgerChunkPlan[]
  heads: LedgerHead[]
  positions: LedgerPosition[][]
}

interface Group {
  hashes: Uint8Array[]
  items: LedgerAppend[]
  slots: number[]
}

/** Where `group`'s entries sit as one contiguous run in an earlier byte-holding group, if they do. */
function findRun(owner: Group, positions: ReadonlyMap<number, number>, group: Group): number | undefined {
  const at = positions.get(group.slots[0]!)
  if (at === undefined || at + group.slots.length > owner.slots.length) return undefined
  for (let k = 1; k < group.slots.length; k++) if (owner.slots[at + k] !== group.slots[k]) return undefined
  return at
}

/**
 * Plans an append across logs given their current heads. Pure: the adapter loads the heads and
 * writes the plan (one chunk row per log, and the heads) inside one transaction.
 */
export function planLedgerAppend(
  heads: ReadonlyMap<string, LedgerHead>,
  entries: readonly LedgerAppend[],
): LedgerWritePlan {
  const byLog = new Map<string, Group>()
  const positions: LedgerPosition[][] = entries.map(() => [])
  entries.forEach((entry, slot) => {
    for (const logId of entry.logs) {
      let group = byLog.get(logId)
      if (!group) {
        group = { hashes: [], items: [], slots: [] }
        byLog.set(logId, group)
      }
      group.hashes.push(entry.leafHash)
      group.items.push(entry)
      group.slots.push(slot)
    }
  })
  const plan: LedgerWritePlan = { chunks: [], heads: [], positions }
  const owners: { chunk: number; group: Group; at: Map<number, number> }[] = []
  for (const [logId, group] of byLog) {
    const head = heads.get(logId) ?? { logId, size: 0, frontier: [] }
    const result = appendPacked(head.frontier, head.size, group.hashes)
    const count = group.items.length
    for (let i = 0; i < count; i++) positions[group.slots[i]!]!.push({ logId, index: head.size + i })
    const nodes = result.interior
    const chunk: LedgerChunkPlan = {
      logId,
      start: head.size,
      count,
      nodes,
      ref: null,
      refOffset: 0,
      ends: null,
      bytes: null,
      keyHashes: null,
      hashes: null,
    }
    for (const owner of owners) {
      const at = findRun(owner.group, owner.at, group)
      if (at !== undefined) {
        chunk.ref = owner.chunk
        chunk.refOffset = at
        break
      }
    }
    if (chunk.ref === null) {
      const ends = Buffer.allocUnsafe(4 * count)
      let end = 0
      group.items.forEach((e, i) => {
        end += e.bytes.length
        ends.writeUInt32LE(end, 4 * i)
      })
      chunk.ends = ends
      chunk.bytes = joinViews(
        group.items.map((e) => e.bytes),
        end,
      )
      chunk.hashes = joinViews(group.hashes, count * HASH_SIZE)
      if (group.items.some((e) => e.objectKey !== undefined)) {
        const keyHashes = Buffer.allocUnsafe(4 * count)
        group.items.forEach((e, i) => {
          keyHashes.writeUInt32LE(e.objectKey === undefined ? 0 : keyHash(e.objectKey), 4 * i)
        })
        chunk.keyHashes = keyHashes
      }
      owners.push({ chunk: plan.chunks.length, group, at: new Map(group.slots.map((s, i) => [s, i])) })
    }
    plan.chunks.push(chunk)
    plan.heads.push({ logId, size: result.size, frontier: result.frontier })
  }
  return plan
}

/**
 * `parts` as one buffer of `total` bytes: a view of theirs when they lie end to end in one buffer (as a
 * batch's encoded entries and leaf hashes usually do), else a copy. Saves a copy of the page's bytes,
 * and memory outside the heap whose every allocation brings the collector nearer.
 */
export function joinViews(parts: readonly Uint8Array[], total: number): Buffer {
  const first = parts[0]
  if (first === undefined) return Buffer.alloc(0)
  let next = first.byteOffset
  for (const p of parts) {
    if (p.buffer !== first.buffer || p.byteOffset !== next) return Buffer.concat(parts, total)
    next += p.byteLength
  }
  return next - first.byteOffset === total
    ? Buffer.from(first.buffer, first.byteOffset, total)
    : Buffer.concat(parts, total)
}

/** Frontier hashes packed into one blob (32 bytes each) for storage. */
export function packFrontier(frontier: readonly Uint8Array[]): Buffer {
  return Buffer.concat(frontier.map((h) => Buffer.from(h)))
}

export function unpackFrontier(blob: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < blob.length; i += 32) out.push(blob.subarray(i, i + 32))
  return out
}

/** Interior nodes completed by leaves [0, n): each leaf closes one node per trailing 1 bit. */
function nodesBefore(n: number): number {
  let ones = 0
  for (let m = n; m > 0; m = Math.floor(m / 2)) ones += m % 2
  return n - ones
}

/** The leaf whose append completes a node: the last leaf it covers. */
export function completingLeaf(key: NodeKey): number {
  return (key.index + 1) * 2 ** key.level - 1
}

/** Byte offset of interior node `key` in the `nodes` blob of the chunk that starts at `chunkStart`. */
export function nodeOffset(chunkStart: number, key: NodeKey): number {
  return (nodesBefore(completingLeaf(key)) - nodesBefore(chunkStart) + key.level - 1) * HASH_SIZE
}

/**
 * A chunk's stored leaves: bytes concatenated, the u32 LE end offset of each, and their object keys, as a
 * JSON array (`keys`, chunks written before key hashes) or as `keyHash`es (`key_hashes`).
 */
export interface StoredLeaves {
  ends: Uint8Array
  bytes: Uint8Array
  keys: string | null
  key_hashes: Uint8Array | null
}

/**
 * A leaf's object key as a 32-bit FNV-1a hash of its UTF-16 code units, never 0 (0 marks a leaf without a
 * key). Four bytes per leaf, where the keys as JSON took ~80 a leaf, a sixth of what a page of disclosures
 * wrote; a match is only a candidate, confirmed from the leaf's own bytes.
 */
export function keyHash(objectKey: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < objectKey.length; i++) h = Math.imul(h ^ objectKey.charCodeAt(i), 0x01000193)
  return h >>> 0 || 1
}

/** The object key of the entry `bytes` encode (`entryObjectKey`); undefined for entries without one. */
function storedKey(bytes: Uint8Array): string | undefined {
  try {
    return entryObjectKey(decodeEntry(bytes))
  } catch {
    return undefined
  }
}

/** `keyHash(objectKey)` as the 4 bytes a chunk stores, for a substring test in SQL. */
export function keyHashBytes(objectKey: string): Buffer {
  const out = Buffer.allocUnsafe(4)
  out.writeUInt32LE(keyHash(objectKey))
  return out
}

/** Leaf `i` (0-based within the stored run) of `leaves`. */
export function leafAt(leaves: StoredLeaves, i: number): Uint8Array {
  const view = Buffer.from(leaves.ends.buffer, leaves.ends.byteOffset, leaves.ends.byteLength)
  const from = i === 0 ? 0 : view.readUInt32LE(4 * (i - 1))
  return leaves.bytes.subarray(from, view.readUInt32LE(4 * i))
}

/**
 * SQL `substr` arguments (1-based start, length) of the `ends` bytes that bound stored leaf `i`:
 * the end of leaf i − 1 (its start) and of leaf i. Read with `leafRange`.
 */
export function endsSlice(i: number): [start: number, length: number] {
  return i === 0 ? [1, 4] : [4 * i - 3, 8]
}

/** SQL `substr` arguments (1-based start, length) of stored leaf `i`'s hash in `hashes`. */
export function hashSlice(i: number): [start: number, length: number] {
  return [HASH_SIZE * i + 1, HASH_SIZE]
}

/** Byte range [from, to) of stored leaf `i` in `bytes`, from the `endsSlice` of `ends`. */
export function leafRange(slice: Uint8Array, i: number): [from: number, to: number] {
  const view = Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength)
  return i === 0 ? [0, view.readUInt32LE(0)] : [view.readUInt32LE(0), view.readUInt32LE(4)]
}

/**
 * A stored chunk row as both adapters read it. `leaves` loads (once) the stored leaves it uses:
 * its own, or the referenced chunk's, whose leaves `refOffset`… are this chunk's leaves 0….
 * `leafHash` reads the hash of one of those stored leaves alone (a proof needs one leaf hash, not
 * the whole run): the stored hash, or for a chunk written without hashes, the hash of its bytes.
 */
export interface ChunkRow {
  start: number
  count: number
  nodes: Uint8Array
  refOffset: number
  leaves(): Promise<StoredLeaves>
  leafHash(i: number): Promise<Uint8Array | undefined>
}

/** Leaves [from, to) of the log, clipped to the chunk, with their log indices. */
export async function chunkLeaves(chunk: ChunkRow, from: number, to: number): Promise<LedgerLeaf[]> {
  const lo = Math.max(from, chunk.start)
  const hi = Math.min(to, chunk.start + chunk.count)
  if (hi <= lo) return []
  const stored = await chunk.leaves()
  const out: LedgerLeaf[] = []
  for (let index = lo; index < hi; index++)
    out.push({ index, bytes: leafAt(stored, index - chunk.start + chunk.refOffset) })
  return out
}

/** The stored hash of `key` from the chunk holding its completing leaf, or undefined if not there. */
export async function chunkNode(chunk: ChunkRow, key: NodeKey): Promise<Uint8Array | undefined> {
  const leaf = completingLeaf(key)
  if (leaf < chunk.start || leaf >= chunk.start + chunk.count) return undefined
  if (key.level === 0) return chunk.leafHash(leaf - chunk.start + chunk.refOffset)
  const at = nodeOffset(chunk.start, key)
  return at + HASH_SIZE <= chunk.nodes.length ? chunk.nodes.subarray(at, at + HASH_SIZE) : undefined
}

/** The chunk's leaves whose object key is `objectKey`. */
export async function chunkKeyMatches(chunk: ChunkRow, objectKey: string): Promise<LedgerLeaf[]> {
  const stored = await chunk.leaves()
  const out: LedgerLeaf[] = []
  if (stored.keys !== null) {
    const keys = JSON.parse(stored.keys) as (string | null)[]
    for (let i = 0; i < chunk.count; i++)
      if (keys[i + chunk.refOffset] === objectKey)
        out.push({ index: chunk.start + i, bytes: leafAt(stored, i + chunk.refOffset) })
    return out
  }
  const hashes = stored.key_hashes
  if (hashes === null) return out
  const view = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength)
  const wanted = keyHash(objectKey)
  for (let i = 0; i < chunk.count; i++) {
    const at = 4 * (i + chunk.refOffset)
    if (at + 4 > view.length || view.readUInt32LE(at) !== wanted) continue
    const bytes = leafAt(stored, i + chunk.refOffset)
    if (storedKey(bytes) === objectKey) out.push({ index: chunk.start + i, bytes })
  }
  return out
}

/** The distinct leaves completing `keys`, ascending: the chunks holding them are all a read needs. */
export function completingLeaves(keys: readonly NodeKey[]): number[] {
  return [...new Set(keys.map(completingLeaf))].sort((a, b) => a - b)
}

/** The chunk holding log leaf `leaf`, among chunks of one log sorted by `start`. */
export function chunkHolding<T extends { start: number; count: number }>(
  chunks: readonly T[],
  leaf: number,
): T | undefined {
  let lo = 0
  let hi = chunks.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (chunks[mid]!.start <= leaf) lo = mid + 1
    else hi = mid
  }
  const chunk = chunks[lo - 1]
  return chunk && leaf < chunk.start + chunk.count ? chunk : undefined
}

/**
 * Interior nodes recently read, by log. A stored node never changes once its chunk is committed, and
 * readers only see committed chunks, so a cached hash is always right. Only nodes at level ≥
 * `NODE_CACHE_MIN_LEVEL` are kept: every proof needs one per level near the root, while the nodes
 * under 256 leaves are many and a random proof rarely meets one again. Least recently used out first.
 */
export class NodeCache {
  readonly #max: number
  readonly #hashes = new Map<string, Uint8Array>()

  constructor(max = NODE_CACHE_SIZE) {
    this.#max = max
  }

  /** `read`s the keys not cached (in one call) and keeps what it returns; the map is in the order asked. */
  async nodes(
    logId: string,
    keys: readonly NodeKey[],
    read: (keys: readonly NodeKey[]) => Promise<Map<string, Uint8Array>>,
  ): Promise<Map<string, Uint8Array>> {
    const cached = new Map<string, Uint8Array>()
    const missing: NodeKey[] = []
    for (const key of keys) {
      const hash = key.level >= NODE_CACHE_MIN_LEVEL ? this.#get(`${logId} ${nodeKeyId(key)}`) : undefined
      if (hash) cached.set(nodeKeyId(key), hash)
      else missing.push(key)
    }
    if (missing.length === 0) return cached
    const fetched = await read(missing)
    for (const key of missing) {
      const hash = fetched.get(nodeKeyId(key))
      if (hash && key.level >= NODE_CACHE_MIN_LEVEL) this.#set(`${logId} ${nodeKeyId(key)}`, hash)
    }
    const out = new Map<string, Uint8Array>()
    for (const key of keys) {
      const id = nodeKeyId(key)
      const hash = cached.get(id) ?? fetched.get(id)
      if (hash) out.set(id, hash)
    }
    return out
  }

  #get(key: string): Uint8Array | undefined {
    const hash = this.#hashes.get(key)
    if (hash) {
      this.#hashes.delete(key)
      this.#hashes.set(key, hash)
    }
    return hash
  }

  #set(key: string, hash: Uint8Array): void {
    this.#hashes.set(key, Uint8Array.from(hash))
    if (this.#hashes.size > this.#max) this.#hashes.delete(this.#hashes.keys().next().value!)
  }
}

/** Nodes covering 256 leaves and more: at 10^7 leaves about 39,000 per log. */
export const NODE_CACHE_MIN_LEVEL = 8
/** About 6 MB of cached hashes and keys. */
export const NODE_CACHE_SIZE = 50_000

/** Memoizes an async loader (a chunk's leaves are read at most once per call). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined
  return () => {
    loaded ??= load()
    return loaded
  }
}
