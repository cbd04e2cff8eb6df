// Ledger benchmark. Build and run: npx tsc -p tsconfig.json && node dist/bench/ledger/run.js [--quick]
// --quick skips the 10^7-leaf tree (building it takes ~15 s and ~700 MB) and measures the SQLite store
// at 10^5 leaves only. --store none skips the store section; --store-only runs only it;
// --store-sizes 1000000,10000000 sets its sizes (the default; a 10^7 ledger is ~5 GB under /tmp).
import { hash, randomFillSync } from 'node:crypto'
import {
  appendLeaves,
  leafHash,
  MemoryNodeStore,
  proveConsistency,
  proveInclusion,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/index.js'
import { benchArgs } from '../lib/args.js'
import { machineLine } from '../lib/table.js'
import { measureSqliteStore, PAGE, type ProofFigures } from './store.js'

const args = benchArgs({
  '--quick': 'flag',
  '--store': ['sqlite', 'none'],
  '--store-only': 'flag',
  '--store-sizes': 'value',
})
const quick = args.quick
const storeKind = args.string('--store') ?? 'sqlite'
const storeOnly = args.flag('--store-only')
const storeSizes = (args.string('--store-sizes') ?? (quick ? '100000' : '1000000,10000000'))
  .split(',')
  .map((n) => Number(n.replace(/_/g, '')))
if (storeSizes.some((n) => !Number.isSafeInteger(n) || n < PAGE))
  throw new Error(`--store-sizes needs sizes of at least ${PAGE}`)
const APPEND_LEAVES = 200_000

function makeLeaves(count: number): Buffer[] {
  // ~200-byte leaves, like a disclosure entry's canonical JSON
  const base = Buffer.from(
    `{"v":1,"kind":"disclosure","partner_id":"bench","collection_id":"c","object_id":"`,
  )
  return Array.from({ length: count }, (_, i) =>
    Buffer.concat([base, Buffer.from(`x--${i}","content_sha256":"${'0'.repeat(64)}","request_id":"r${i}"}`)]),
  )
}

function appendsPerSecond(leaves: Buffer[], batch: number, persist: boolean): number {
  const store = persist ? new MemoryNodeStore({ expectedLeaves: leaves.length }) : undefined
  const start = performance.now()
  let frontier: Uint8Array[] = []
  let size = 0
  for (let at = 0; at < leaves.length; at += batch) {
    const hashes = leaves.slice(at, at + batch).map(leafHash)
    const result = appendLeaves(frontier, size, hashes)
    store?.putNodesSync(result.nodes)
    frontier = result.frontier
    size = result.size
  }
  return leaves.length / ((performance.now() - start) / 1000)
}

function baselinePerSecond(leaves: Buffer[]): number {
  const start = performance.now()
  for (const leaf of leaves) hash('sha256', leaf, 'buffer')
  return leaves.length / ((performance.now() - start) / 1000)
}

function buildStore(size: number): { store: MemoryNodeStore; seconds: number } {
  const store = new MemoryNodeStore({ expectedLeaves: size })
  const start = performance.now()
  const batch = 100_000
  let frontier: Uint8Array[] = []
  let done = 0
  // Leaf hashes are random bytes (cheap); interior nodes are real SHA-256 nodes.
  while (done < size) {
    const count = Math.min(batch, size - done)
    const block = randomFillSync(Buffer.allocUnsafe(count * 32))
    const hashes = Array.from({ length: count }, (_, i) => block.subarray(i * 32, i * 32 + 32))
    const result = appendLeaves(frontier, done, hashes)
    store.putNodesSync(result.nodes)
    frontier = result.frontier
    done = result.size
  }
  return { store, seconds: (performance.now() - start) / 1000 }
}

function stats(samples: number[]): { mean: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  return { mean, p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! }
}

async function proofTimes(store: MemoryNodeStore, size: number, samples: number) {
  const root = store.rootAt(size)
  const inclusion: number[] = []
  const consistency: number[] = []
  let proofLength = 0
  for (let s = 0; s < samples + 100; s++) {
    const index = Math.floor(Math.random() * size)
    let t = performance.now()
    const proof = await proveInclusion(store, index, size)
    const inc = (performance.now() - t) * 1000
    const m = 1 + Math.floor(Math.random() * (size - 1))
    t = performance.now()
    const cproof = await proveConsistency(store, m, size)
    const con = (performance.now() - t) * 1000
    if (s >= 100) {
      // the first 100 are warm-up
      inclusion.push(inc)
      consistency.push(con)
      proofLength = Math.max(proofLength, proof.length)
    }
    if (s % 100 === 0) {
      const ok = verifyInclusion(store.getNode(0, index)!, index, size, proof, root).ok
      const cok = verifyConsistency(m, size, store.rootAt(m), root, cproof).ok
      if (!ok || !cok) throw new Error('benchmark produced a proof that does not verify')
    }
  }
  return { inclusion: stats(inclusion), consistency: stats(consistency), proofLength }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

console.log(`${machineLine()}\n`)
if (!storeOnly) await inMemory()
if (storeKind === 'sqlite') await onStore()

async function inMemory(): Promise<void> {
  const leaves = makeLeaves(APPEND_LEAVES)
  appendsPerSecond(leaves.slice(0, 20_000), 1000, true) // warm-up
  const baseline = baselinePerSecond(leaves)
  const rows: string[][] = []
  for (const batch of [1_000, 10_000]) {
    const pure = appendsPerSecond(leaves, batch, false)
    const stored = appendsPerSecond(leaves, batch, true)
    rows.push([`batch ${fmt(batch)}`, fmt(pure), fmt(stored), fmt(baseline), `${fmt(pure / baseline, 2)}×`])
  }
  console.log(`## Ledger appends (${fmt(APPEND_LEAVES)} leaves of ~200 bytes, node ${process.version})\n`)
  console.log(
    '| batch | appends/s (leafHash + appendLeaves) | + MemoryNodeStore.putNodes | baseline: raw SHA-256/s of the same leaves | ratio |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)

  console.log('\n## Proofs from MemoryNodeStore (plan + getNodes + assemble; 1,000 random samples each)\n')
  console.log(
    '| leaves | build s | inclusion mean µs | inclusion p99 µs | consistency mean µs | consistency p99 µs | max proof len |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const size of quick ? [1_000_000] : [1_000_000, 10_000_000]) {
    const { store, seconds } = buildStore(size)
    const t = await proofTimes(store, size, 1000)
    console.log(
      `| ${fmt(size)} | ${fmt(seconds, 1)} | ${fmt(t.inclusion.mean, 1)} | ${fmt(t.inclusion.p99, 1)} | ${fmt(t.consistency.mean, 1)} | ${fmt(t.consistency.p99, 1)} | ${t.proofLength} |`,
    )
  }
}

async function onStore(): Promise<void> {
  const ms = (f: ProofFigures) => `${fmt(f.mean * 1000)} / ${fmt(f.p50 * 1000)} / ${fmt(f.p99 * 1000)}`
  console.log(
    `\n## Proofs from the SQLite store (LedgerService over store.ledgerNodes; pages of ${PAGE} to the global log and one of 5 partner logs; 1,000 random samples each, every proof verified)\n`,
  )
  console.log(
    '| log | leaves | build s (encode + appendLedger) | database MB | inclusion mean / p50 / p99 µs | consistency mean / p50 / p99 µs | baseline in memory: inclusion | baseline: consistency | failures |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  await measureSqliteStore(storeSizes, 1000, (r) => {
    console.log(
      `| ${r.logId} | ${fmt(r.size)} | ${fmt(r.buildSeconds, 1)} | ${fmt(r.databaseBytes / 1e6)} | ${ms(r.inclusion)} | ${ms(r.consistency)} | ${ms(r.memoryInclusion)} | ${ms(r.memoryConsistency)} | ${r.failures} of ${fmt(r.checked)} |`,
    )
  })
}
