/**
 * Federation: objects per second from one node to another, and end-to-end lag at steady state.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/federation/run.js [--quick] [--objects 20000]
 *        [--page 500] [--rate 200] [--seconds 10] [--every 250]
 *
 * Both nodes run in this process on loopback (client and server share one event loop, so the figures
 * are conservative). Data is generated, mixed, fictional STIX (bench/data/generate.ts).
 *
 * - pull: a feed on B drains A's collection (every version, `match[version]=all`), storing each page
 *   with its provenance; A records every disclosure in its ledger. Objects/s over the whole drain.
 * - push: A pushes the same collection to B through a gate session per batch; objects/s.
 * - lag: a writer commits `--rate` objects/s on A for `--seconds`; B's scheduler polls every `--every`
 *   ms. Lag per object = when B recorded its provenance − A's date_added. Expect about half the
 *   interval plus one page's processing.
 */
import { federationContext } from '../../src/federation/context.js'
import { defineFeed, definePush } from '../../src/federation/definitions.js'
import { pollFeed } from '../../src/federation/feed.js'
import { runPush } from '../../src/federation/push.js'
import { ingestOptions } from '../../src/ingest/options.js'
import { prepareObjects } from '../../src/ingest/prepare.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StixObject } from '../../src/stix/object.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { type BenchNode, benchCollection, loadObjects, startBenchNode } from '../lib/node.js'
import { nowMs, percentile } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable } from '../lib/table.js'

const args = benchArgs({
  '--quick': 'flag',
  '--every': 'number',
  '--objects': 'number',
  '--page': 'number',
  '--rate': 'number',
  '--seconds': 'number',
})
const TOTAL = args.number('--objects', args.quick ? 5000 : 20_000)
const PAGE = args.number('--page', 500)
const RATE = args.number('--rate', 200)
const SECONDS = args.number('--seconds', args.quick ? 4 : 10)
const EVERY = args.number('--every', 250)

interface Pair {
  a: BenchNode
  b: BenchNode
  aCollection: string
  bCollection: string
  /** A's key for B's node (partner "bravo"), and B's key for A's node (partner "alpha", may write). */
  keyForB: string
  keyForA: string
}

async function pair(): Promise<Pair> {
  const [a, b] = await Promise.all([startBenchNode('fed-a'), startBenchNode('fed-b')])
  const aCollection = (await benchCollection(a.node.store, 'alpha shared')).id
  const bCollection = (await benchCollection(b.node.store, 'bravo inbox')).id
  await a.node.services.policy.addPartner(
    { id: 'bravo', name: 'Bravo police (fictional)', kind: 'police' },
    'bench',
  )
  await a.node.services.policy.putAgreement(
    { partner: 'bravo', collections: [aCollection], maxTlp: 'red' },
    'bench',
  )
  await b.node.services.policy.addPartner(
    { id: 'alpha', name: 'Alpha police (fictional)', kind: 'police' },
    'bench',
  )
  const keyForB = (
    await createPrincipal(a.node.store, { name: 'bravo node', role: 'partner', partnerId: 'bravo' })
  ).apiKey
  const writer = await createPrincipal(b.node.store, {
    name: 'alpha node',
    role: 'partner',
    partnerId: 'alpha',
  })
  await b.node.store.setGrant({
    principalId: writer.principal.id,
    collectionId: bCollection,
    canRead: false,
    canWrite: true,
  })
  return { a, b, aCollection, bCollection, keyForB, keyForA: writer.apiKey }
}

async function pullThroughput(objects: StixObject[]): Promise<{ seconds: number; versions: number }> {
  const p = await pair()
  try {
    await p.a.node.federation.stop()
    await p.b.node.federation.stop()
    await loadObjects(p.a.node.store, p.aCollection, objects)
    const versions = (
      await p.a.node.store.queryObjects({
        collectionId: p.aCollection,
        versions: [{ kind: 'all' }],
        limit: 10_000_000,
      })
    ).items.length
    const ctx = federationContext(p.b.node.services)
    const feed = await defineFeed(
      ctx,
      {
        id: 'bench',
        url: `${p.a.url}/intel/`,
        collection: p.aCollection,
        key: p.keyForB,
        into: p.bCollection,
        partner: 'alpha',
        pageSize: PAGE,
      },
      'bench',
    )
    const t0 = nowMs()
    for (;;) {
      const state = await pollFeed(ctx, feed, { maxPages: 1_000_000 })
      if (state.health.consecutiveFailures > 0) throw new Error(state.health.lastError?.message)
      if (state.health.caughtUpAt === state.health.lastAttemptAt) break
    }
    const seconds = (nowMs() - t0) / 1000
    const got = (
      await p.b.node.store.queryObjects({
        collectionId: p.bCollection,
        versions: [{ kind: 'all' }],
        limit: 10_000_000,
      })
    ).items.length
    if (got !== versions) throw new Error(`pull stored ${got} of ${versions} versions`)
    return { seconds, versions }
  } finally {
    await Promise.all([p.a.close(), p.b.close()])
  }
}

async function pushThroughput(objects: StixObject[]): Promise<{ seconds: number; versions: number }> {
  const p = await pair()
  try {
    await p.a.node.federation.stop()
    await p.b.node.federation.stop()
    await loadObjects(p.a.node.store, p.aCollection, objects)
    const ctx = federationContext(p.a.node.services)
    await p.a.node.services.policy.addPartner(
      { id: 'bravo-push', name: 'Bravo push (fictional)', kind: 'police' },
      'bench',
    )
    await p.a.node.services.policy.putAgreement(
      { partner: 'bravo-push', collections: [p.aCollection], maxTlp: 'red' },
      'bench',
    )
    const push = await definePush(
      ctx,
      {
        id: 'bench',
        url: `${p.b.url}/intel/`,
        collection: p.bCollection,
        key: p.keyForA,
        from: p.aCollection,
        partner: 'bravo-push',
        batchSize: PAGE,
      },
      'bench',
    )
    const t0 = nowMs()
    let sent = 0
    for (;;) {
      const state = await runPush(ctx, push)
      if (state.health.consecutiveFailures > 0) throw new Error(state.health.lastError?.message)
      sent = state.health.counts.sent ?? 0
      if (state.health.caughtUpAt === state.health.lastAttemptAt) break
    }
    return { seconds: (nowMs() - t0) / 1000, versions: sent }
  } finally {
    await Promise.all([p.a.close(), p.b.close()])
  }
}

async function steadyLag(
  source: Generator<StixObject>,
): Promise<{ lags: number[]; rate: number; committed: number }> {
  const p = await pair()
  try {
    await p.a.node.federation.stop()
    const ctx = federationContext(p.b.node.services)
    await defineFeed(
      ctx,
      {
        id: 'lag',
        url: `${p.a.url}/intel/`,
        collection: p.aCollection,
        key: p.keyForB,
        into: p.bCollection,
        partner: 'alpha',
        pageSize: PAGE,
        every: `${EVERY}ms`,
      },
      'bench',
    )
    // B's own scheduler runs the feed, as in production
    const committed = new Map<string, number>()
    const tickMs = 50
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000))
    const end = Date.now() + SECONDS * 1000
    const options = ingestOptions(p.a.node.store)
    while (Date.now() < end) {
      const t = Date.now()
      const batch: StixObject[] = []
      for (let i = 0; i < perTick; i++) batch.push(source.next().value as StixObject)
      const prepared = await prepareObjects(batch, options)
      const outcomes = await p.a.node.store.putObjects(p.aCollection, prepared.accepted)
      outcomes.forEach((o, i) => {
        // provenance names a version by its `modified` ('' for objects without one)
        if (o.result === 'added')
          committed.set(`${o.id}|${prepared.accepted[i]!.modified ?? ''}`, Date.parse(o.dateAdded))
      })
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - t))))
    }
    const ids = [...new Set([...committed.keys()].map((k) => k.split('|')[0]!))]
    const deadline = Date.now() + 30_000
    let lags: number[] = []
    while (Date.now() < deadline) {
      const records = []
      for (let at = 0; at < ids.length; at += 500)
        records.push(...(await p.b.node.store.provenance(ids.slice(at, at + 500))))
      lags = records.flatMap((r) => {
        const t = committed.get(`${r.objectId}|${r.version}`)
        return t === undefined ? [] : [Date.parse(r.receivedAt) - t]
      })
      if (lags.length >= committed.size) break
      await new Promise((r) => setTimeout(r, 200))
    }
    return { lags, rate: committed.size / SECONDS, committed: committed.size }
  } finally {
    await Promise.all([p.a.close(), p.b.close()])
  }
}

const objects = [...generateObjects(TOTAL, 7)]
const pull = await pullThroughput(objects)
const push = await pushThroughput(objects)
const lag = await steadyLag(generateObjects(1_000_000, 99))

console.log(`# Federation bench\n\n${machineLine()}; ${int(TOTAL)} generated objects, page/batch ${PAGE}\n`)
console.log(
  markdownTable(
    [
      'path',
      { header: 'versions', align: 'right' },
      { header: 'seconds', align: 'right' },
      { header: 'versions/s', align: 'right' },
    ],
    [
      ['pull (feed, A → B)', int(pull.versions), dec(pull.seconds), int(pull.versions / pull.seconds)],
      ['push (A → B)', int(push.versions), dec(push.seconds), int(push.versions / push.seconds)],
    ],
  ),
)
console.log(
  `\nSteady state: ${dec(lag.rate, 0)} versions/s committed on A for ${SECONDS}s, feed every ${EVERY} ms\n`,
)
console.log(
  markdownTable(
    [
      { header: 'committed', align: 'right' },
      { header: 'received', align: 'right' },
      { header: 'lag p50 ms', align: 'right' },
      { header: 'p95 ms', align: 'right' },
      { header: 'max ms', align: 'right' },
    ],
    [
      [
        int(lag.committed),
        int(lag.lags.length),
        int(percentile(lag.lags, 50)),
        int(percentile(lag.lags, 95)),
        int(Math.max(...lag.lags)),
      ],
    ],
  ),
)
