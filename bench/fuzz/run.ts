/**
 * Fuzz campaign, full count: generated hostile requests against every endpoint of a node on loopback
 * (see campaign.ts). Prints the counts for bench/RESULTS.md; exits 1 on any 5xx, crash or leak.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/fuzz/run.js [--count 50000] [--seed 7] [--concurrency 8]
 */

import { benchArgs } from '../lib/args.js'
import { startBenchNode } from '../lib/node.js'
import { machineLine } from '../lib/table.js'
import { buildFuzzWorld, runFuzzCampaign } from './campaign.js'

const args = benchArgs({
  '--quick': 'flag',
  '--count': 'number',
  '--seed': 'number',
  '--concurrency': 'number',
})
const count = args.number('--count', args.quick ? 2000 : 50_000)
const seed = args.number('--seed', 7)
const crashes: unknown[] = []
process.on('uncaughtException', (e) => crashes.push(e))
process.on('unhandledRejection', (e) => crashes.push(e))
const bench = await startBenchNode('fuzz')
try {
  const world = await buildFuzzWorld(bench.node, bench.url)
  const started = Date.now()
  const summary = await runFuzzCampaign(bench.node, world, {
    count,
    seed,
    concurrency: args.number('--concurrency', 8),
  })
  const seconds = (Date.now() - started) / 1000
  process.stdout.write(`\n## Fuzz campaign\n\n${machineLine()}\n\n`)
  process.stdout.write(
    `- requests: ${summary.requests} (seed ${seed}) in ${seconds.toFixed(0)} s, ${(summary.requests / seconds).toFixed(0)}/s\n`,
  )
  process.stdout.write(
    `- answers by status: ${Object.entries(summary.byStatus)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')}\n`,
  )
  process.stdout.write(
    `- 5xx: ${summary.serverErrors.length}; transport failures: ${summary.transportErrors.length}; crashes: ${crashes.length}; healthy after: ${summary.healthyAfter ? 'yes' : 'NO'}\n`,
  )
  process.stdout.write(`- disclosures policy denies (in answers or in the ledger): ${summary.leaks.length}\n`)
  for (const e of summary.serverErrors.slice(0, 10)) process.stdout.write(`  5xx ${e.status}: ${e.request}\n`)
  for (const e of summary.transportErrors.slice(0, 10))
    process.stdout.write(`  transport: ${e.error}: ${e.request}\n`)
  for (const l of summary.leaks.slice(0, 10)) process.stdout.write(`  leak: ${l}\n`)
  if (
    summary.serverErrors.length + summary.transportErrors.length + summary.leaks.length + crashes.length >
      0 ||
    !summary.healthyAfter
  )
    process.exitCode = 1
} finally {
  await bench.close()
}
