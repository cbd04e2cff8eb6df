import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCrashCampaign } from '../../bench/crash/campaign.js'
import { CLI } from '../cli/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('crash campaign (short; bench/crash runs 100 rounds)', () => {
  it('after SIGKILL during ingest and reads, acknowledged writes and disclosures survive and the ledger verifies', async () => {
    const summary = await runCrashCampaign({
      cli: CLI,
      dataDir: dir,
      rounds: Number(process.env.SLUICE_CRASH_ROUNDS ?? 4),
      killAfterMs: [0, 350],
      // a loaded machine may take most of a round to acknowledge a page as large as the writer's
      armAfterWriterReadMs: 20_000,
    })
    expect(summary.failures).toEqual([])
    expect(summary.acknowledgedObjects).toBeGreaterThan(0)
    expect(summary.acknowledgedReads).toBeGreaterThan(0)
    // pages on both sides of WRITER_MIN_BATCH were acknowledged: with `serve --ledger-writer` (as the
    // campaign runs it) the small ones are recorded on the serving thread, the large ones by the writer
    expect(summary.writerReads).toBeGreaterThan(0)
    expect(summary.writerReads).toBeLessThan(summary.acknowledgedReads)
    // at least one round was killed with work in flight
    expect(summary.rounds.some((r) => r.unacknowledgedBatches > 0)).toBe(true)
  }, 120_000)
})
