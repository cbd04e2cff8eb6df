/**
 * Storage scale bench: does reading a page cost the same at 10^5 stored versions as at 10^6?
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/scale/run.js [--adapter sqlite|postgres] [--sizes 100000,1000000] [--samples 200]
 *                                [--postgres postgres://…] [--seed 7] [--batch 1000]
 *                                [--explain 20] [--repeat]
 *
 * Each adapter's store grows through the sizes in order (the 10^6 store contains the 10^5 one),
 * ingesting with `putObjects` in batches of `--batch` (1,000). At every size it times pages of 1,000 read
 * from random positions: by `afterSeq`, by `addedAfter`, and by `types` (one type, from a random
 * `afterSeq`), and one object by id (a uniform sample of the stored ids). PostgreSQL needs a server URL (`--postgres`, or SLUICE_BENCH_POSTGRES /
 * SLUICE_TEST_POSTGRES); the bench creates a scratch database on it and drops it afterwards.
 * Objects come from `bench/data/generate.ts`: fictional, documentation address ranges only.
 *
 * `--explain n` (PostgreSQL only) then runs `EXPLAIN (ANALYZE, BUFFERS)` on n further pages of each
 * kind: the statement `queryObjects` sends, captured from its pool, with positions from a generator
 * reseeded at every size (so each size explains the same types at the same relative positions).
 * Each is explained twice in a row, the second time with its blocks cached. `--repeat` times every
 * position a second time right after the first pass, on either adapter (warm p50).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openStore } from '../../src/store/open.js'
import { openPostgres } from '../../src/store/postgres/connection.js'
import { PostgresStore } from '../../src/store/postgres/postgres-store.js'
import { formatMicros, toMicros } from '../../src/store/time.js'
import type { IncomingObject, ObjectQuery, Store } from '../../src/store/types.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { adminStatement } from '../lib/postgres.js'
import { seeded } from '../lib/rng.js'
import { percentile } from '../lib/stats.js'
import { machineLine } from '../lib/table.js'
import {
  CapturingPool,
  type Explained,
  type ExplainSummary,
  explain,
  explainClient,
  summarize,
} from './explain.js'

const PAGE = 1_000
const COLLECTION = '5ca1ab1e-0000-4000-8000-000000000001'

type AdapterName = 'sqlite' | 'postgres'
type QueryKind = 'afterSeq' | 'addedAfter' | 'types' | 'byId'
const QUERY_KINDS: readonly QueryKind[] = ['afterSeq', 'addedAfter', 'types', 'byId']
/** Stored ids kept to look up by id: a uniform sample (reservoir), not all 10^7. */
const ID_SAMPLE = 10_000

interface Options {
  adapters: AdapterName[]
  sizes: number[]
  samples: number
  seed: number
  batch: number
  postgres: string | undefined
  /** Pages per kind to EXPLAIN at each size (PostgreSQL); 0 for none. */
  explain: number
  repeat: boolean
}

interface Row {
  adapter: AdapterName
  size: number
  ingestPerSecond: number
  /** One-minute load average when the reads at this size started: the machine is shared. */
  load: number
  latency: Record<QueryKind, { p50: number; p99: number }>
  /** p50 of the same positions timed again right after (`--repeat`). */
  warmP50?: Record<QueryKind, number>
  explain?: Record<QueryKind, ExplainSummary>
  /** Whether the explain session had track_io_timing on. */
  ioTiming?: boolean
}

function parseArgs(): Options {
  const args = benchArgs({
    '--adapter': ['sqlite', 'postgres'],
    '--sizes': 'value',
    '--postgres': 'value',
    '--samples': 'number',
    '--seed': 'number',
    '--batch': 'number',
    '--explain': 'number',
    '--repeat': 'flag',
  })
  const adapter = args.string('--adapter') as AdapterName | undefined
  const sizes = (args.string('--sizes') ?? '100000,1000000')
    .split(',')
    .map((s) => Number(s.trim()))
    .sort((a, b) => a - b)
  if (sizes.some((s) => !Number.isInteger(s) || s < PAGE * 2))
    throw new Error(`--sizes must be integers of at least ${PAGE * 2}`)
  const postgres =
    args.string('--postgres') ?? process.env.SLUICE_BENCH_POSTGRES ?? process.env.SLUICE_TEST_POSTGRES
  const adapters: AdapterName[] = adapter ? [adapter] : postgres ? ['sqlite', 'postgres'] : ['sqlite']
  if (adapters.includes('postgres') && !postgres)
    throw new Error('postgres needs --postgres URL or SLUICE_BENCH_POSTGRES')
  return {
    adapters,
    sizes,
    samples: args.number('--samples', 200),
    seed: args.number('--seed', 7),
    batch: args.number('--batch', 1_000),
    postgres,
    explain: Math.floor(args.number('--explain', 0)),
    repeat: args.flag('--repeat'),
  }
}

function toIncoming(
  object: ReturnType<typeof generateObjects> extends Generator<infer T> ? T : never,
): IncomingObject {
  return {
    id: object.id,
    type: object.type,
    ...(object.modified ? { modified: object.modified } : {}),
    ...(object.created ? { created: object.created } : {}),
    specVersion: object.spec_version ?? '2.1',
    json: JSON.stringify(object),
  }
}

interface Scratch {
  store: Store
  /** PostgreSQL: the store's pool, to capture its statements, and the database's URL. */
  capturing?: CapturingPool
  url?: string
  dispose(): Promise<void>
}

async function openScratch(adapter: AdapterName, options: Options): Promise<Scratch> {
  if (adapter === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-scale-'))
    const store = await openStore(join(dir, 'sluice.db'), dir)
    return {
      store,
      dispose: async () => {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const server = options.postgres!
  const name = `sluice_bench_${randomBytes(4).toString('hex')}`
  await adminStatement(server, `CREATE DATABASE ${name}`)
  const url = new URL(server)
  url.pathname = `/${name}`
  // The store openStore would give, on a pool the bench can capture statements from.
  const capturing = new CapturingPool(await openPostgres(url.toString()))
  const store = new PostgresStore(capturing)
  return {
    store,
    capturing,
    url: url.toString(),
    dispose: async () => {
      await store.close()
      await adminStatement(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

async function benchAdapter(adapter: AdapterName, options: Options): Promise<Row[]> {
  const { store, capturing, url, dispose } = await openScratch(adapter, options)
  const rows: Row[] = []
  try {
    await store.ensureApiRoot({ name: 'bench', title: 'Bench' })
    await store.createCollection({
      id: COLLECTION,
      apiRoot: 'bench',
      title: 'Scale',
      mediaTypes: ['application/stix+json;version=2.1'],
    })
    const objects = generateObjects(options.sizes.at(-1)!, options.seed)
    // Sequence numbers and date_added of every stored version, to pick positions from.
    const seqs: number[] = []
    const added: number[] = []
    const typeCounts = new Map<string, number>()
    const ids: string[] = []
    let idsSeen = 0
    const keep = seeded(options.seed ^ 0x5eed)
    const pick = seeded(options.seed)
    for (const size of options.sizes) {
      let ingestMs = 0
      let ingested = 0
      // a progress line per million, so a long run can be watched (and a slowdown seen as it starts)
      let mark = { at: seqs.length, ms: 0, wall: performance.now() }
      while (seqs.length < size) {
        const batch: IncomingObject[] = []
        // next() by hand: leaving a for…of early would close the shared generator.
        while (batch.length < Math.min(options.batch, size - seqs.length)) {
          const next = objects.next()
          if (next.done) break
          batch.push(toIncoming(next.value))
        }
        if (batch.length === 0) throw new Error(`generator ran out at ${seqs.length} objects`)
        const start = performance.now()
        const outcomes = await store.putObjects(COLLECTION, batch)
        ingestMs += performance.now() - start
        for (const [i, o] of outcomes.entries()) {
          if (o.result !== 'added') continue
          seqs.push(o.seq)
          added.push(toMicros(o.dateAdded)!)
          typeCounts.set(batch[i]!.type, (typeCounts.get(batch[i]!.type) ?? 0) + 1)
          const slot = idsSeen++ < ID_SAMPLE ? ids.length : Math.floor(keep() * idsSeen)
          if (slot < ID_SAMPLE) ids[slot] = batch[i]!.id
          ingested++
        }
        if (seqs.length - mark.at >= 1_000_000 || seqs.length === size) {
          const rate = (seqs.length - mark.at) / ((ingestMs - mark.ms) / 1000)
          const wall = (performance.now() - mark.wall) / 1000
          console.error(
            `${adapter} ingest at ${seqs.length.toLocaleString('en-US')}: ${Math.round(rate).toLocaleString('en-US')}/s in putObjects over the last ${(seqs.length - mark.at).toLocaleString('en-US')} (${wall.toFixed(0)} s wall), load ${loadavg()[0]!.toFixed(1)}`,
          )
          mark = { at: seqs.length, ms: ingestMs, wall: performance.now() }
        }
      }
      const load = loadavg()[0]!
      // Pages must be full: start at least a page before the end.
      const span = seqs.length - PAGE
      const types = [...typeCounts.keys()]
      const queriesFrom = (pick: () => number): Record<QueryKind, () => ObjectQuery> => ({
        afterSeq: () => ({
          collectionId: COLLECTION,
          limit: PAGE,
          afterSeq: seqs[Math.floor(pick() * span)]!,
        }),
        addedAfter: () => ({
          collectionId: COLLECTION,
          limit: PAGE,
          addedAfter: formatMicros(added[Math.floor(pick() * span)]!),
        }),
        // the object-by-id path (GET …/objects/{id}/): its newest version, wherever it sits in the collection
        byId: () => ({
          collectionId: COLLECTION,
          limit: PAGE,
          ids: [ids[Math.floor(pick() * ids.length)]!],
        }),
        types: () => {
          const type = types[Math.floor(pick() * types.length)]!
          // From a position that still leaves most of a page of this type after it.
          const share = (typeCounts.get(type) ?? 1) / seqs.length
          const room = Math.max(0, seqs.length - Math.ceil(PAGE / share))
          return {
            collectionId: COLLECTION,
            limit: PAGE,
            types: [type],
            afterSeq: seqs[Math.floor(pick() * room)] ?? 0,
          }
        },
      })
      const queries = queriesFrom(pick)
      const timePage = async (kind: QueryKind, query: ObjectQuery): Promise<number> => {
        const start = performance.now()
        const page = await store.queryObjects(query)
        const ms = performance.now() - start
        if (page.items.length === 0)
          throw new Error(`${adapter} ${kind}: empty page for ${JSON.stringify(query)}`)
        return ms
      }
      const latency = {} as Row['latency']
      const warmP50 = {} as Record<QueryKind, number>
      for (const kind of QUERY_KINDS) {
        const times: number[] = []
        const timed: ObjectQuery[] = []
        for (let i = 0; i < options.samples + 10; i++) {
          const query = queries[kind]()
          const ms = await timePage(kind, query)
          if (i < 10) continue // the first few warm caches
          times.push(ms)
          timed.push(query)
        }
        times.sort((a, b) => a - b)
        latency[kind] = { p50: percentile(times, 50), p99: percentile(times, 99) }
        if (options.repeat) {
          const again: number[] = []
          for (const query of timed) again.push(await timePage(kind, query))
          again.sort((a, b) => a - b)
          warmP50[kind] = percentile(again, 50)
        }
      }
      const row: Row = { adapter, size, ingestPerSecond: ingested / (ingestMs / 1000), load, latency }
      if (options.repeat) row.warmP50 = warmP50
      if (options.explain > 0 && capturing && url) {
        const { client, ioTiming } = await explainClient(url)
        try {
          const fresh = queriesFrom(seeded(options.seed + 1))
          row.explain = {} as Record<QueryKind, ExplainSummary>
          row.ioTiming = ioTiming
          for (const kind of QUERY_KINDS) {
            const first: Explained[] = []
            const repeat: Explained[] = []
            for (let i = 0; i < options.explain; i++) {
              const query = fresh[kind]()
              const statement = await capturing.capture(() => store.queryObjects(query))
              first.push(await explain(client, statement))
              repeat.push(await explain(client, statement))
            }
            row.explain[kind] = summarize(first, repeat)
          }
        } finally {
          await client.end()
        }
      }
      rows.push(row)
      console.error(`${adapter} ${size}: ${formatRow(row)}`)
      if (row.warmP50) console.error(`${adapter} ${size} warm p50: ${JSON.stringify(row.warmP50)}`)
      for (const line of explainLines(row)) console.error(`${adapter} ${size} explain: ${line}`)
    }
  } finally {
    await dispose()
  }
  return rows
}

const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1)

function formatRow(row: Row): string {
  return [
    Math.round(row.ingestPerSecond).toLocaleString('en-US'),
    ...QUERY_KINDS.map((k) => `${ms(row.latency[k].p50)} / ${ms(row.latency[k].p99)}`),
    row.load.toFixed(1),
  ].join(' | ')
}

/** Table rows of the explain figures at one size, one per query kind. */
function explainLines(row: Row): string[] {
  if (!row.explain) return []
  const io = (v: number | undefined) => (v === undefined ? 'n/a' : ms(v))
  return QUERY_KINDS.map((kind) => {
    const e = row.explain![kind]
    return [
      row.size.toLocaleString('en-US'),
      kind,
      e.rows.toFixed(0),
      e.removedByFilter.toFixed(0),
      e.sharedHit.toFixed(0),
      e.sharedRead.toFixed(0),
      (e.sharedHit + e.sharedRead).toFixed(0),
      e.sharedDirtied.toFixed(0),
      io(e.ioReadMs),
      ms(e.planningMs),
      ms(e.executionMs),
      `${ms(e.repeatExecutionMs)} (read ${e.repeatSharedRead.toFixed(0)})`,
      e.plans.join('; '),
    ].join(' | ')
  })
}

function report(rows: Row[], options: Options): string {
  const lines = [
    machineLine(),
    '',
    `Page of ${PAGE}, ${options.samples} random positions per cell, latency in ms as p50 / p99; ingest in batches of ${options.batch}.`,
    'The ingest rate at a size is measured over the objects added since the previous size, timing putObjects only',
    '(generating the objects is not counted). Load is the one-minute load average when the reads at that size began.',
    '',
    '| adapter | stored versions | ingest (objects/s) | afterSeq | addedAfter | types + afterSeq | by id (one object) | load |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.adapter} | ${r.size.toLocaleString('en-US')} | ${formatRow(r)} |`),
    '',
    'Latency at each size divided by latency at the size before (p50 / p99); linear growth would be the data ratio:',
    '',
  ]
  for (const adapter of options.adapters) {
    const mine = rows.filter((r) => r.adapter === adapter)
    for (const [i, large] of mine.entries()) {
      const small = mine[i - 1]
      if (!small) continue
      const ratios = QUERY_KINDS.map(
        (k) =>
          `${k} ${(large.latency[k].p50 / small.latency[k].p50).toFixed(2)} / ${(large.latency[k].p99 / small.latency[k].p99).toFixed(2)}`,
      )
      lines.push(
        `- ${adapter} ${small.size.toLocaleString('en-US')} → ${large.size.toLocaleString('en-US')} (${large.size / small.size}× the data): ${ratios.join('; ')}`,
      )
    }
  }
  const warm = rows.filter((r) => r.warmP50)
  if (warm.length > 0) {
    lines.push(
      '',
      'The same positions timed again right after the first pass (p50 ms, first pass → second pass):',
      '',
      ...warm.map(
        (r) =>
          `- ${r.adapter} ${r.size.toLocaleString('en-US')}: ${QUERY_KINDS.map((k) => `${k} ${ms(r.latency[k].p50)} → ${ms(r.warmP50![k])}`).join('; ')}`,
      ),
    )
  }
  const explained = rows.filter((r) => r.explain)
  if (explained.length > 0) {
    const first = explained[0]!
    lines.push(
      '',
      `EXPLAIN (ANALYZE, BUFFERS) of the statement queryObjects sends, ${first.explain!.types.samples} fresh pages per kind and size`,
      `(means per page; blocks of 8 KiB; hit = in shared_buffers, read = requested from the OS, which may still have it;`,
      `I/O read = time in those reads${first.ioTiming ? '' : ', n/a: track_io_timing could not be set'}; repeat = the same statement explained again at once):`,
      '',
      '| adapter | versions | query | rows | removed by filter | shared hit | shared read | touched | dirtied | I/O read ms | planning ms | execution ms | repeat ms | plan |',
      '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      ...explained.flatMap((r) => explainLines(r).map((line) => `| ${r.adapter} | ${line} |`)),
    )
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const options = parseArgs()
  const rows: Row[] = []
  for (const adapter of options.adapters) rows.push(...(await benchAdapter(adapter, options)))
  console.log(report(rows, options))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
