/**
 * Crash campaign: SIGKILL a real server during concurrent ingest and partner reads, restart, verify
 * (see campaign.ts for what is checked). Prints one line per round and a summary for bench/RESULTS.md.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/crash/run.js [--rounds 100] [--writers 4] [--readers 2]
 */
import { fileURLToPath } from 'node:url'
import { benchArgs } from '../lib/args.js'
import { machineLine } from '../lib/table.js'
import { tempDir } from '../lib/tmp.js'
import { runCrashCampaign } from './campaign.js'

const args = benchArgs({
  '--quick': 'flag',
  '--rounds': 'number',
  '--writers': 'number',
  '--readers': 'number',
})
const rounds = args.number('--rounds', args.quick ? 5 : 100)
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))
const dir = tempDir('crash')
const started = Date.now()
try {
  const summary = await runCrashCampaign({
    cli,
    dataDir: dir.path,
    rounds,
    writers: args.number('--writers', 4),
    readers: args.number('--readers', 2),
    onRound: (r) =>
      process.stdout.write(
        `round ${String(r.round).padStart(3)}: killed after ${String(r.killedAfterMs).padStart(3)} ms, ${r.acknowledgedBatches} batches acknowledged, ${r.unacknowledgedBatches} in flight, ${r.acknowledgedReads} reads; ${r.storedObjects} objects, ledger ${r.ledgerSize}; ${r.failures.length === 0 ? 'ok' : `FAILED: ${r.failures.join('; ')}`}\n`,
      ),
  })
  const inFlight = summary.rounds.reduce((n, r) => n + r.unacknowledgedBatches, 0)
  process.stdout.write(`\n## Crash campaign\n\n${machineLine()}\n\n`)
  process.stdout.write(
    `- rounds: ${summary.rounds.length} (SIGKILL during 4 writers x 20-object batches + 2 partner readers), ${Math.round((Date.now() - started) / 1000)} s\n`,
  )
  process.stdout.write(
    `- acknowledged objects: ${summary.acknowledgedObjects}, all present after restart: ${summary.failures.length === 0 ? 'yes' : 'NO'}\n`,
  )
  process.stdout.write(
    `- batches in flight at the kill: ${inFlight}; half-written batches: ${summary.failures.filter((f) => f.includes('half-written')).length}\n`,
  )
  process.stdout.write(
    `- acknowledged partner reads: ${summary.acknowledgedReads} (${summary.writerReads} of them recorded by the ledger writer thread), disclosures missing from the ledger: ${summary.failures.filter((f) => f.includes('disclosure')).length}\n`,
  )
  process.stdout.write(
    `- ledger roots recomputed from leaves equal the stored heads after every round: ${summary.failures.some((f) => f.includes('ledger')) ? 'NO' : 'yes'}\n`,
  )
  process.stdout.write(`- failures: ${summary.failures.length}\n`)
  if (summary.failures.length > 0) process.exitCode = 1
} finally {
  dir.remove()
}
