/**
 * Ingest throughput: objects/s for POSTing TAXII envelopes of generated, mixed, fictional STIX to a
 * fresh node over loopback HTTP, against raw better-sqlite3 inserts of the same JSON rows (one
 * transaction per request-sized batch) measured in the same run. Also times each ingest stage in
 * process (decode + parse, validate, serialize, store) so a miss can be attributed.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/ingest/run.js [--quick] [--objects 100000]
 *        [--batch 1000] [--repeat 2] [--only baseline|node|stages|anatomy]
 *
 * Both the node and the baseline use WAL with synchronous=FULL (the node's settings). The HTTP client
 * runs in the node's process: its cost (sending a prepared buffer, reading the status) counts against
 * the node, so the figure is conservative.
 */
import Database from 'better-sqlite3'
import { knownMarkings } from '../../src/ingest/known-markings.js'
import { prepareObjects, toIncoming } from '../../src/ingest/prepare.js'
import type { StixObject } from '../../src/stix/object.js'
import { validateObject } from '../../src/stix/validate.js'
import { openStore } from '../../src/store/open.js'
import { openSqlite } from '../../src/store/sqlite/connection.js'
import { versionKey } from '../../src/store/time.js'
import type { IncomingObject } from '../../src/store/types.js'
import { parseJsonBody } from '../../src/taxii/json-body.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { expectStatus, loadLoop, TAXII } from '../lib/http.js'
import { benchCollection, chunks, startBenchNode } from '../lib/node.js'
import { bestOf, collectGarbage, nowMs } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable, pct, ratio, verdictAtLeast } from '../lib/table.js'
import { tempDir } from '../lib/tmp.js'

const args = benchArgs({
  '--quick': 'flag',
  '--repeat': 'number',
  '--only': ['baseline', 'node', 'stages', 'anatomy'],
  '--objects': 'number',
  '--batch': 'number',
  '--seed': 'number',
})
const TOTAL = args.number('--objects', args.quick ? 20_000 : 100_000)
const BATCH = args.number('--batch', 1000)
const SEED = args.number('--seed', 11)
const only = args.string('--only')

interface Row {
  id: string
  type: string
  json: string
}

function baseline(rows: readonly Row[]): number {
  const dir = tempDir('ingest-raw')
  try {
    const db = new Database(dir.file('raw.db'))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec(
      'CREATE TABLE objects (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL)',
    )
    const insert = db.prepare('INSERT INTO objects (id, type, json) VALUES (?, ?, ?)')
    const write = db.transaction((batch: readonly Row[]) => {
      for (const r of batch) insert.run(r.id, r.type, r.json)
    })
    collectGarbage()
    const t0 = nowMs()
    for (let at = 0; at < rows.length; at += BATCH) write(rows.slice(at, at + BATCH))
    const ms = nowMs() - t0
    db.close()
    return rows.length / (ms / 1000)
  } finally {
    dir.remove()
  }
}

async function overHttp(
  bodies: readonly Buffer[],
  counts: readonly number[],
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const bench = await startBenchNode('ingest')
  try {
    const collection = await benchCollection(bench.node.store, 'ingest')
    const path = `/intel/collections/${collection.id}/objects/`
    const headers = { Authorization: `Bearer ${bench.adminKey}`, Accept: TAXII, 'Content-Type': TAXII }
    collectGarbage()
    const result = await loadLoop(bench.client, {
      count: bodies.length,
      maxMs: 600_000,
      concurrency: 1,
      make: (i) => ({ method: 'POST', path, headers, body: bodies[i]! }),
      check: (res, i) => {
        expectStatus(res, 202, 'POST objects')
        const text = res.body.toString('latin1')
        if (!text.includes(`"success_count":${counts[i]},`))
          throw new Error(`POST ${i} did not store everything: ${text.slice(0, 400)}`)
      },
    })
    const stored = await bench.node.store.countObjects(collection.id)
    if (stored !== TOTAL) throw new Error(`node stored ${stored} of ${TOTAL}`)
    const sorted = [...result.latencies].sort((a, b) => a - b)
    return {
      perSecond: TOTAL / (result.totalMs / 1000),
      p50: sorted[Math.floor(sorted.length / 2)]!,
      p99: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!,
    }
  } finally {
    await bench.close()
  }
}

interface Stages {
  decodeParse: number
  validate: number
  prepare: number
  serialize: number
  store: number
}

/** Each ingest stage on its own, in process, ms for the whole data set. */
async function stages(bodies: readonly Buffer[], objects: readonly StixObject[]): Promise<Stages> {
  const dir = tempDir('ingest-stages')
  const store = await openStore(dir.file('sluice.db'), dir.path)
  try {
    await store.ensureApiRoot({ name: 'intel', title: 'Intelligence' })
    const collection = await benchCollection(store, 'stages')
    collectGarbage()
    let t0 = nowMs()
    const decoder = new TextDecoder('utf-8', { fatal: true })
    let parsed = 0
    for (const b of bodies)
      parsed += (parseJsonBody(decoder.decode(b), 64) as { objects: unknown[] }).objects.length
    const decodeParse = nowMs() - t0
    if (parsed !== objects.length) throw new Error('parse lost objects')

    t0 = nowMs()
    let issues = 0
    objects.forEach((o, i) => {
      issues += validateObject(o, { path: `$.objects[${i % BATCH}]` }).length
    })
    const validate = nowMs() - t0
    if (issues > 0) throw new Error(`generated data has ${issues} validation issues`)

    t0 = nowMs()
    for (const o of objects) toIncoming(o)
    const serialize = nowMs() - t0

    t0 = nowMs()
    const prepared = []
    for (const batch of chunks(objects, BATCH)) {
      prepared.push(
        (await prepareObjects(batch, { knownMarkings: (ids) => knownMarkings(store, ids) })).accepted,
      )
    }
    const prepare = nowMs() - t0

    t0 = nowMs()
    for (const batch of prepared) await store.putObjects(collection.id, batch)
    const storeMs = nowMs() - t0
    return { decodeParse, validate, prepare, serialize, store: storeMs }
  } finally {
    await store.close()
    dir.remove()
  }
}

/** A collection id shaped like the node's (a UUID), so index entries have the node's width. */
const COLLECTION = '5ca1ab1e-0000-4000-8000-00000000a11c'

interface AnatomyStep {
  label: string
  /** Secondary indexes of the node schema dropped for this step. */
  drop: readonly string[]
  /** 0: INSERT only; 1: + SELECT existing; 2: + SELECT bounds; 3: + both UPDATEs (all of putOne). */
  statements: 0 | 1 | 2 | 3
  /** Extra pragmas after the node's own. */
  pragmas?: readonly string[]
}

const ANATOMY: readonly AnatomyStep[] = [
  {
    label: 'node schema without its type and date-added indexes: INSERT only',
    drop: ['objects_by_type', 'objects_by_added'],
    statements: 0,
  },
  { label: 'node schema without objects_by_added: INSERT only', drop: ['objects_by_added'], statements: 0 },
  { label: 'node schema without objects_by_type: INSERT only', drop: ['objects_by_type'], statements: 0 },
  { label: 'node schema (UNIQUE on id first + 3 indexes): INSERT only', drop: [], statements: 0 },
  { label: '+ SELECT existing version', drop: [], statements: 1 },
  { label: '+ SELECT min/max(version_key)', drop: [], statements: 2 },
  { label: '+ UPDATE is_first + UPDATE is_last (all putOne statements)', drop: [], statements: 3 },
  {
    label: 'all putOne statements, PRAGMA cache_size = -65536 (64 MiB; default 2 MiB)',
    drop: [],
    statements: 3,
    pragmas: ['cache_size = -65536'],
  },

  {
    label: 'all putOne statements, PRAGMA synchronous = NORMAL (informational; the node chose FULL)',
    drop: [],
    statements: 3,
    pragmas: ['synchronous = NORMAL'],
  },
]

/**
 * The store's insert path rebuilt statement by statement on the node's own schema (its migrations,
 * its pragmas), to show what each statement and index costs. Objects/s for the whole data set.
 */
function storeAnatomy(items: readonly IncomingObject[], step: AnatomyStep): number {
  const dir = tempDir('ingest-anatomy')
  try {
    const db = openSqlite(dir.file('sluice.db'))
    for (const index of step.drop) db.exec(`DROP INDEX ${index}`)
    for (const pragma of step.pragmas ?? []) db.pragma(pragma)
    db.prepare("INSERT INTO api_roots (name, title) VALUES ('intel', 'x')").run()
    db.prepare(
      "INSERT INTO collections (id, api_root, title, media_types) VALUES (?, 'intel', 'x', '[]')",
    ).run(COLLECTION)
    const exists = db.prepare(
      'SELECT json FROM objects WHERE collection_id = ? AND id = ? AND version_key = ?',
    )
    const bounds = db.prepare(
      'SELECT min(version_key) AS lo, max(version_key) AS hi FROM objects WHERE collection_id = ? AND id = ?',
    )
    const first = db.prepare(
      'UPDATE objects SET is_first = 0 WHERE collection_id = ? AND id = ? AND is_first = 1',
    )
    const last = db.prepare(
      'UPDATE objects SET is_last = 0 WHERE collection_id = ? AND id = ? AND is_last = 1',
    )
    const insert = db.prepare(
      `INSERT INTO objects (collection_id, id, type, version, version_key, spec_version, added_us, is_first, is_last, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    let added = Date.now() * 1000
    const write = db.transaction((batch: readonly IncomingObject[]) => {
      for (const item of batch) {
        const version = item.modified ?? item.created ?? null
        const key = item.modified ? (versionKey(item.modified) ?? item.modified) : ''
        if (step.statements >= 1) exists.get(COLLECTION, item.id, key)
        if (step.statements >= 2) bounds.get(COLLECTION, item.id)
        if (step.statements >= 3) {
          first.run(COLLECTION, item.id)
          last.run(COLLECTION, item.id)
        }
        insert.run(COLLECTION, item.id, item.type, version, key, item.specVersion, ++added, 1, 1, item.json)
      }
    })
    collectGarbage()
    const t0 = nowMs()
    for (let at = 0; at < items.length; at += BATCH) write(items.slice(at, at + BATCH))
    const ms = nowMs() - t0
    db.close()
    return items.length / (ms / 1000)
  } finally {
    dir.remove()
  }
}

/** The store's own putObjects on the same items, for comparison with the rebuilt statements. */
async function storePut(items: readonly IncomingObject[]): Promise<number> {
  const dir = tempDir('ingest-put')
  const store = await openStore(dir.file('sluice.db'), dir.path)
  try {
    await store.ensureApiRoot({ name: 'intel', title: 'x' })
    await store.createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'x', mediaTypes: [] })
    collectGarbage()
    const t0 = nowMs()
    for (let at = 0; at < items.length; at += BATCH)
      await store.putObjects(COLLECTION, items.slice(at, at + BATCH))
    return items.length / ((nowMs() - t0) / 1000)
  } finally {
    await store.close()
    dir.remove()
  }
}

async function main(): Promise<void> {
  const objects = [...generateObjects(TOTAL, SEED)]
  const rows: Row[] = objects.map((o) => ({ id: o.id, type: o.type, json: JSON.stringify(o) }))
  const batches = chunks(objects, BATCH)
  const bodies = batches.map((b) => Buffer.from(JSON.stringify({ objects: b })))
  const counts = batches.map((b) => b.length)
  const bytes = rows.reduce((n, r) => n + Buffer.byteLength(r.json), 0)

  console.log(`## Ingest over HTTP (${machineLine()})\n`)
  console.log(
    `${int(TOTAL)} generated objects (${int(bytes / TOTAL)} B average JSON), ${int(bodies.length)} POSTs of ${int(BATCH)}; ` +
      `fresh node and fresh baseline database per run, ${args.repeat} runs each, best shown.\n`,
  )

  const rawRuns: number[] = []
  const nodeRuns: { perSecond: number; p50: number; p99: number }[] = []
  for (let r = 0; r < args.repeat; r++) {
    if (only === undefined || only === 'baseline') rawRuns.push(baseline(rows))
    if (only === undefined || only === 'node') nodeRuns.push(await overHttp(bodies, counts))
  }

  if (rawRuns.length > 0 && nodeRuns.length > 0) {
    const raw = bestOf(rawRuns, (x) => x)
    const node = bestOf(nodeRuns, (x) => x.perSecond)
    const share = node.best.perSecond / raw.best
    console.log(
      markdownTable(
        [
          'measurement',
          { header: 'objects/s (best)', align: 'right' },
          { header: 'spread', align: 'right' },
          { header: 'ratio to baseline', align: 'right' },
          { header: 'POST p50 ms', align: 'right' },
          { header: 'POST p99 ms', align: 'right' },
        ],
        [
          [
            'baseline: raw better-sqlite3 INSERT (id, type, json), 1 txn per batch',
            int(raw.best),
            pct(raw.spread),
            '1.00×',
            '',
            '',
          ],
          [
            `node: POST /intel/collections/{id}/objects/ (${int(BATCH)} per request)`,
            int(node.best.perSecond),
            pct(node.spread),
            ratio(share),
            dec(node.best.p50, 1),
            dec(node.best.p99, 1),
          ],
        ],
      ),
    )
    console.log(
      `\nruns: baseline ${rawRuns.map(int).join(', ')}; node ${nodeRuns.map((n) => int(n.perSecond)).join(', ')} objects/s`,
    )
    console.log(`\n- target ≥ 50 % of baseline: ${verdictAtLeast(share, 0.5, pct)}`)
    console.log(`- target ≥ 20,000 objects/s: ${verdictAtLeast(node.best.perSecond, 20_000, int)}`)
  } else if (nodeRuns.length > 0) {
    console.log(`node only: ${nodeRuns.map((n) => int(n.perSecond)).join(', ')} objects/s`)
  } else if (rawRuns.length > 0) {
    console.log(`baseline only: ${rawRuns.map(int).join(', ')} objects/s`)
  }

  if (only === undefined || only === 'stages') {
    const runs: Stages[] = []
    for (let r = 0; r < args.repeat; r++) runs.push(await stages(bodies, objects))
    const best = (k: keyof Stages) => Math.min(...runs.map((s) => s[k]))
    const per1k = (ms: number) => dec((ms / TOTAL) * 1000, 1)
    const rate = (ms: number) => int(TOTAL / (ms / 1000))
    const httpMs =
      nodeRuns.length > 0 ? (TOTAL / bestOf(nodeRuns, (x) => x.perSecond).best.perSecond) * 1000 : Number.NaN
    const share = (ms: number) => (Number.isFinite(httpMs) ? pct(ms / httpMs) : '')
    console.log('\n### Where ingest time goes (each stage alone, in process, best of runs)\n')
    console.log(
      markdownTable(
        [
          'stage',
          { header: 'ms per 1,000 objects', align: 'right' },
          { header: 'objects/s', align: 'right' },
          { header: 'share of HTTP ingest', align: 'right' },
        ],
        [
          [
            'UTF-8 decode + depth scan + JSON.parse of the envelope',
            per1k(best('decodeParse')),
            rate(best('decodeParse')),
            share(best('decodeParse')),
          ],
          [
            'validateObject (STIX rules)',
            per1k(best('validate')),
            rate(best('validate')),
            share(best('validate')),
          ],
          [
            'toIncoming (JSON.stringify of each object)',
            per1k(best('serialize')),
            rate(best('serialize')),
            share(best('serialize')),
          ],
          [
            'prepareObjects (validate + markings lookup + stringify)',
            per1k(best('prepare')),
            rate(best('prepare')),
            share(best('prepare')),
          ],
          [
            'store.putObjects (SQLite, 1 txn per batch)',
            per1k(best('store')),
            rate(best('store')),
            share(best('store')),
          ],
          ...(Number.isFinite(httpMs)
            ? [['whole POST over HTTP (from the table above)', per1k(httpMs), rate(httpMs), '100 %']]
            : []),
        ],
      ),
    )
  }

  if (only === undefined || only === 'stages' || only === 'anatomy') {
    const items = objects.map(toIncoming)
    const rawBest = rawRuns.length > 0 ? Math.max(...rawRuns) : baseline(rows)
    const results: (readonly [string, ReturnType<typeof bestOf<number>>])[] = ANATOMY.map((step) => {
      const runs: number[] = []
      for (let r = 0; r < args.repeat; r++) runs.push(storeAnatomy(items, step))
      return [step.label, bestOf(runs, (x) => x)] as const
    })
    const putRuns: number[] = []
    for (let r = 0; r < args.repeat; r++) putRuns.push(await storePut(items))
    results.push(['store.putObjects itself', bestOf(putRuns, (x) => x)] as const)
    console.log(
      '\n### Anatomy of store.putObjects (node schema and pragmas, raw better-sqlite3, 1 txn per batch)\n',
    )
    console.log(
      markdownTable(
        [
          'statements per object',
          { header: 'objects/s', align: 'right' },
          { header: 'ms per 1,000', align: 'right' },
          { header: 'spread', align: 'right' },
          { header: 'vs raw baseline', align: 'right' },
        ],
        [
          ['raw baseline table (id, type, json)', int(rawBest), dec(1e6 / rawBest, 1), '', '1.00×'],
          ...results.map(([label, r]) => [
            label,
            int(r.best),
            dec(1e6 / r.best, 1),
            pct(r.spread),
            ratio(r.best / rawBest),
          ]),
        ],
      ),
    )
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
