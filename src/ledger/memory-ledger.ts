import type { Checkpoint } from './checkpoint.js'
import { type Entry, encodeEntry } from './entry.js'
import { leafHash } from './hash.js'
import { type LogId, logsForEntry } from './log-id.js'
import { MemoryNodeStore, type MemoryNodeStoreOptions } from './memory-node-store.js'
import { type AppendResult, appendLeaves, frontierRoot } from './tree.js'

/** One log held in memory: a node store plus its frontier. */
export class MemoryLog {
  readonly store: MemoryNodeStore
  private currentFrontier: Uint8Array[] = []
  private currentSize = 0

  constructor(options: MemoryNodeStoreOptions = {}) {
    this.store = new MemoryNodeStore(options)
  }

  get size(): number {
    return this.currentSize
  }

  get frontier(): readonly Uint8Array[] {
    return this.currentFrontier
  }

  /** Root at the current size. */
  root(): Uint8Array {
    return frontierRoot(this.currentFrontier)
  }

  /** Appends already leaf-hashed entries. */
  appendLeafHashes(leafHashes: readonly Uint8Array[]): AppendResult {
    const result = appendLeaves(this.currentFrontier, this.currentSize, leafHashes)
    this.store.putNodesSync(result.nodes)
    this.currentFrontier = result.frontier
    this.currentSize = result.size
    return result
  }

  /** Appends raw leaves (leaf-hashing each). */
  appendLeaves(leaves: readonly Uint8Array[]): AppendResult {
    return this.appendLeafHashes(leaves.map(leafHash))
  }

  /** The unsigned checkpoint of this log at its current size. */
  checkpoint(origin: string): Checkpoint {
    return { origin, size: this.currentSize, rootHash: this.root(), extensions: [] }
  }

  inclusionProof(index: number, size = this.currentSize): Uint8Array[] {
    return this.store.inclusionProof(index, size)
  }

  consistencyProof(m: number, n = this.currentSize): Uint8Array[] {
    return this.store.consistencyProof(m, n)
  }
}

/** Where an entry landed: its index in each log it was appended to. */
export interface RecordedEntry {
  readonly leaf: Uint8Array
  readonly positions: readonly { readonly logId: LogId; readonly index: number }[]
}

/** The global log and the partner logs of a node, in memory: for tests, demos and database-free use. */
export class MemoryLedger {
  private readonly logs = new Map<LogId, MemoryLog>()

  /** The log with this id (created empty on first use). */
  log(logId: LogId): MemoryLog {
    let log = this.logs.get(logId)
    if (log === undefined) {
      log = new MemoryLog()
      this.logs.set(logId, log)
    }
    return log
  }

  /** Ids of the logs that exist. */
  logIds(): LogId[] {
    return [...this.logs.keys()]
  }

  /** Appends an entry to every log it belongs to (`logsForEntry`). */
  record(entry: Entry): RecordedEntry {
    const leaf = encodeEntry(entry)
    const hash = leafHash(leaf)
    const positions = logsForEntry(entry).map((logId) => {
      const log = this.log(logId)
      const index = log.size
      log.appendLeafHashes([hash])
      return { logId, index }
    })
    return { leaf, positions }
  }
}
