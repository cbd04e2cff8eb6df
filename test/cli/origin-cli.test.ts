import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCheckpoint } from '../../src/ledger/checkpoint.js'
import { parseNote } from '../../src/ledger/note.js'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

/*
 * A node's origin names every log partners keep checkpoints of. A CLI run on the node's data directory used
 * to sign under its own environment's origin (the default), so the node then served a checkpoint of a log
 * by another name and partners' verification and federation feeds reported a fork.
 */

let dir: string
const ORIGIN = 'alpha.sluice.test'

beforeAll(async () => {
  dir = await newNodeDir('sluice-origin-cli-', ORIGIN)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the origin of a node', () => {
  it('signs CLI checkpoints under the origin the node was created with, without SLUICE_ORIGIN', async () => {
    const env: Record<string, string> = { SLUICE_DATA: dir }
    const result = await runCli(['ledger', 'checkpoint'], { env: { ...env, SLUICE_ORIGIN: '' } })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const note = parseNote(result.stdout)
    expect(parseCheckpoint(note.text).origin).toBe(`${ORIGIN}/global`)
  })

  it('refuses another origin in one line, signing nothing', async () => {
    const result = await runCli(['ledger', 'checkpoint'], {
      env: { SLUICE_DATA: dir, SLUICE_ORIGIN: 'sluice.localhost' },
    })
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(
      `sluice: the origin "sluice.localhost" (SLUICE_ORIGIN) is not this node's origin "${ORIGIN}"`,
    )
    expect(result.code).toBe(1)
  })
})
