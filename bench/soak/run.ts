/**
 * Soak: a mixed read/write load at a fixed rate against a real `sluice serve` process on loopback, for
 * ten minutes by default. Reports throughput, p50/p99 per window, and the server's RSS (read from its
 * own /metrics) at the start and the end. Targets: RSS growth under 10 %, p99 flat.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/soak/run.js [--minutes 10] [--rate 40] [--window 60]
 *
 * The default rate sits well under what a 2-core machine serves (~70 req/s with this mix, where every
 * partner page commits its ledger entries with an fsync): a soak measures stability, not the ceiling.
 *
 * Mix per request: 55 % partner object pages, 10 % manifests, 10 % ingest (a 10-object envelope),
 * 10 % ledger (latest checkpoint or checkpoint list), 10 % discovery/collections, 5 % admin policy reads.
 * Open loop: requests are issued on a fixed schedule whether or not earlier ones finished; at most
 * 512 may be in flight, beyond that a request counts as dropped.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { seedDemo } from '../../src/demo/seed.js'
import { createServices } from '../../src/server/services.js'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { openStore } from '../../src/store/open.js'
import { benchArgs } from '../lib/args.js'
import { seeded } from '../lib/rng.js'
import { percentile } from '../lib/stats.js'
import { machineLine, markdownTable } from '../lib/table.js'
import { tempDir } from '../lib/tmp.js'

const TAXII = 'application/taxii+json;version=2.1'
const args = benchArgs({ '--quick': 'flag', '--minutes': 'number', '--rate': 'number', '--window': 'number' })
const minutes = args.number('--minutes', args.quick ? 0.5 : 10)
const rate = args.number('--rate', 40)
const windowSeconds = args.number('--window', minutes >= 2 ? 60 : 10)
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const dir = tempDir('soak')

async function prepare() {
  const store = await openStore(undefined, dir.path)
  try {
    await ensureDefaultApiRoot(store)
    const services = await createServices(store, { dataDir: dir.path, createKey: true })
    const demo = await seedDemo(services)
    const collections = await store.listCollections('intel')
    return { adminKey: demo.adminKey, partners: demo.partnerKeys, collections: collections.map((c) => c.id) }
  } finally {
    await store.close()
  }
}

function serve(): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'serve', '--port', '0', '--data', dir.path, '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /serving TAXII 2\.1 at (http:\/\/[^/\s]+)\//.exec(out)
      if (m)
        resolve({
          url: m[1]!,
          stop: () =>
            new Promise<void>((r) => {
              child.once('exit', () => r())
              child.kill('SIGTERM')
            }),
        })
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
  })
}

const world = await prepare()
const server = await serve()
// each partner reads the collections its agreements let it see
const readable = new Map<string, string[]>()
for (const p of world.partners) {
  const res = await fetch(`${server.url}/intel/collections/`, {
    headers: { Accept: TAXII, Authorization: `Bearer ${p.key}` },
  })
  readable.set(
    p.key,
    (((await res.json()) as { collections?: { id: string }[] }).collections ?? []).map((c) => c.id),
  )
}
const partners = world.partners.filter((p) => (readable.get(p.key)?.length ?? 0) > 0)
const rand = seeded(42)
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!

/** RSS, and how many versions the gate has judged and withheld so far (after the store's screening). */
async function sample(): Promise<{ rssBytes: number; withheld: number }> {
  const text = await (
    await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${world.adminKey}` } })
  ).text()
  const rssBytes = Number(/^sluice_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN)
  let withheld = 0
  for (const m of text.matchAll(/^sluice_denials_total\{[^}]*\} (\d+)/gm)) withheld += Number(m[1])
  return { rssBytes, withheld }
}

function nextRequest(): { url: string; init: RequestInit; partnerPage?: true } {
  const r = rand()
  const partner = pick(partners)
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` })
  const collection = pick(readable.get(partner.key)!)
  const anyCollection = pick(world.collections)
  if (r < 0.55)
    return {
      url: `${server.url}/intel/collections/${collection}/objects/?limit=${pick([10, 50, 100])}`,
      init: { headers: { Accept: TAXII, ...auth(partner.key) } },
      partnerPage: true,
    }
  if (r < 0.65)
    return {
      url: `${server.url}/intel/collections/${collection}/manifest/?limit=100`,
      init: { headers: { Accept: TAXII, ...auth(partner.key) } },
      partnerPage: true,
    }
  if (r < 0.75) {
    const t = new Date().toISOString()
    const objects = Array.from({ length: 10 }, () => ({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created: t,
      modified: t,
      name: 'Soak relay',
      pattern: "[ipv4-addr:value = '198.51.100.20']",
      pattern_type: 'stix',
      valid_from: t,
    }))
    return {
      url: `${server.url}/intel/collections/${anyCollection}/objects/`,
      init: {
        method: 'POST',
        headers: { Accept: TAXII, 'Content-Type': TAXII, ...auth(world.adminKey) },
        body: JSON.stringify({ objects }),
      },
    }
  }
  if (r < 0.85)
    return {
      url: `${server.url}/ledger/${rand() < 0.5 ? 'checkpoint' : 'checkpoints'}`,
      init: { headers: { Accept: 'application/json', ...auth(partner.key) } },
    }
  if (r < 0.95)
    return {
      url: `${server.url}/intel/${rand() < 0.5 ? 'collections/' : ''}`,
      init: { headers: { Accept: TAXII, ...auth(partner.key) } },
    }
  return {
    url: `${server.url}/admin/${pick(['orders', 'agreements', 'partners'])}`,
    init: { headers: { Accept: 'application/json', ...auth(world.adminKey) } },
  }
}

interface Window {
  latencies: number[]
  /** Latencies of partner object and manifest pages alone: the reads whose cost could grow with the store. */
  partnerPages: number[]
  errors: number
  dropped: number
  rssBytes: number
  /** Versions the gate decided and withheld during the window. */
  withheld: number
}

const windows: Window[] = []
// load-independent: how many versions the gate had to decide and withhold per partner page
const perPage = (w: Window) => (w.partnerPages.length ? (w.withheld / w.partnerPages.length).toFixed(1) : '-')
const firstErrors: string[] = []
const emptyWindow = (): Window => ({
  latencies: [],
  partnerPages: [],
  errors: 0,
  dropped: 0,
  rssBytes: 0,
  withheld: 0,
})
let current = emptyWindow()
let inFlight = 0
const startSample = await sample()
const rssStart = startSample.rssBytes
let withheldSoFar = startSample.withheld
const takeSample = async (w: Window) => {
  const s = await sample().catch(() => ({ rssBytes: Number.NaN, withheld: withheldSoFar }))
  w.rssBytes = s.rssBytes
  w.withheld = s.withheld - withheldSoFar
  withheldSoFar = s.withheld
}
const started = performance.now()
const durationMs = minutes * 60_000
let issued = 0
let lastWindowAt = started
process.stdout.write(
  `soak: ${minutes} min at ${rate} req/s, windows of ${windowSeconds} s; RSS at start ${(rssStart / 2 ** 20).toFixed(1)} MiB\n`,
)

await new Promise<void>((resolve) => {
  const tick = setInterval(async () => {
    const now = performance.now()
    const due = Math.floor(((now - started) / 1000) * rate)
    while (issued < due) {
      issued++
      if (inFlight >= 512) {
        current.dropped++
        continue
      }
      const { url, init, partnerPage } = nextRequest()
      const window = current
      const t0 = performance.now()
      inFlight++
      fetch(url, init)
        .then(async (res) => {
          await res.arrayBuffer()
          if (res.status >= 400) window.errors++
          if (res.status >= 400 && firstErrors.length < 5)
            firstErrors.push(`${res.status} ${url.replace(server.url, '')}`)
        })
        .catch(() => {
          window.errors++
        })
        .finally(() => {
          inFlight--
          window.latencies.push(performance.now() - t0)
          if (partnerPage) window.partnerPages.push(performance.now() - t0)
        })
    }
    if (now - lastWindowAt >= windowSeconds * 1000) {
      lastWindowAt = now
      const done = current
      current = emptyWindow()
      await takeSample(done)
      windows.push(done)
      const i = windows.length
      process.stdout.write(
        `window ${i}: ${done.latencies.length} req, p50 ${percentile(done.latencies, 50).toFixed(1)} ms, p99 ${percentile(done.latencies, 99).toFixed(1)} ms (partner pages p99 ${percentile(done.partnerPages, 99).toFixed(1)} ms, ${perPage(done)} withheld per page), errors ${done.errors}, dropped ${done.dropped}, RSS ${(done.rssBytes / 2 ** 20).toFixed(1)} MiB\n`,
      )
    }
    if (now - started >= durationMs) {
      clearInterval(tick)
      resolve()
    }
  }, 5)
})
while (inFlight > 0) await new Promise((r) => setTimeout(r, 20))
if (current.latencies.length > 0) {
  await takeSample(current)
  windows.push(current)
}
const rssEnd = (await sample()).rssBytes
await server.stop()
dir.remove()

const all = windows.flatMap((w) => w.latencies)
const first = windows[0]
const last = windows.at(-1)
const rows = windows.map((w, i) => [
  `${((i + 1) * windowSeconds) / 60 >= 1 ? `${(((i + 1) * windowSeconds) / 60).toFixed(1)} min` : `${(i + 1) * windowSeconds} s`}`,
  String(w.latencies.length),
  (w.latencies.length / windowSeconds).toFixed(0),
  percentile(w.latencies, 50).toFixed(1),
  percentile(w.latencies, 99).toFixed(1),
  percentile(w.partnerPages, 99).toFixed(1),
  perPage(w),
  String(w.errors),
  String(w.dropped),
  (w.rssBytes / 2 ** 20).toFixed(1),
])
process.stdout.write(`\n## Soak\n\n${machineLine()}\n\n`)
process.stdout.write(
  `${minutes} min at a fixed ${rate} req/s (open loop), mixed reads/writes, demo world + growing ingest.\n\n`,
)
process.stdout.write(
  `${markdownTable(
    [
      'window end',
      'requests',
      'req/s',
      'p50 ms',
      'p99 ms',
      'partner pages p99 ms',
      'withheld per partner page',
      'errors',
      'dropped',
      'RSS MiB',
    ],
    rows,
  )}\n\n`,
)
// the first window warms caches, the page cache and V8's heap; growth is measured from its end
const rssWarm = windows[0]?.rssBytes ?? rssStart
const growth = (rssEnd - rssWarm) / rssWarm
process.stdout.write(
  `- throughput: ${(all.length / (minutes * 60)).toFixed(1)} req/s; p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms overall\n`,
)
process.stdout.write(
  `- RSS: ${(rssStart / 2 ** 20).toFixed(1)} MiB cold, ${(rssWarm / 2 ** 20).toFixed(1)} MiB after the first window, ${(rssEnd / 2 ** 20).toFixed(1)} MiB at the end: ${(growth * 100).toFixed(1)} % after warm-up (target < 10 %: ${growth < 0.1 ? 'met' : 'MISSED'})\n`,
)
// A leak keeps growing; a heap settling towards its working size levels off, or see-saws as the
// collector releases pages (the end-to-end figure above lands wherever the see-saw is): the range shows which.
const settled = windows.slice(1).map((w) => w.rssBytes)
if (settled.length > 1)
  process.stdout.write(
    `- RSS from the second window on: ${(Math.min(...settled) / 2 ** 20).toFixed(1)}–${(Math.max(...settled) / 2 ** 20).toFixed(1)} MiB\n`,
  )
if (first && last)
  process.stdout.write(
    `- p99 first window ${percentile(first.latencies, 99).toFixed(1)} ms, last window ${percentile(last.latencies, 99).toFixed(1)} ms\n`,
  )
process.stdout.write(
  `- errors (4xx/5xx/transport): ${windows.reduce((n, w) => n + w.errors, 0)}, dropped: ${windows.reduce((n, w) => n + w.dropped, 0)}${firstErrors.length ? ` (first: ${firstErrors.join('; ')})` : ''}\n`,
)
