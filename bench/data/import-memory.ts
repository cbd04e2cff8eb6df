/**
 * Memory bound of the streaming reader: writes a ~500 MB bundle (override with SLUICE_BENCH_MB) to a
 * temp dir, then reads it back with `readObjects` in a fresh child process, so the peak RSS printed
 * is the reader's alone, and prints objects/s. Exits 1 if the reader's peak RSS is 300 MB or more.
 *
 *   node dist/bench/data/import-memory.js
 */
import { execFileSync } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readObjects } from '../../src/stix/bundle-reader.js'
import { benchArgs } from '../lib/args.js'
import { writeBundle } from './generate.js'

const LIMIT_MB = 300
// generateObjects averages about 1.08 KB per object, plus the ",\n" separator.
const BYTES_PER_OBJECT = 1077

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
const peakRss = (): number => process.resourceUsage().maxRSS * 1024

async function read(file: string): Promise<void> {
  const size = (await stat(file)).size
  const t = performance.now()
  let objects = 0
  let textBytes = 0
  for await (const item of readObjects(createReadStream(file, { highWaterMark: 1 << 16 }))) {
    objects++
    textBytes += item.text.length
  }
  const seconds = (performance.now() - t) / 1000
  console.log(
    `read ${objects} objects (${mb(textBytes)} MB compact text) in ${seconds.toFixed(1)} s: ` +
      `${Math.round(objects / seconds)} objects/s, ${(size / 1024 / 1024 / seconds).toFixed(0)} MB/s`,
  )
  console.log(`reader peak RSS (process.resourceUsage().maxRSS): ${mb(peakRss())} MB (limit ${LIMIT_MB} MB)`)
  if (peakRss() >= LIMIT_MB * 1024 * 1024) process.exitCode = 1
}

async function main(): Promise<void> {
  const targetMb = Number(process.env.SLUICE_BENCH_MB ?? 500)
  const count = Math.round((targetMb * 1024 * 1024) / BYTES_PER_OBJECT)
  const dir = await mkdtemp(join(tmpdir(), 'sluice-import-memory-'))
  const file = join(dir, 'bundle.json')
  try {
    const t = performance.now()
    const written = await writeBundle(file, count, 20260105)
    const seconds = (performance.now() - t) / 1000
    console.log(
      `wrote ${written.objects} objects, ${mb(written.bytes)} MB in ${seconds.toFixed(1)} s ` +
        `(${Math.round(written.objects / seconds)} objects/s, writer peak RSS ${mb(peakRss())} MB)`,
    )
    // Read in a fresh process so the writer's memory does not count.
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--read', file], { stdio: 'inherit' })
  } catch (err) {
    process.exitCode = 1
    if (!(err instanceof Error && 'status' in err)) throw err
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

// --read FILE is the fresh process main() starts to measure the read alone
const readFile = benchArgs({ '--read': 'value' }).string('--read')
if (readFile !== undefined) await read(readFile)
else await main()
