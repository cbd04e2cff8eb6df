/**
 * Read throughput: GET pages of 1,000 from a node over loopback HTTP, as admin (no policy), by
 * `added_after` at random positions and by `match[type]` (from a random position), against a
 * baseline in the same run: the same SQL on the same database file through raw better-sqlite3,
 * with the page body built by concatenating the stored JSON texts.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/read/run.js [--quick] [--objects 50000]
 *        [--pages 300] [--repeat 2]
 *
 * Requests are sequential on one keep-alive connection. The client runs in the node's thread (the
 * conservative figure) and again on its own thread (as a separate load generator would).
 */
import Database from 'better-sqlite3'
import { formatMicros } from '../../src/store/time.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { getLoopOnThread } from '../lib/client-thread.js'
import { expectStatus, loadLoop, TAXII } from '../lib/http.js'
import { benchCollection, loadObjects, startBenchNode } from '../lib/node.js'
import { between, seeded } from '../lib/rng.js'
import { bestOf, collectGarbage, type LatencySummary, nowMs, summarize } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable, pct, ratio, verdictAtLeast } from '../lib/table.js'

const args = benchArgs({
  '--quick': 'flag',
  '--repeat': 'number',
  '--objects': 'number',
  '--pages': 'number',
  '--seed': 'number',
})
const TOTAL = args.number('--objects', args.quick ? 20_000 : 50_000)
const PAGES = args.number('--pages', args.quick ? 100 : 300)
const PAGE = 1000
const SEED = args.number('--seed', 23)

interface Position {
  /** date_added of the row just before the page, as the client sends it. */
  addedAfter: string
  addedUs: number
  type?: string
}

type Kind = 'added_after' | 'match[type]'

function queryPath(collectionId: string, p: Position): string {
  const base = `/intel/collections/${collectionId}/objects/?limit=${PAGE}&added_after=${encodeURIComponent(p.addedAfter)}`
  return p.type ? `${base}&match[type]=${encodeURIComponent(p.type)}` : base
}

/**
 * Raw SELECT of the same rows the node serves, and the body built from them by concatenating the
 * stored JSON texts. The baseline resolves added_after to a sequence number first (date_added rises
 * with seq), then reads the page in seq order from an index: the fastest plain way to get these
 * rows. With `naive`, one SELECT filters on added_us and orders by seq, which makes SQLite sort
 * every later row (informational: what the store did before it resolved added_after to a seq).
 */
function baselineRun(
  file: string,
  collectionId: string,
  positions: readonly Position[],
  naive = false,
): LatencySummary {
  const db = new Database(file, { readonly: true })
  try {
    const toSeq = db.prepare(
      'SELECT seq FROM objects WHERE collection_id = ? AND added_us > ? ORDER BY added_us LIMIT 1',
    )
    const seqOf = (addedUs: number) =>
      ((toSeq.get(collectionId, addedUs) as { seq: number } | undefined)?.seq ?? Number.MAX_SAFE_INTEGER) - 1
    const bySeq = db.prepare(
      'SELECT seq, json FROM objects WHERE collection_id = ? AND seq > ? AND (is_last = 1) ORDER BY seq LIMIT ?',
    )
    const byTypeSeq = db.prepare(
      'SELECT seq, json FROM objects WHERE collection_id = ? AND seq > ? AND type IN (?) AND (is_last = 1) ORDER BY seq LIMIT ?',
    )
    const naiveAdded = db.prepare(
      'SELECT seq, json FROM objects WHERE collection_id = ? AND added_us > ? AND (is_last = 1) ORDER BY seq LIMIT ?',
    )
    const naiveType = db.prepare(
      'SELECT seq, json FROM objects WHERE collection_id = ? AND added_us > ? AND type IN (?) AND (is_last = 1) ORDER BY seq LIMIT ?',
    )
    const byAdded = naive
      ? naiveAdded
      : { all: (c: string, a: number, l: number) => bySeq.all(c, seqOf(a), l) }
    const byType = naive
      ? naiveType
      : { all: (c: string, a: number, t: string, l: number) => byTypeSeq.all(c, seqOf(a), t, l) }
    const latencies: number[] = []
    let bytes = 0
    collectGarbage()
    const start = nowMs()
    for (const p of positions) {
      const t0 = nowMs()
      const rows = (
        p.type
          ? byType.all(collectionId, p.addedUs, p.type, PAGE + 1)
          : byAdded.all(collectionId, p.addedUs, PAGE + 1)
      ) as {
        seq: number
        json: string
      }[]
      const more = rows.length > PAGE
      if (more) rows.pop()
      const body = `{"more":${more}${more ? `,"next":${JSON.stringify(String(rows[rows.length - 1]!.seq))}` : ''},"objects":[${rows.map((r) => r.json).join(',')}]}`
      bytes += Buffer.byteLength(body)
      latencies.push(nowMs() - t0)
    }
    const result = summarize(latencies, nowMs() - start)
    if (bytes === 0) throw new Error('baseline read nothing')
    return result
  } finally {
    db.close()
  }
}

async function main(): Promise<void> {
  const bench = await startBenchNode('read')
  try {
    const objects = [...generateObjects(TOTAL, SEED)]
    const collection = await benchCollection(bench.node.store, 'read')
    await loadObjects(bench.node.store, collection.id, objects)
    const file = bench.dir.file('sluice.db')

    // Positions: every row's added_us, and the types present, read straight from the file.
    const meta = new Database(file, { readonly: true })
    const added = (
      meta
        .prepare('SELECT added_us AS a FROM objects WHERE collection_id = ? ORDER BY seq')
        .all(collection.id) as { a: number }[]
    ).map((r) => r.a)
    const typeCounts = meta
      .prepare('SELECT type, count(*) AS n FROM objects GROUP BY type ORDER BY n DESC')
      .all() as { type: string; n: number }[]
    meta.close()
    const rand = seeded(SEED)
    const bigTypes = typeCounts.filter((t) => t.n >= PAGE * 2).map((t) => t.type)
    const positions: Record<Kind, Position[]> = { added_after: [], 'match[type]': [] }
    for (let i = 0; i < PAGES; i++) {
      // full pages: start no later than PAGE rows before the end
      const at = between(rand, 0, added.length - PAGE - 2)
      positions.added_after.push({ addedAfter: formatMicros(added[at]!), addedUs: added[at]! })
      const type = bigTypes[between(rand, 0, bigTypes.length - 1)]!
      const share = typeCounts.find((t) => t.type === type)!.n / added.length
      // start early enough that a page of this type usually fills
      const limit = Math.max(0, Math.floor(added.length - (PAGE * 1.3) / share))
      const tat = between(rand, 0, limit)
      positions['match[type]'].push({ addedAfter: formatMicros(added[tat]!), addedUs: added[tat]!, type })
    }

    const headers = { Authorization: `Bearer ${bench.adminKey}`, Accept: TAXII }
    const overHttp = async (list: readonly Position[]): Promise<LatencySummary> => {
      collectGarbage()
      const result = await loadLoop(bench.client, {
        count: list.length,
        maxMs: 300_000,
        concurrency: 1,
        make: (i) => ({ path: queryPath(collection.id, list[i]!), headers }),
        check: (res) => expectStatus(res, 200, 'GET objects'),
      })
      return summarize(result.latencies, result.totalMs)
    }
    // the same loop with the client on its own thread, as a separate load generator would run
    const overHttpThreaded = async (list: readonly Position[]): Promise<LatencySummary> => {
      collectGarbage()
      const result = await getLoopOnThread({
        baseUrl: bench.url,
        paths: list.map((p) => queryPath(collection.id, p)),
        headers,
      })
      return summarize(result.latencies, result.totalMs)
    }
    // sanity: the node serves exactly the rows the baseline reads, for the first position of each kind
    {
      const db = new Database(file, { readonly: true })
      for (const kind of ['added_after', 'match[type]'] as const) {
        const p = positions[kind][0]!
        const first = db
          .prepare(
            'SELECT seq FROM objects WHERE collection_id = ? AND added_us > ? ORDER BY added_us LIMIT 1',
          )
          .get(collection.id, p.addedUs) as { seq: number }
        const raw = db
          .prepare(
            `SELECT id FROM objects WHERE collection_id = ? AND seq >= ? ${p.type ? 'AND type = ?' : ''} AND is_last = 1 ORDER BY seq LIMIT ${PAGE}`,
          )
          .all(...[collection.id, first.seq, ...(p.type ? [p.type] : [])]) as { id: string }[]
        const res = await bench.client.send({ path: queryPath(collection.id, p), headers })
        expectStatus(res, 200, 'sanity GET')
        const served = (JSON.parse(res.body.toString('utf8')) as { objects: { id: string }[] }).objects.map(
          (o) => o.id,
        )
        if (served.join() !== raw.map((r) => r.id).join())
          throw new Error(`${kind}: the node and the baseline disagree on the page`)
      }
      db.close()
    }
    // warm both paths once (page cache, JIT)
    baselineRun(file, collection.id, positions.added_after.slice(0, 20))
    await overHttp(positions.added_after.slice(0, 20))

    console.log(`## Reads over HTTP, admin (${machineLine()})\n`)
    console.log(
      `${int(TOTAL)} generated objects in one collection; ${int(PAGES)} pages of ${int(PAGE)} per kind, sequential on one keep-alive connection; ` +
        `${args.repeat} runs each, interleaved, best shown (by pages/s).\n`,
    )
    const rows: string[][] = []
    const verdicts: string[] = []
    for (const kind of ['added_after', 'match[type]'] as const) {
      const raw: LatencySummary[] = []
      const node: LatencySummary[] = []
      const threaded: LatencySummary[] = []
      for (let r = 0; r < args.repeat; r++) {
        raw.push(baselineRun(file, collection.id, positions[kind]))
        node.push(await overHttp(positions[kind]))
        threaded.push(await overHttpThreaded(positions[kind]))
      }
      const b = bestOf(raw, (x) => x.perSecond)
      const n = bestOf(node, (x) => x.perSecond)
      const share = n.best.perSecond / b.best.perSecond
      rows.push([
        `${kind}: baseline raw SELECT (added_after → seq, then seq range) + concatenation`,
        dec(b.best.p50, 2),
        dec(b.best.p99, 2),
        dec(b.best.perSecond, 0),
        pct(b.spread),
        '1.00×',
      ])
      rows.push([
        `${kind}: node GET over HTTP`,
        dec(n.best.p50, 2),
        dec(n.best.p99, 2),
        dec(n.best.perSecond, 0),
        pct(n.spread),
        ratio(share),
      ])
      const th = bestOf(threaded, (x) => x.perSecond)
      const threadedShare = th.best.perSecond / b.best.perSecond
      rows.push([
        `${kind}: node GET over HTTP, client on its own thread`,
        dec(th.best.p50, 2),
        dec(th.best.p99, 2),
        dec(th.best.perSecond, 0),
        pct(th.spread),
        ratio(threadedShare),
      ])
      const v = bestOf(
        Array.from({ length: args.repeat }, () => baselineRun(file, collection.id, positions[kind], true)),
        (x) => x.perSecond,
      )
      rows.push([
        `${kind}: (informational) naive single SELECT on added_us ORDER BY seq + concatenation`,
        dec(v.best.p50, 2),
        dec(v.best.p99, 2),
        dec(v.best.perSecond, 0),
        pct(v.spread),
        ratio(v.best.perSecond / b.best.perSecond),
      ])
      verdicts.push(
        `- ${kind}: target ≥ 50 % of baseline pages/s: ${verdictAtLeast(share, 0.5, pct)} (client in the node's thread)`,
      )
      verdicts.push(
        `- ${kind}: target ≥ 50 % of baseline pages/s: ${verdictAtLeast(threadedShare, 0.5, pct)} (client on its own thread)`,
      )
    }
    console.log(
      markdownTable(
        [
          'query (pages of 1,000)',
          { header: 'p50 ms', align: 'right' },
          { header: 'p99 ms', align: 'right' },
          { header: 'pages/s', align: 'right' },
          { header: 'spread', align: 'right' },
          { header: 'ratio', align: 'right' },
        ],
        rows,
      ),
    )
    console.log(`\n${verdicts.join('\n')}`)
  } finally {
    await bench.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
