/**
 * PostgreSQL object pages, this build against another build of Sluice, interleaved on one database: the
 * way to show what a change to the PostgreSQL store's read path is worth, where a run of bench/scale
 * before and another after would measure the machine's drift as much as the change.
 *
 *   git worktree add /tmp/baseline <commit> && ln -s "$PWD/node_modules" /tmp/baseline/
 *   (cd /tmp/baseline && npx tsc -p tsconfig.json)
 *   npx tsc -p tsconfig.json && node dist/bench/store/postgres-ab.js --baseline /tmp/baseline \
 *       [--postgres URL] [--objects 20000] [--rounds 300]
 *
 * The server comes from --postgres or SLUICE_TEST_POSTGRES; the bench creates a scratch database on it and
 * drops it afterwards. Each round reads one page of 1,000 at a random position with each build, plain and
 * with the gate columns a partner read asks for, in alternating order.
 */
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Store } from '../../src/store/types.js'
import { benchArgs } from '../lib/args.js'
import { adminStatement } from '../lib/postgres.js'
import { percentile } from '../lib/stats.js'
import { dec, machineLine, markdownTable } from '../lib/table.js'

const args = benchArgs({
  '--baseline': 'value',
  '--postgres': 'value',
  '--objects': 'number',
  '--rounds': 'number',
})
const baseline = args.string('--baseline')
const server = args.string('--postgres') ?? process.env.SLUICE_TEST_POSTGRES
if (!baseline || !server) {
  process.stderr.write(
    'postgres-ab: give --baseline DIR (a built checkout) and --postgres URL or SLUICE_TEST_POSTGRES\n',
  )
  process.exit(2)
}
const objects = args.number('--objects', 20_000)
const rounds = args.number('--rounds', 300)
const COLLECTION = '5d2c7a3e-1b4f-4c8d-9e6a-0f1e2d3c4b5a'
const PAGE = 1000

/** A PostgreSQL store of the build whose compiled sources are under `root/dist`. */
async function storeOf(root: string, url: string): Promise<Store> {
  const module = (path: string) => import(pathToFileURL(resolve(root, 'dist/src/store/postgres', path)).href)
  const { openPostgres } = await module('connection.js')
  const { PostgresStore } = await module('postgres-store.js')
  return new PostgresStore(await openPostgres(url)) as Store
}

const name = `sluice_ab_${randomBytes(4).toString('hex')}`
await adminStatement(server, `CREATE DATABASE ${name}`)
const url = new URL(server)
url.pathname = `/${name}`
const builds = { baseline: await storeOf(baseline, url.toString()), this: await storeOf('.', url.toString()) }
try {
  const writer = builds.this
  await writer.ensureApiRoot({ name: 'intel', title: 'A/B' })
  await writer.createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'A/B', mediaTypes: [] })
  const created = '2026-03-01T00:00:00.000Z'
  for (let from = 0; from < objects; from += PAGE) {
    const batch = Array.from({ length: Math.min(PAGE, objects - from) }, (_, i) => {
      const id = `indicator--${String(from + i).padStart(8, '0')}-0000-4000-8000-000000000000`
      const object = {
        type: 'indicator',
        spec_version: '2.1',
        id,
        created,
        modified: created,
        name: `fictional ${'x'.repeat(600)}`,
        pattern: "[ipv4-addr:value = '198.51.100.7']",
        pattern_type: 'stix',
        valid_from: created,
      }
      return {
        id,
        type: 'indicator',
        created,
        modified: created,
        specVersion: '2.1',
        json: JSON.stringify(object),
      }
    })
    await writer.putObjects(COLLECTION, batch)
  }
  // both builds read one analyzed table (builds before the statistics keeper would not analyze it)
  await adminStatement(url.toString(), 'ANALYZE objects')
  const samples: Record<string, number[]> = {}
  for (let round = 0; round < rounds; round++) {
    const afterSeq = Math.floor(Math.random() * (objects - PAGE - 1))
    const order = round % 2 ? (['baseline', 'this'] as const) : (['this', 'baseline'] as const)
    for (const build of order)
      for (const gateFacts of [false, true]) {
        const started = performance.now()
        const batch = await builds[build].queryObjects({
          collectionId: COLLECTION,
          limit: PAGE,
          afterSeq,
          gateFacts,
        })
        const ms = performance.now() - started
        if (batch.items.length !== PAGE) throw new Error(`a page of ${batch.items.length}`)
        const key = `${build} ${gateFacts ? 'gate' : 'plain'}`
        const list = samples[key] ?? []
        list.push(ms)
        samples[key] = list
      }
  }
  const cell = (key: string) =>
    `${dec(percentile(samples[key]!, 50))} / ${dec(percentile(samples[key]!, 99))}`
  process.stdout.write(`\n## PostgreSQL pages, this build against ${baseline}\n\n${machineLine()}\n\n`)
  process.stdout.write(
    `${objects.toLocaleString('en-US')} objects; ${rounds} pages of ${PAGE} per cell, p50 / p99 ms\n\n`,
  )
  process.stdout.write(
    markdownTable(
      [
        'query',
        { header: 'baseline', align: 'right' },
        { header: 'this build', align: 'right' },
        { header: 'p50 ratio', align: 'right' },
      ],
      ['plain', 'gate'].map((kind) => [
        kind === 'plain' ? 'page (admin columns)' : 'page with gate columns (partner read)',
        cell(`baseline ${kind}`),
        cell(`this ${kind}`),
        dec(percentile(samples[`this ${kind}`]!, 50) / percentile(samples[`baseline ${kind}`]!, 50)),
      ]),
    ),
  )
} finally {
  await builds.baseline.close()
  await builds.this.close()
  await adminStatement(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
}
