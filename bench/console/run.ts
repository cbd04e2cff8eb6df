/**
 * The console at 10^5 objects: how long each of its API calls takes on a node that holds that many,
 * against a baseline measured in the same run (a TAXII page of 50 over the same loopback client, and a
 * raw store page read in process).
 *
 *   npx tsc -p tsconfig.json
 *   node dist/bench/console/run.js [--objects 100000] [--samples 30] [--seed 7] [--browser]
 *
 * The node is the demo world (partners, agreements, three collections) with `--objects` generated
 * objects added (bench/data/generate.ts: fictional, documentation address ranges only), and a ledger
 * filled by the partners pulling what their agreements allow over TAXII. `--browser` also times the
 * intelligence page in Debian's headless Chromium (needs `npm run build:web` and /usr/bin/chromium).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { seedDemo } from '../../src/demo/seed.js'
import type { ObjectPage } from '../../src/services/console-types.js'
import type { StixObject } from '../../src/stix/object.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { type HttpResult, TAXII } from '../lib/http.js'
import { loadObjects, startBenchNode } from '../lib/node.js'
import { percentile } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable, ratio } from '../lib/table.js'

interface Measured {
  name: string
  p50: number
  p99: number
  samples: number
  note?: string
}

const args = benchArgs({
  '--quick': 'flag',
  '--objects': 'number',
  '--samples': 'number',
  '--seed': 'number',
  '--browser': 'flag',
})
const OBJECTS = Math.floor(args.number('--objects', args.quick ? 20_000 : 100_000))
const SAMPLES = Math.floor(args.number('--samples', args.quick ? 10 : 30))
const SEED = Math.floor(args.number('--seed', 7))
const BROWSER = args.flag('--browser')

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now()
  const out = await fn()
  return [performance.now() - t0, out]
}

async function measure(
  name: string,
  fn: (i: number) => Promise<unknown>,
  samples = SAMPLES,
  note?: string,
): Promise<Measured> {
  await fn(0) // one warm-up, so the first sample is not the one that compiles the code path
  const ms: number[] = []
  for (let i = 0; i < samples; i++) ms.push((await time(() => fn(i + 1)))[0])
  const m = { name, p50: percentile(ms, 50), p99: percentile(ms, 99), samples, ...(note ? { note } : {}) }
  process.stderr.write(`  ${name}: p50 ${dec(m.p50)} ms, p99 ${dec(m.p99)} ms\n`)
  return m
}

function ok(res: HttpResult, what: string): HttpResult {
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`${what}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`)
  return res
}

async function main(): Promise<void> {
  const machine = machineLine()
  const bench = await startBenchNode('sluice-bench-console-')
  try {
    const { node, client } = bench
    const { store, services } = { store: node.store, services: node.services }
    const demo = await seedDemo(services)
    const admin = { Authorization: `Bearer ${demo.adminKey}` }
    const partnerKey = (p: string) => demo.partnerKeys.find((k) => k.partner === p)!.key
    const collections = await store.listCollections('intel')
    const byAlias = new Map(collections.map((c) => [c.alias ?? c.id, c.id]))

    // 10^5 objects, spread over the three demo collections in runs of 1,000
    process.stderr.write(`loading ${int(OBJECTS)} objects…\n`)
    const [loadMs] = await time(async () => {
      let batch: StixObject[] = []
      let k = 0
      for (const object of generateObjects(OBJECTS, SEED)) {
        batch.push(object)
        if (batch.length === 1000) {
          await loadObjects(store, collections[k++ % collections.length]!.id, batch)
          batch = []
        }
      }
      if (batch.length > 0) await loadObjects(store, collections[k % collections.length]!.id, batch)
    })
    let stored = 0
    for (const c of collections) stored += await store.countObjects(c.id)
    process.stderr.write(`loaded in ${dec(loadMs / 1000, 1)} s; ${int(stored)} versions stored\n`)

    // a ledger with content: two partners pull pages of what they may receive
    process.stderr.write('filling the ledger with partner reads…\n')
    for (const p of ['isles', 'northland']) {
      const key = partnerKey(p)
      for (const c of collections) {
        let next: string | undefined
        for (let page = 0; page < 4; page++) {
          const q = new URLSearchParams({ limit: '1000', ...(next ? { next } : {}) })
          const res = await client.send({
            path: `/intel/collections/${c.id}/objects/?${q}`,
            headers: { Accept: TAXII, Authorization: `Bearer ${key}` },
          })
          if (res.status !== 200) break
          const body = JSON.parse(res.body.toString()) as { more?: boolean; next?: string }
          if (!body.more || !body.next) break
          next = body.next
        }
      }
    }
    const logs = JSON.parse(
      ok(await client.send({ path: '/ledger/logs', headers: admin }), 'logs').body.toString(),
    ) as {
      logId: string
      size: number
    }[]
    const globalSize = logs.find((l) => l.logId === 'global')?.size ?? 0
    process.stderr.write(`ledger: ${int(globalSize)} entries in the global log\n`)

    const get = (path: string, headers: Record<string, string> = admin) =>
      client.send({ path, headers: { Accept: 'application/json', ...headers } }).then((r) => ok(r, path))
    const post = (path: string, body: unknown) =>
      client
        .send({
          method: 'POST',
          path,
          headers: { ...admin, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
        })
        .then((r) => ok(r, path))
    const routes = byAlias.get('maritime-routes')!
    const seqs = (await store.queryObjects({ collectionId: routes, limit: 1_000_000 })).items.map(
      (v) => v.seq,
    )
    const at = (i: number) => seqs[(i * 7919) % seqs.length]!

    process.stderr.write('measuring…\n')
    const results: Measured[] = []
    const baselineStore = await measure('baseline: store page of 50 (in process)', (i) =>
      store.queryObjects({ collectionId: routes, afterSeq: at(i), limit: 50 }),
    )
    const baselineHttp = await measure('baseline: TAXII page of 50, admin (HTTP)', () =>
      get(`/intel/collections/${routes}/objects/?limit=50`, { ...admin, Accept: TAXII }),
    )
    results.push(baselineStore, baselineHttp)

    results.push(await measure('flows matrix', () => get('/console-api/flows')))

    // the intelligence search: first pages, then pages deep into a scroll
    const search = (q: Record<string, string>, key = admin) =>
      get(`/console-api/objects?${new URLSearchParams({ limit: '50', ...q })}`, key).then(
        (r) => JSON.parse(r.body.toString()) as ObjectPage,
      )
    const notes = (p: ObjectPage) => `${p.items.length} rows, searched ${int(p.searched)} of ${int(p.total)}`
    const cases: [string, Record<string, string>][] = [
      ['intel: first page, no filter', {}],
      ['intel: type = indicator', { type: 'indicator' }],
      ['intel: type = intrusion-set (rare)', { type: 'intrusion-set' }],
      ['intel: label = money-laundering', { label: 'money-laundering' }],
      ['intel: marking = TLP:RED', { marking: 'TLP:RED' }],
      ['intel: text "heron"', { q: 'heron' }],
      ['intel: text matching nothing', { q: 'no such words anywhere' }],
    ]
    for (const [name, q] of cases) {
      const first = await search(q)
      results.push(await measure(name, () => search(q), SAMPLES, notes(first)))
    }
    // scrolling: the tenth page of a text search, from its cursor
    {
      let page = await search({ q: 'vessel' })
      for (let i = 0; i < 9 && page.next; i++) page = await search({ q: 'vessel', cursor: page.next })
      const cursor = page.next
      if (cursor) {
        const deep = await search({ q: 'vessel', cursor })
        results.push(
          await measure(
            'intel: text "vessel", 11th page (scrolling)',
            () => search({ q: 'vessel', cursor }),
            SAMPLES,
            notes(deep),
          ),
        )
      }
    }
    {
      const isles = { Authorization: `Bearer ${partnerKey('isles')}` }
      const first = await search({ q: 'vessel' }, isles)
      results.push(
        await measure(
          'intel: text "vessel", as partner isles',
          () => search({ q: 'vessel' }, isles),
          SAMPLES,
          notes(first),
        ),
      )
    }
    const ids = (await search({ type: 'indicator' })).items.map((r) => r.id)
    results.push(
      await measure('object detail (versions, decisions per partner)', (i) =>
        get(`/console-api/objects/${encodeURIComponent(ids[i % ids.length]!)}`),
      ),
    )
    results.push(
      await measure(
        'impact preview: suspend isles in maritime-routes',
        () => post('/console-api/impact/suspend', { partner: 'isles', collections: ['maritime-routes'] }),
        Math.max(5, Math.floor(SAMPLES / 3)),
      ),
    )
    results.push(
      await measure(
        'impact preview: suspend northland everywhere',
        () => post('/console-api/impact/suspend', { partner: 'northland' }),
        Math.max(5, Math.floor(SAMPLES / 3)),
      ),
    )
    results.push(
      await measure('ledger entries: 100 at a random position', (i) => {
        const start = Math.max(0, (i * 7919) % Math.max(1, globalSize - 100))
        return get(`/ledger/entries?log=global&start=${start}&end=${start + 100}`)
      }),
    )
    results.push(
      await measure('partner page without its preview (what the console draws first)', () =>
        get('/console-api/partners/isles?preview=later'),
      ),
    )
    results.push(
      await measure(
        'partner page (preview over the corpus)',
        () => get('/console-api/partners/isles'),
        Math.max(5, Math.floor(SAMPLES / 3)),
      ),
    )

    if (BROWSER) results.push(...(await browserTimes(bench.url, demo.adminKey)))

    const base = baselineHttp.p50
    const table = markdownTable(
      [
        'call',
        { header: 'p50 ms', align: 'right' },
        { header: 'p99 ms', align: 'right' },
        { header: 'p50 / TAXII page', align: 'right' },
        'notes',
      ],
      results.map((r) => [r.name, dec(r.p50), dec(r.p99), ratio(r.p50 / base), r.note ?? '']),
    )
    console.log(`### Console at 10^5 objects (${machine})\n`)
    console.log(
      `${int(stored)} stored versions in 3 collections (+ the demo world), ${int(globalSize)} ledger entries in the global log; loaded in ${dec(loadMs / 1000, 1)} s. ${SAMPLES} samples per call after one warm-up, one client, SQLite store.\n`,
    )
    console.log(table)
  } finally {
    await bench.close()
  }
}

/** Time to the first rendered rows of the intelligence page, and to rows after scrolling far down. */
async function browserTimes(url: string, key: string): Promise<Measured[]> {
  const chromiumPath = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium'
  const built = resolve(import.meta.dirname, '../../console')
  if (!existsSync(chromiumPath) || !existsSync(join(built, 'index.html'))) {
    process.stderr.write('--browser: no Chromium or no built console (npm run build:web); skipped\n')
    return []
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
    await page.goto(`${url}/console/`)
    await page.getByLabel('API key').fill(key)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#flows-matrix').waitFor()
    const first: number[] = []
    const scrolled: number[] = []
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now()
      await page.goto(`${url}/console/intel?q=vessel`)
      await page.locator('#objects-table tbody tr[aria-rowindex]').first().waitFor()
      first.push(performance.now() - t0)
      const t1 = performance.now()
      // scroll to the bottom three times: each loads the next page from the server
      for (let k = 0; k < 3; k++) {
        const before = await page.locator('#objects-table').getAttribute('data-loaded')
        await page.locator('#objects-scroll').evaluate((el) => {
          el.scrollTop = el.scrollHeight
        })
        for (
          let w = 0;
          w < 400 && (await page.locator('#objects-table').getAttribute('data-loaded')) === before;
          w++
        )
          await page.waitForTimeout(10)
      }
      scrolled.push(performance.now() - t1)
    }
    const m = (name: string, xs: number[]): Measured => ({
      name,
      p50: percentile(xs, 50),
      p99: percentile(xs, 99),
      samples: xs.length,
    })
    return [
      m('browser: intelligence page to first rows (Chromium)', first),
      m('browser: three scrolls to the bottom, rows loaded', scrolled),
    ]
  } finally {
    await browser.close()
  }
}

await main()
