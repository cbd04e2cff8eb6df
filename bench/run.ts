/**
 * Runs a quick version of every bench in sequence, each in its own node process (fresh heap, no
 * cross-talk), and prints their markdown tables. `npm run bench` builds and runs this.
 *
 *   node dist/bench/run.js [--full] [--only ingest,read,...]
 *
 * Quick options: ingest/read/policy take --quick (smaller data, 2 runs each); ledger takes --quick
 * (skips the 10^7-leaf tree); patterns has no quick mode (it takes ~10 s); timing takes --quick (5,000
 * objects, 10 rounds); scale runs at 10^4 and 2·10^4 versions with 50 samples. --full drops the quick
 * options.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchArgs } from './lib/args.js'

const here = dirname(fileURLToPath(import.meta.url))
const args = benchArgs({ '--full': 'flag', '--only': 'value' })
const full = args.flag('--full')
const onlyList = args.string('--only')
const only = onlyList === undefined ? undefined : new Set(onlyList.split(','))

interface Bench {
  name: string
  script: string
  quick: string[]
  nodeFlags?: string[]
}

const BENCHES: Bench[] = [
  { name: 'ingest', script: 'ingest/run.js', quick: ['--quick'], nodeFlags: ['--expose-gc'] },
  { name: 'read', script: 'read/run.js', quick: ['--quick'], nodeFlags: ['--expose-gc'] },
  { name: 'policy', script: 'policy/run.js', quick: ['--quick'], nodeFlags: ['--expose-gc'] },
  { name: 'ledger', script: 'ledger/run.js', quick: ['--quick'] },
  { name: 'patterns', script: 'patterns/run.js', quick: [] },
  { name: 'timing', script: 'timing/run.js', quick: ['--quick'] },
  {
    name: 'scale',
    script: 'scale/run.js',
    quick: ['--adapter', 'sqlite', '--sizes', '10000,20000', '--samples', '50'],
  },
]

function runOne(bench: Bench): Promise<{ code: number; seconds: number }> {
  const script = join(here, bench.script)
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...(bench.nodeFlags ?? []), script, ...(full ? [] : bench.quick)],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    )
    child.on('close', (code) => resolve({ code: code ?? 1, seconds: (performance.now() - started) / 1000 }))
  })
}

async function main(): Promise<void> {
  const unknown = [...(only ?? [])].filter((name) => !BENCHES.some((b) => b.name === name))
  if (unknown.length > 0) {
    console.error(`unknown bench ${unknown.join(', ')}; benches: ${BENCHES.map((b) => b.name).join(', ')}`)
    process.exitCode = 2
    return
  }
  const summary: string[] = []
  let failed = 0
  for (const bench of BENCHES) {
    if (only && !only.has(bench.name)) continue
    if (!existsSync(join(here, bench.script))) {
      summary.push(`| ${bench.name} | not built | |`)
      continue
    }
    console.log(`\n<!-- bench: ${bench.name} -->\n`)
    const { code, seconds } = await runOne(bench)
    if (code !== 0) failed++
    summary.push(`| ${bench.name} | ${code === 0 ? 'ok' : `exit ${code}`} | ${seconds.toFixed(1)} |`)
  }
  console.log(
    `\n## Bench run (${full ? 'full' : 'quick'})\n\n| bench | result | seconds |\n| --- | --- | ---: |\n${summary.join('\n')}`,
  )
  if (failed > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
