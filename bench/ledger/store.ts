/**
 * Proofs from the store the node serves them from: a real SQLite ledger grown through
 * `store.appendLedger` in partner-page batches (800 disclosures to the global log and one of five
 * partner logs, rotating), then 1,000 random inclusion and consistency proofs through
 * `LedgerService`, each verified against the log's root. The same leaf hashes go into a
 * `MemoryNodeStore` as the run is built: its proofs at the same size are the baseline, and its
 * roots check the store's independently.
 *
 * The sizes are cumulative: the ledger is grown to the first size, measured, grown on to the next.
 */
import { statSync } from 'node:fs'
import type { DisclosureEntry } from '../../src/ledger/entry.js'
import { GLOBAL_LOG, partnerLogId } from '../../src/ledger/log-id.js'
import { MemoryNodeStore } from '../../src/ledger/memory-node-store.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { proveConsistency, proveInclusion } from '../../src/ledger/proof.js'
import { appendLeaves, frontierRoot } from '../../src/ledger/tree.js'
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js'
import { LedgerService, toLedgerAppends } from '../../src/services/ledger-service.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { seeded } from '../lib/rng.js'
import { nowMs, summarize } from '../lib/stats.js'
import { tempDir } from '../lib/tmp.js'

export const PAGE = 800
const PARTNERS = 5
const WARM_UP = 100

export interface ProofFigures {
  /** Milliseconds per proof. */
  mean: number
  p50: number
  p99: number
}

export interface StoreProofRow {
  logId: string
  size: number
  /** Seconds spent growing the ledger up to this size (cumulative: encoding + `appendLedger`), and the database size then. */
  buildSeconds: number
  databaseBytes: number
  inclusion: ProofFigures
  consistency: ProofFigures
  memoryInclusion: ProofFigures
  memoryConsistency: ProofFigures
  /** Proofs (and the root) that did not verify against the baseline's root (must be 0), of `checked`. */
  failures: number
  checked: number
}

function hex(rng: () => number, length: number): string {
  let out = ''
  while (out.length < length)
    out += Math.floor(rng() * 2 ** 32)
      .toString(16)
      .padStart(8, '0')
  return out.slice(0, length)
}

function uuid(rng: () => number): string {
  const h = hex(rng, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

/** One partner page of disclosures (~300 encoded bytes each, like the gate records). */
function page(rng: () => number, partner: number, n: number): DisclosureEntry[] {
  const requestId = uuid(rng)
  const disclosedAt = new Date(Date.UTC(2026, 10, 25) + n * 1000).toISOString().replace('Z', '123Z')
  return Array.from({ length: PAGE }, () => ({
    kind: 'disclosure',
    partnerId: `fictional-agency-${partner}`,
    collectionId: '9d5b1c3e-4f2a-4e7b-8c1d-2a3b4c5d6e7f',
    objectId: `indicator--${uuid(rng)}`,
    objectModified: '2026-11-20T08:15:42.123Z',
    contentSha256: hex(rng, 64),
    disclosedAt,
    agreementId: `agreement--${uuid(rng)}`,
    requestId,
  }))
}

async function time<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = nowMs()
  const value = await run()
  return [value, nowMs() - start]
}

function figures(samples: readonly number[]): ProofFigures {
  const { mean, p50, p99 } = summarize(samples, 1)
  return { mean, p50, p99 }
}

/**
 * Grows a SQLite ledger through `sizes` (global-log leaves, ascending) and measures proofs at each.
 * The database lives in a temp dir that is removed at the end, whatever happens.
 */
export async function measureSqliteStore(
  sizes: readonly number[],
  samples: number,
  report: (row: StoreProofRow) => void,
): Promise<void> {
  const dir = tempDir('ledger-store')
  const file = dir.file('ledger.db')
  const store = new SqliteStore(file)
  try {
    const key = generateNodeKey('bench.sluice.example')
    const service = new LedgerService(store, key, 'bench.sluice.example')
    const rng = seeded(4)
    const largest = sizes[sizes.length - 1] ?? 0
    // baselines: the global log, and the partner log measured alongside it
    const memory = new Baseline(largest)
    const memoryPartner = new Baseline(Math.ceil(largest / PARTNERS))
    const partnerLog = partnerLogId('fictional-agency-0')
    let pages = 0
    let buildMs = 0
    for (const size of sizes) {
      while (memory.size + PAGE <= size) {
        const partner = pages % PARTNERS
        const entries = page(rng, partner, pages)
        const start = nowMs()
        const appends = toLedgerAppends(entries)
        await store.appendLedger(appends)
        buildMs += nowMs() - start
        const hashes = appends.map((a) => a.leafHash)
        memory.append(hashes)
        if (partner === 0) memoryPartner.append(hashes)
        pages++
      }
      const databaseBytes = statSync(file).size + walBytes(file)
      for (const [logId, mem] of [
        [GLOBAL_LOG, memory.nodes],
        [partnerLog, memoryPartner.nodes],
      ] as const) {
        const head = await store.ledgerHead(logId)
        const row = await measureLog(
          service,
          logId,
          head.size,
          frontierRoot(head.frontier),
          mem,
          samples,
          rng,
        )
        report({ ...row, buildSeconds: buildMs / 1000, databaseBytes })
      }
    }
  } finally {
    await store.close()
    dir.remove()
  }
}

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size
  } catch {
    return 0
  }
}

/** The same tree in memory, grown page by page alongside the store. */
class Baseline {
  readonly nodes: MemoryNodeStore
  #frontier: Uint8Array[] = []
  size = 0
  constructor(expectedLeaves: number) {
    this.nodes = new MemoryNodeStore({ expectedLeaves })
  }
  append(hashes: readonly Uint8Array[]): void {
    const result = appendLeaves(this.#frontier, this.size, hashes)
    this.nodes.putNodesSync(result.nodes)
    this.#frontier = result.frontier
    this.size = result.size
  }
}

async function measureLog(
  service: LedgerService,
  logId: string,
  size: number,
  root: Uint8Array,
  memory: MemoryNodeStore,
  samples: number,
  rng: () => number,
): Promise<Omit<StoreProofRow, 'buildSeconds' | 'databaseBytes'>> {
  if (memory.leafCount !== size)
    throw new Error(`${logId}: store has ${size} leaves, baseline ${memory.leafCount}`)
  let failures = 0
  if (Buffer.compare(Buffer.from(memory.rootAt(size)), Buffer.from(root)) !== 0) failures++
  const inclusion: number[] = []
  const consistency: number[] = []
  const memoryInclusion: number[] = []
  const memoryConsistency: number[] = []
  for (let s = 0; s < samples + WARM_UP; s++) {
    const index = Math.floor(rng() * size)
    const m = 1 + Math.floor(rng() * (size - 1))
    const [proof, inc] = await time(() => service.proveInclusion(logId, index, size))
    const [cproof, con] = await time(() => service.proveConsistency(logId, m, size))
    const [, minc] = await time(() => proveInclusion(memory, index, size))
    const [, mcon] = await time(() => proveConsistency(memory, m, size))
    if (!verifyInclusion(memory.getNode(0, index)!, index, size, proof, root).ok) failures++
    if (!verifyConsistency(m, size, memory.rootAt(m), root, cproof).ok) failures++
    if (s < WARM_UP) continue
    inclusion.push(inc)
    consistency.push(con)
    memoryInclusion.push(minc)
    memoryConsistency.push(mcon)
  }
  return {
    logId,
    size,
    inclusion: figures(inclusion),
    consistency: figures(consistency),
    memoryInclusion: figures(memoryInclusion),
    memoryConsistency: figures(memoryConsistency),
    failures,
    checked: 1 + 2 * (samples + WARM_UP),
  }
}
