/**
 * The crash campaign: a real `sluice serve` process takes concurrent ingest and partner reads, is killed
 * with SIGKILL at a random moment, and the store it leaves behind is checked:
 * - every object version whose POST was acknowledged (202, all accepted) is stored;
 * - nothing half-written: each POSTed batch is stored entirely or not at all, and every stored row parses;
 * - every acknowledged partner read has its disclosures in the partner's ledger log;
 * - every ledger log's root recomputed from its leaves equals the stored head (and its frontier nodes).
 * Then the next round restarts the server on the same data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { decodeEntry, disclosureKey } from '../../src/ledger/entry.js'
import { partnerLogId } from '../../src/ledger/log-id.js'
import { auditLedger } from '../../src/ops/ledger-audit.js'
import { createServices } from '../../src/server/services.js'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { createCollection } from '../../src/services/collections.js'
import { WRITER_MIN_BATCH } from '../../src/services/ledger-service.js'
import { createPrincipal } from '../../src/services/principals.js'
import { openStore } from '../../src/store/open.js'

const TAXII = 'application/taxii+json;version=2.1'

export interface CrashOptions {
  /** The built CLI (dist/src/cli/main.js). */
  cli: string
  dataDir: string
  rounds: number
  writers?: number
  readers?: number
  batch?: number
  /** Kill between these many milliseconds after the load starts. */
  killAfterMs?: [number, number]
  /**
   * Count the kill delay from the round's first read of WRITER_MIN_BATCH objects or more (a page the
   * ledger writer thread records) instead of from the start, waiting at most this many milliseconds for
   * it: a short campaign on a slow machine then still kills both kinds of append, not only early rounds.
   */
  armAfterWriterReadMs?: number
  onRound?: (round: RoundResult) => void
}

export interface RoundResult {
  round: number
  killedAfterMs: number
  acknowledgedBatches: number
  unacknowledgedBatches: number
  acknowledgedReads: number
  storedObjects: number
  ledgerSize: number
  failures: string[]
}

export interface CrashSummary {
  rounds: RoundResult[]
  failures: string[]
  acknowledgedObjects: number
  acknowledgedReads: number
  /** Acknowledged reads large enough to be recorded by the ledger writer's thread. */
  writerReads: number
}

interface Setup {
  adminKey: string
  partnerKey: string
  partnerId: string
  collectionId: string
}

async function setUp(dataDir: string): Promise<Setup> {
  const store = await openStore(undefined, dataDir)
  try {
    await ensureDefaultApiRoot(store)
    const services = await createServices(store, { dataDir, createKey: true })
    const collection = await createCollection(store, {
      apiRoot: 'intel',
      title: 'Crash campaign',
      alias: 'crash',
    })
    const admin = await createPrincipal(store, { name: 'Crash admin', role: 'admin' })
    await services.policy.addPartner(
      { id: 'crash-partner', name: 'Crash Test Partner (fictional)' },
      'campaign',
    )
    await services.policy.putAgreement(
      { partner: 'crash-partner', collections: '*', maxTlp: 'amber' },
      'campaign',
    )
    const partner = await createPrincipal(store, {
      name: 'Crash partner',
      role: 'partner',
      partnerId: 'crash-partner',
    })
    return {
      adminKey: admin.apiKey,
      partnerKey: partner.apiKey,
      partnerId: 'crash-partner',
      collectionId: collection.id,
    }
  } finally {
    await store.close()
  }
}

function startServer(cli: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      // with the ledger writer thread, so a kill also lands on its appends
      [cli, 'serve', '--port', '0', '--data', dataDir, '--log-level', 'silent', '--ledger-writer'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${err}`)), 20_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /serving TAXII 2\.1 at (http:\/\/[^/\s]+)\//.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, url: m[1]! })
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited (${code}) before listening: ${err}`))
    })
  })
}

function indicatorObject(id: string) {
  const t = '2026-02-01T10:00:00.000Z'
  return {
    type: 'indicator',
    spec_version: '2.1',
    id,
    created: t,
    modified: t,
    name: 'Crash campaign relay',
    pattern: "[ipv4-addr:value = '203.0.113.7']",
    pattern_type: 'stix',
    valid_from: t,
  }
}

async function verify(
  dataDir: string,
  setup: Setup,
  batches: { ids: string[]; acknowledged: boolean }[],
  reads: { id: string; modified: string | null }[][],
): Promise<{ failures: string[]; stored: number; ledgerSize: number }> {
  const failures: string[] = []
  const store = await openStore(undefined, dataDir)
  try {
    const all = await store.queryObjects({
      collectionId: setup.collectionId,
      limit: 10_000_000,
      versions: [{ kind: 'all' }],
    })
    const stored = new Set<string>()
    for (const item of all.items) {
      try {
        const parsed = JSON.parse(item.json) as { id?: string }
        if (parsed.id !== item.id) failures.push(`row ${item.seq} holds JSON of another object`)
      } catch {
        failures.push(`row ${item.seq} holds JSON that does not parse`)
      }
      stored.add(item.id)
    }
    for (const batch of batches) {
      const present = batch.ids.filter((id) => stored.has(id)).length
      if (batch.acknowledged && present !== batch.ids.length)
        failures.push(
          `an acknowledged batch lost ${batch.ids.length - present} of ${batch.ids.length} objects`,
        )
      if (present !== 0 && present !== batch.ids.length)
        failures.push(`a batch is half-written: ${present} of ${batch.ids.length}`)
    }
    // every version the partner's log records, read once (a lookup per version scans the log's chunks)
    const log = partnerLogId(setup.partnerId)
    const size = (await store.ledgerHead(log)).size
    const recorded = new Set<string>()
    for (const leaf of await store.ledgerLeaves(log, 0, size)) {
      const entry = decodeEntry(leaf.bytes)
      if (entry.kind === 'disclosure') recorded.add(disclosureKey(entry.objectId, entry.objectModified))
    }
    for (const read of reads)
      for (const v of read)
        if (!recorded.has(disclosureKey(v.id, v.modified)))
          failures.push(`an acknowledged disclosure of ${v.id} is not in the ledger`)
    for (const audit of await auditLedger(store))
      if (!audit.ok) failures.push(`ledger ${audit.logId}: ${audit.problems.join('; ')}`)
    const ledgerSize = (await store.ledgerLogs()).find((l) => l.logId === 'global')?.size ?? 0
    return { failures, stored: stored.size, ledgerSize }
  } finally {
    await store.close()
  }
}

export async function runCrashCampaign(options: CrashOptions): Promise<CrashSummary> {
  const setup = await setUp(options.dataDir)
  const writers = options.writers ?? 4
  const readers = options.readers ?? 2
  const batchSize = options.batch ?? 20
  const [minKill, maxKill] = options.killAfterMs ?? [50, 400]
  const batches: { ids: string[]; acknowledged: boolean }[] = []
  const reads: { id: string; modified: string | null }[][] = []
  const results: RoundResult[] = []
  for (let round = 1; round <= options.rounds; round++) {
    const { child, url } = await startServer(options.cli, options.dataDir)
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    let killed = false
    const roundBatches: typeof batches = []
    let roundReads = 0
    let sawWriterRead: () => void = () => {}
    const writerRead = new Promise<void>((resolve) => {
      sawWriterRead = resolve
    })
    const writer = async () => {
      while (!killed) {
        const ids = Array.from({ length: batchSize }, () => `indicator--${randomUUID()}`)
        const batch = { ids, acknowledged: false }
        roundBatches.push(batch)
        try {
          const res = await fetch(`${url}/intel/collections/${setup.collectionId}/objects/`, {
            method: 'POST',
            headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: `Bearer ${setup.adminKey}` },
            body: JSON.stringify({ objects: ids.map(indicatorObject) }),
          })
          const body = (await res.json()) as { success_count?: number }
          batch.acknowledged = res.status === 202 && body.success_count === ids.length
        } catch {
          return // the server is gone
        }
      }
    }
    // pages of up to 200 within the last 2 s: some below WRITER_MIN_BATCH (appended on the serving
    // thread), some above (appended by the ledger writer's thread), so both are killed mid-append
    const reader = async () => {
      while (!killed) {
        try {
          const res = await fetch(
            `${url}/intel/collections/${setup.collectionId}/objects/?limit=200&added_after=${new Date(Date.now() - 2000).toISOString()}`,
            {
              headers: { Accept: TAXII, Authorization: `Bearer ${setup.partnerKey}` },
            },
          )
          const body = (await res.json()) as { objects?: { id: string; modified?: string }[] }
          if (res.status === 200) {
            reads.push((body.objects ?? []).map((o) => ({ id: o.id, modified: o.modified ?? null })))
            roundReads++
            if ((body.objects?.length ?? 0) >= WRITER_MIN_BATCH) sawWriterRead()
          }
        } catch {
          return
        }
      }
    }
    const killAfter = Math.round(minKill + Math.random() * (maxKill - minKill))
    const load = Promise.all([
      ...Array.from({ length: writers }, writer),
      ...Array.from({ length: readers }, reader),
    ])
    if (options.armAfterWriterReadMs !== undefined)
      await Promise.race([writerRead, new Promise((r) => setTimeout(r, options.armAfterWriterReadMs))])
    await new Promise((r) => setTimeout(r, killAfter))
    child.kill('SIGKILL')
    await exited
    killed = true
    await load
    batches.push(...roundBatches)
    const check = await verify(options.dataDir, setup, batches, reads)
    const result: RoundResult = {
      round,
      killedAfterMs: killAfter,
      acknowledgedBatches: roundBatches.filter((b) => b.acknowledged).length,
      unacknowledgedBatches: roundBatches.filter((b) => !b.acknowledged).length,
      acknowledgedReads: roundReads,
      storedObjects: check.stored,
      ledgerSize: check.ledgerSize,
      failures: check.failures,
    }
    results.push(result)
    options.onRound?.(result)
  }
  return {
    rounds: results,
    failures: results.flatMap((r) => r.failures.map((f) => `round ${r.round}: ${f}`)),
    acknowledgedObjects: batches.filter((b) => b.acknowledged).length * batchSize,
    acknowledgedReads: reads.length,
    writerReads: reads.filter((r) => r.length >= WRITER_MIN_BATCH).length,
  }
}
