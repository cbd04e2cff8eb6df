/**
 * The node's signing key is not in the store, so `sluice migrate` must name the file the operator has to
 * carry to the migrated node; a migration is often run with a data directory other than the node's.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdServingLock, openStore } from '../../src/store/open.js'
import { runCli } from './run-cli.js'

let root: string
let source: string
let elsewhere: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-migrate-cli-'))
  source = join(root, 'node')
  elsewhere = join(root, 'elsewhere')
  mkdirSync(source)
  mkdirSync(elsewhere)
  await (await openStore(join(source, 'sluice.db'), source)).close()
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

let targets = 0
const migrate = (env: Record<string, string> = {}) =>
  runCli(
    [
      'migrate',
      '--from',
      `sqlite:${join(source, 'sluice.db')}`,
      '--to',
      join(root, `target-${++targets}.db`),
    ],
    { env: { SLUICE_DATA: elsewhere, ...env } },
  )
const keyLine = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('node key'))

describe('sluice migrate names the source node key', () => {
  it('says that no key was found, and where it looked', async () => {
    const r = await migrate()
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(keyLine(r.stdout)).toBe(
      `node key         not in the store (no node key found at ${join(elsewhere, 'node.key')} or ${join(source, 'node.key')}; use the key the source node was started with); run the node with --db ${join(root, 'target-1.db')} and that key`,
    )
  })

  it('finds the key beside the SQLite file when the data directory given is another', async () => {
    writeFileSync(join(source, 'node.key'), 'placeholder')
    const r = await migrate()
    expect(r.code, r.stderr).toBe(0)
    expect(keyLine(r.stdout)).toContain(`(the source node's key is ${join(source, 'node.key')})`)
  })

  it('names SLUICE_NODE_KEY when it is set, as the node would use it', async () => {
    const key = join(root, 'elsewhere.key')
    writeFileSync(key, 'placeholder')
    const r = await migrate({ SLUICE_NODE_KEY: key })
    expect(r.code, r.stderr).toBe(0)
    expect(keyLine(r.stdout)).toContain(`(the source node's key is ${key})`)
  })
})

describe('sluice migrate and a node serving its source', () => {
  it('is refused while a node serves the SQLite source, writing no target', async () => {
    // as `sluice serve` holds it for its whole life
    const serving = holdServingLock(join(source, 'sluice.db'), 'serve')
    try {
      const r = await migrate()
      expect([r.code, r.stdout]).toEqual([1, ''])
      expect(r.stderr).toBe(
        `sluice: a node is serving the database ${join(source, 'sluice.db')} (pid ${process.pid}) — stop it first\n`,
      )
      expect(existsSync(join(root, `target-${targets}.db`))).toBe(false)
    } finally {
      serving.release()
    }
    expect((await migrate()).code).toBe(0)
  })

  it('refuses "sqlite:" naming no file, which SQLite would open as a database thrown away after', async () => {
    for (const [from, to, flag] of [
      [`sqlite:${join(source, 'sluice.db')}`, 'sqlite:', 'to'],
      ['sqlite:', join(root, 'unused.db'), 'from'],
    ] as const) {
      const r = await runCli(['migrate', '--from', from, '--to', to], {
        env: { SLUICE_DATA: elsewhere },
        cwd: root,
      })
      const named = flag === 'to' ? to : from
      expect([r.code, r.stderr]).toEqual([2, `sluice: --${flag} ${named} names no SQLite file\n`])
    }
    expect(existsSync(join(root, 'unused.db'))).toBe(false)
    expect(existsSync(join(root, '.lock'))).toBe(false)
  })
})
