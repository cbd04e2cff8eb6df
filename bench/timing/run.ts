/**
 * Does a hidden object take measurably longer to be refused than one that does not exist? The policy issue
 * asks that a partner learn nothing of what it may not see: a 404 for a hidden id and for an unknown id
 * alike, with no timing that differs measurably. This bench asks the node, as a partner, for objects by id
 * over loopback HTTP: ones hidden for each of the reasons that hide an object (its TLP, an order on its
 * type, an endpoint the partner may not see, its marking), ones that do not exist (same types, fresh ids),
 * and visible ones (for scale). Every round sends every probe once, shuffled, so drift and collections fall
 * on all kinds alike; the client is on its own thread.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/timing/run.js [--quick] [--rounds 30] [--probes 150]
 *
 * For each hidden kind it prints the median latency, the difference from the unknown ids' median and its
 * 95 % bootstrap interval. A difference whose interval excludes zero is one a client could measure, given as
 * many requests as the bench sent; the verdict counts it as a miss.
 */
import { randomUUID } from 'node:crypto'
import { TLP_MARKING_IDS } from '../../src/demo/tlp.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StixObject } from '../../src/stix/object.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { getLoopOnThread } from '../lib/client-thread.js'
import { expectStatus, TAXII } from '../lib/http.js'
import { benchCollection, loadObjects, startBenchNode } from '../lib/node.js'
import { seeded } from '../lib/rng.js'
import { percentile } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable } from '../lib/table.js'

const args = benchArgs({
  '--quick': 'flag',
  '--rounds': 'number',
  '--probes': 'number',
  '--objects': 'number',
})
const ROUNDS = args.number('--rounds', args.quick ? 10 : 30)
const PROBES = args.number('--probes', args.quick ? 60 : 150)
const OBJECTS = args.number('--objects', args.quick ? 5_000 : 20_000)
const SEED = 41

type Kind = 'unknown' | 'hidden: TLP' | 'hidden: order' | 'hidden: endpoint' | 'visible'

const RED = new Set([TLP_MARKING_IDS.red])

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}

/** Median of b minus median of a, and its 95 % interval by resampling both sides. */
function medianDifference(a: readonly number[], b: readonly number[], rand: () => number) {
  const median = (xs: readonly number[]) => percentile(xs, 50)
  const resample = (xs: readonly number[]) => xs.map(() => xs[Math.floor(rand() * xs.length)]!)
  const diffs: number[] = []
  for (let i = 0; i < 1000; i++) diffs.push(median(resample(b)) - median(resample(a)))
  return { diff: median(b) - median(a), low: percentile(diffs, 2.5), high: percentile(diffs, 97.5) }
}

async function main(): Promise<void> {
  const bench = await startBenchNode('sluice-bench-timing-')
  try {
    const { store, services } = bench.node
    const collection = await benchCollection(store, 'timing')
    const objects: StixObject[] = [...generateObjects(OBJECTS, SEED)]
    await loadObjects(store, collection.id, objects)
    const partner = await services.policy.addPartner(
      { id: 'timing-partner', name: 'Fictional timing partner', kind: 'police' },
      'bench',
    )
    await services.policy.putAgreement(
      { partner: partner.id, collections: [collection.id], maxTlp: 'amber' },
      'bench',
    )
    await services.policy.suspend({
      partner: partner.id,
      collections: [collection.id],
      types: ['note'],
      reason: 'Fictional inquiry',
      issuer: 'Bench magistrate',
    })
    const { apiKey } = await createPrincipal(store, {
      name: 'timing reader',
      role: 'partner',
      partnerId: partner.id,
    })
    const base = `/intel/collections/${collection.id}/objects/`
    const headers = { Accept: TAXII, Authorization: `Bearer ${apiKey}` }

    // classify by asking: what the partner gets is the truth, the object's properties say why
    const rand = seeded(SEED)
    const byKind = new Map<Kind, string[]>()
    const add = (kind: Kind, id: string) => {
      const list = byKind.get(kind) ?? []
      if (list.length < PROBES) list.push(id)
      byKind.set(kind, list)
    }
    const isRed = (o: StixObject) =>
      ((o as { object_marking_refs?: string[] }).object_marking_refs ?? []).some((m) => RED.has(m))
    const isSro = (o: StixObject) => o.type === 'relationship' || o.type === 'sighting'
    for (const o of shuffle([...objects], rand)) {
      if (o.type === 'marking-definition') continue
      const full = [...byKind.values()].every((l) => l.length >= PROBES) && byKind.size === 4
      if (full) break
      const res = await bench.client.send({ path: `${base}${o.id}/`, headers })
      if (res.status === 200) add('visible', o.id)
      else if (res.status !== 404) throw new Error(`unexpected ${res.status} for ${o.id}`)
      else if (isRed(o)) add('hidden: TLP', o.id)
      else if (o.type === 'note') add('hidden: order', o.id)
      else if (isSro(o)) add('hidden: endpoint', o.id)
    }
    // fresh ids of the types the known probes have, drawn across every kind rather than the first one's
    const types = shuffle([...byKind.values()].flat(), rand).map((id) => id.slice(0, id.indexOf('--')))
    byKind.set(
      'unknown',
      types.slice(0, PROBES).map((t) => `${t}--${randomUUID()}`),
    )
    const probes: { kind: Kind; path: string }[] = []
    for (const [kind, ids] of byKind) for (const id of ids) probes.push({ kind, path: `${base}${id}/` })

    // one answer each for the 404 kinds, to be sure they are alike byte for byte
    const bodies = new Map<string, string>()
    for (const p of probes.filter((x) => x.kind !== 'visible')) {
      const res = await bench.client.send({ path: p.path, headers })
      expectStatus(res, 404, p.path)
      const body = res.body.toString().replace(/"[0-9a-f-]{36}"/g, '"ID"')
      bodies.set(body, p.kind)
    }
    if (bodies.size !== 1) throw new Error(`404 bodies differ: ${[...bodies.keys()].join(' | ')}`)

    const latencies = new Map<Kind, number[]>()
    const paths: string[] = []
    const kinds: Kind[] = []
    for (let r = 0; r < ROUNDS; r++)
      for (const p of shuffle([...probes], rand)) {
        paths.push(p.path)
        kinds.push(p.kind)
      }
    const expected = kinds.map((k) => (k === 'visible' ? 200 : 404))
    // a first pass warms the JIT, the page cache and the policy's per-view decisions, then the measured one
    const warmCount = Math.min(2000, paths.length)
    await getLoopOnThread({
      baseUrl: bench.url,
      paths: paths.slice(0, warmCount),
      headers,
      expected: expected.slice(0, warmCount),
    })
    const measured = await getLoopOnThread({ baseUrl: bench.url, paths, headers, expected })
    measured.latencies.forEach((ms, i) => {
      const list = latencies.get(kinds[i]!) ?? []
      list.push(ms)
      latencies.set(kinds[i]!, list)
    })

    const unknown = latencies.get('unknown')!
    const rows: string[][] = []
    let distinguishable = 0
    for (const kind of ['unknown', 'hidden: TLP', 'hidden: order', 'hidden: endpoint', 'visible'] as Kind[]) {
      const xs = latencies.get(kind)
      if (!xs) continue
      const d = kind === 'unknown' ? undefined : medianDifference(unknown, xs, rand)
      const measurable = d !== undefined && kind !== 'visible' && (d.low > 0 || d.high < 0)
      if (measurable) distinguishable++
      rows.push([
        kind,
        int(byKind.get(kind)!.length),
        int(xs.length),
        dec(percentile(xs, 50) * 1000, 0),
        dec(percentile(xs, 90) * 1000, 0),
        d ? `${d.diff >= 0 ? '+' : ''}${dec(d.diff * 1000, 1)}` : '',
        d ? `${dec(d.low * 1000, 1)} … ${dec(d.high * 1000, 1)}` : '',
        kind === 'visible'
          ? '(for scale)'
          : kind === 'unknown'
            ? ''
            : measurable
              ? 'measurable'
              : 'not measurable',
      ])
    }
    console.log(`## Refusal timing: hidden vs unknown ids (${machineLine()})\n`)
    console.log(
      `${OBJECTS} objects, one partner (agreement up to TLP:AMBER, an order on notes), ${ROUNDS} rounds of every probe shuffled, client on its own thread; µs.\n`,
    )
    console.log(
      markdownTable(
        [
          'probe',
          { header: 'ids', align: 'right' },
          { header: 'requests', align: 'right' },
          { header: 'p50', align: 'right' },
          { header: 'p90', align: 'right' },
          { header: 'p50 − unknown', align: 'right' },
          { header: '95 % interval', align: 'right' },
          'verdict',
        ],
        rows,
      ),
    )
    console.log(
      `\n- target: no timing that differs measurably: ${distinguishable === 0 ? 'met' : `missed (${distinguishable} hidden kind(s) measurable)`}`,
    )
  } finally {
    await bench.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
