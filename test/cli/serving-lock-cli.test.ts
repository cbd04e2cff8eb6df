import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'
import { startServe } from './serve-child.js'

/*
 * A restore into the data directory of a running node used to succeed: the node went on serving the
 * unlinked old database, so what it accepted afterwards was lost at restart and suspensions issued by the
 * CLI never reached it. A second serve on the same SQLite database started without a word.
 */

let root: string
let dir: string
let backup: string
const running: ChildProcess[] = []

/** `sluice serve` on `args`, once it says it is serving. */
const serve = async (args: string[]) => (await startServe(args, /Sluice is serving/, running)).child

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-serving-lock-'))
  dir = join(root, 'node')
  backup = join(root, 'backup')
})
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
})

describe('a SQLite node while it serves', () => {
  let node: ChildProcess
  let refusal: string
  beforeAll(async () => {
    node = await serve(['--data', dir])
    refusal = `sluice: a node is serving the database ${join(dir, 'sluice.db')} (pid ${node.pid}) — stop it first\n`
  })

  it('keeps answering the CLI, a backup included', async () => {
    expect(await runCli(['partners', 'list', '--data', dir])).toMatchObject({ code: 0, stderr: '' })
    const made = await runCli(['backup', '--out', backup, '--data', dir])
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
  })

  it('refuses a second serve, by data directory or by database file', async () => {
    for (const args of [
      ['--data', dir],
      ['--db', join(dir, 'sluice.db'), '--data', join(root, 'other')],
    ]) {
      const r = await runCli(['serve', '--port', '0', ...args])
      expect(r.stderr).toBe(refusal)
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
    }
  })

  it('refuses a restore, even with --force', async () => {
    const r = await runCli(['restore', '--from', backup, '--data', dir, '--force'])
    expect(r.stderr).toBe(refusal)
    expect(r.code).toBe(1)
  })

  it('leaves no lock behind when killed: restore and serve work again', async () => {
    await killed(node)
    const r = await runCli(['restore', '--from', backup, '--data', dir, '--force'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    await killed(await serve(['--data', dir]))
  })
})
