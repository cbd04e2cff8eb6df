/**
 * Several processes, one node: is the throughput of two `sluice serve` processes on one
 * PostgreSQL database above that of one?
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/multiprocess/run.js [--postgres postgres://…] [--requests 3000] [--seconds 20]
 *                                       [--concurrency 16] [--write-share 0.2] [--rounds 2] [--seed 7]
 *
 * The bench creates a scratch database on the server (`--postgres`, or SLUICE_BENCH_POSTGRES /
 * SLUICE_TEST_POSTGRES), seeds the fictional demo world into it, and starts the real CLI
 * (`node dist/src/cli/main.js serve --port 0 --db …`) as separate processes, each with its own
 * data directory but the same node key (SLUICE_NODE_KEY) and origin, as behind a load balancer.
 * A load generator on loopback then sends a bounded mix of requests, round-robin across the
 * processes: reads as the demo partners (a page of objects, through the disclosure gate, so
 * every read also appends disclosures to the ledger) and writes as admin (a small envelope of
 * new indicators). Each configuration (one process, two processes) is measured `--rounds`
 * times, alternating; the best round of each is reported, with the ratio. At the end the
 * ledger is audited: every log's root recomputed from its leaves must match its head.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { seedDemo } from '../../src/demo/seed.js'
import { auditLedger } from '../../src/ops/ledger-audit.js'
import { loadOrCreateNodeKey } from '../../src/server/node-key.js'
import { createServices } from '../../src/server/services.js'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { createCollection } from '../../src/services/collections.js'
import { openStore } from '../../src/store/open.js'
import { benchArgs } from '../lib/args.js'
import { LoopbackClient, TAXII } from '../lib/http.js'
import { adminStatement } from '../lib/postgres.js'
import { seeded } from '../lib/rng.js'
import { percentile } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable, ratio } from '../lib/table.js'
import { tempDir } from '../lib/tmp.js'

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const ORIGIN = 'bench.sluice.localhost'

interface Options {
  postgres: string
  requests: number
  seconds: number
  concurrency: number
  writeShare: number
  rounds: number
  seed: number
}

function parseArgs(): Options {
  const args = benchArgs({
    '--postgres': 'value',
    '--requests': 'number',
    '--seconds': 'number',
    '--concurrency': 'number',
    '--write-share': 'value',
    '--rounds': 'number',
    '--seed': 'number',
  })
  const postgres =
    args.string('--postgres') ?? process.env.SLUICE_BENCH_POSTGRES ?? process.env.SLUICE_TEST_POSTGRES
  if (!postgres) throw new Error('needs a PostgreSQL server: --postgres URL or SLUICE_BENCH_POSTGRES')
  const host = new URL(postgres).hostname
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host))
    throw new Error(`the bench only talks to a loopback PostgreSQL, not ${host}`)
  // a share of 0 (reads only) is allowed, which a positive number would not be
  const writeShare = Number(args.string('--write-share') ?? 0.2)
  if (!(writeShare >= 0 && writeShare <= 1)) throw new Error('--write-share is a fraction between 0 and 1')
  return {
    postgres,
    requests: args.number('--requests', 3000),
    seconds: args.number('--seconds', 20),
    concurrency: args.number('--concurrency', 16),
    writeShare,
    rounds: args.number('--rounds', 2),
    seed: args.number('--seed', 7),
  }
}

interface Server {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/** One `sluice serve` process on a free loopback port, sharing the database, key and origin. */
function startServer(db: string, keyPath: string, dataDir: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--db',
        db,
        '--data',
        dataDir,
        '--log-level',
        'error',
      ],
      {
        env: { ...process.env, SLUICE_NODE_KEY: keyPath, SLUICE_ORIGIN: ORIGIN, SLUICE_DB: db },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('exit', (code) =>
      reject(new Error(`sluice serve exited (${code}) before listening: ${err.trim()}`)),
    )
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /serving TAXII 2\.1 at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      if (m)
        resolve({
          url: m[1]!,
          child,
          stop: async () => {
            child.kill('SIGTERM')
            await exited
          },
        })
    })
  })
}

interface Fixture {
  partnerKeys: string[]
  adminKey: string
  /** Collections each partner key may read. */
  readable: Map<string, string[]>
  writeCollection: string
}

async function seed(db: string, keyPath: string, dataDir: string): Promise<Omit<Fixture, 'readable'>> {
  const store = await openStore(db, dataDir)
  try {
    await ensureDefaultApiRoot(store)
    const services = await createServices(store, { dataDir, origin: ORIGIN, keyPath })
    const demo = await seedDemo(services)
    const inbox = await createCollection(store, {
      apiRoot: 'intel',
      title: 'Bench inbox',
      description: 'where the bench writes',
    })
    return {
      partnerKeys: demo.partnerKeys.map((p) => p.key),
      adminKey: demo.adminKey,
      writeCollection: inbox.id,
    }
  } finally {
    await store.close()
  }
}

function envelope(rng: () => number, count: number): string {
  const now = new Date().toISOString()
  const objects = Array.from({ length: count }, () => {
    const octet = Math.floor(rng() * 254) + 1
    const net = rng() < 0.5 ? '198.51.100' : '203.0.113'
    return {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created: now,
      modified: now,
      name: `Bench indicator ${net}.${octet}`,
      pattern: `[ipv4-addr:value = '${net}.${octet}']`,
      pattern_type: 'stix',
      valid_from: now,
    }
  })
  return JSON.stringify({ objects })
}

interface Measurement {
  processes: number
  round: number
  requests: number
  reads: number
  writes: number
  seconds: number
  perSecond: number
  p50: number
  p99: number
  errors: number
}

async function measure(
  servers: Server[],
  fixture: Fixture,
  options: Options,
  round: number,
  budget: { requests: number; seconds: number },
): Promise<Measurement> {
  const clients = servers.map((s) => new LoopbackClient(s.url, options.concurrency))
  const rng = seeded(options.seed + round * 101 + servers.length)
  const latencies: number[] = []
  let issued = 0
  let reads = 0
  let writes = 0
  let errors = 0
  let firstError = ''
  const started = performance.now()
  const deadline = started + budget.seconds * 1000
  const worker = async () => {
    for (;;) {
      if (issued >= budget.requests || performance.now() >= deadline) return
      const n = issued++
      const client = clients[n % clients.length]!
      const t0 = performance.now()
      let status: number
      let body: Buffer
      if (rng() < options.writeShare) {
        writes++
        ;({ status, body } = await client.send({
          method: 'POST',
          path: `/intel/collections/${fixture.writeCollection}/objects/`,
          headers: {
            Accept: TAXII,
            'Content-Type': TAXII,
            Authorization: `Bearer ${fixture.adminKey}`,
          },
          body: envelope(rng, 5),
        }))
      } else {
        reads++
        const key = fixture.partnerKeys[Math.floor(rng() * fixture.partnerKeys.length)]!
        const collections = fixture.readable.get(key)!
        const collection = collections[Math.floor(rng() * collections.length)]!
        ;({ status, body } = await client.send({
          path: `/intel/collections/${collection}/objects/?limit=50`,
          headers: { Accept: TAXII, Authorization: `Bearer ${key}` },
        }))
      }
      latencies.push(performance.now() - t0)
      if (status !== 200 && status !== 202) {
        errors++
        firstError ||= `${status} ${body.toString().slice(0, 200)}`
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  for (const c of clients) c.close()
  if (errors > 0) process.stderr.write(`  ${errors} failed requests, first: ${firstError}\n`)
  return {
    processes: servers.length,
    round,
    requests: latencies.length,
    reads,
    writes,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  }
}

async function readableCollections(url: string, keys: string[]): Promise<Map<string, string[]>> {
  const client = new LoopbackClient(url)
  try {
    const out = new Map<string, string[]>()
    for (const key of keys) {
      const res = await client.send({
        path: '/intel/collections/',
        headers: { Accept: TAXII, Authorization: `Bearer ${key}` },
      })
      const list = (JSON.parse(res.body.toString()).collections ?? []) as { id: string; can_read: boolean }[]
      const ids = list.filter((c) => c.can_read).map((c) => c.id)
      if (ids.length > 0) out.set(key, ids)
    }
    return out
  } finally {
    client.close()
  }
}

async function main(): Promise<void> {
  const options = parseArgs()
  const dir = tempDir('multiprocess')
  const name = `sluice_bench_mp_${randomBytes(4).toString('hex')}`
  await adminStatement(options.postgres, `CREATE DATABASE ${name}`)
  const url = new URL(options.postgres)
  url.pathname = `/${name}`
  const db = url.toString()
  const servers: Server[] = []
  try {
    const keyPath = dir.file('node.key')
    await loadOrCreateNodeKey(keyPath, ORIGIN)
    const world = await seed(db, keyPath, dir.file('seed'))
    const a = await startServer(db, keyPath, dir.file('a'))
    servers.push(a)
    const readable = await readableCollections(a.url, world.partnerKeys)
    const fixture: Fixture = { ...world, partnerKeys: [...readable.keys()], readable }
    if (fixture.partnerKeys.length === 0) throw new Error('no demo partner can read a collection')
    const b = await startServer(db, keyPath, dir.file('b'))
    servers.push(b)

    process.stdout.write(
      `# Two processes, one PostgreSQL\n\n${machineLine()}\n` +
        `${options.concurrency} concurrent requests, at most ${int(options.requests)} requests or ${options.seconds} s per round, ` +
        `${Math.round(options.writeShare * 100)} % writes (admin POST of 5 indicators), the rest partner reads (a page of 50, gated and disclosed)\n\n`,
    )
    // warm both processes (JIT, pool connections, policy compiled) before timing anything
    await measure([a], fixture, options, -1, { requests: 300, seconds: 10 })
    await measure([b], fixture, options, -2, { requests: 300, seconds: 10 })
    const results: Measurement[] = []
    for (let round = 0; round < options.rounds; round++) {
      for (const set of [[a], [a, b]]) {
        const m = await measure(set, fixture, options, round, options)
        results.push(m)
        process.stderr.write(
          `round ${round + 1}: ${set.length} process(es) ${int(m.perSecond)} req/s (${int(m.requests)} in ${dec(m.seconds, 1)} s)\n`,
        )
      }
    }
    const best = (n: number) =>
      results.filter((r) => r.processes === n).reduce((x, y) => (y.perSecond > x.perSecond ? y : x))
    const one = best(1)
    const two = best(2)
    const rows = results.map((r) => [
      String(r.processes),
      String(r.round + 1),
      int(r.requests),
      `${int(r.reads)} / ${int(r.writes)}`,
      dec(r.seconds, 1),
      int(r.perSecond),
      dec(r.p50, 1),
      dec(r.p99, 1),
      String(r.errors),
    ])
    process.stdout.write(
      `${markdownTable(
        [
          { header: 'processes', align: 'right' },
          { header: 'round', align: 'right' },
          { header: 'requests', align: 'right' },
          { header: 'reads / writes', align: 'right' },
          { header: 's', align: 'right' },
          { header: 'req/s', align: 'right' },
          { header: 'p50 ms', align: 'right' },
          { header: 'p99 ms', align: 'right' },
          { header: 'errors', align: 'right' },
        ],
        rows,
      )}\n\n`,
    )
    process.stdout.write(
      `Best of ${options.rounds}: one process ${int(one.perSecond)} req/s, two processes ${int(two.perSecond)} req/s: ratio ${ratio(two.perSecond / one.perSecond)}\n`,
    )

    for (const s of servers.splice(0)) await s.stop()
    const store = await openStore(db, dir.path)
    try {
      const audits = await auditLedger(store)
      const bad = audits.filter((x) => !x.ok)
      const global = audits.find((x) => x.logId === 'global')
      process.stdout.write(
        `Ledger after the run: ${audits.length} logs, global ${int(global?.size ?? 0)} entries, ${bad.length === 0 ? 'every root recomputed from its leaves matches its head' : `PROBLEMS: ${bad.map((x) => `${x.logId}: ${x.problems.join('; ')}`).join(' | ')}`}\n`,
      )
      if (bad.length > 0 || results.some((r) => r.errors > 0)) process.exitCode = 1
    } finally {
      await store.close()
    }
  } finally {
    for (const s of servers) await s.stop()
    await adminStatement(options.postgres, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    dir.remove()
  }
}

await main()
