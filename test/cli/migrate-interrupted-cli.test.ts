import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { createCollection } from '../../src/services/collections.js'
import { markIncomplete } from '../../src/store/migration-mark.js'
import { openStore } from '../../src/store/open.js'
import { type FreshLocation, STORES } from '../helpers/stores.js'
import { indicator } from '../taxii/fixtures.js'
import { newNodeDir } from './node-dir.js'
import { CLI, runCli } from './run-cli.js'

/*
 * A migrate cut short used to leave a half-copied target that serve and every command took for a node, and
 * Ctrl-C ended it with exit 130 and no word.
 */

let root: string
let source: string
let targets = 0
const newTarget = () => join(root, `target-${++targets}.db`)
const refusal = (target: string) =>
  `sluice: ${target} was left incomplete by an interrupted migrate; drop it and migrate again\n`

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-migrate-interrupted-'))
  source = await newNodeDir('sluice-migrate-interrupted-source-')
  // enough versions that the copy is still going when it is interrupted
  const store = await openStore(undefined, source)
  await ensureDefaultApiRoot(store)
  const collection = await createCollection(store, { apiRoot: 'intel', title: 'Bulk', alias: 'bulk' })
  for (let n = 0; n < 40_000; n += 2000) {
    const batch = Array.from({ length: 2000 }, (_, i) => indicator(n + i))
    await store.putObjects(
      collection.id,
      batch.map((o) => ({
        id: o.id,
        type: o.type,
        modified: o.modified,
        created: o.created,
        specVersion: '2.1',
        json: JSON.stringify(o),
      })),
    )
  }
  await store.close()
}, 120_000)
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
  rmSync(source, { recursive: true, force: true })
})

const migrateArgs = (target: string) => [
  'migrate',
  '--from',
  `sqlite:${join(source, 'sluice.db')}`,
  '--to',
  target,
]

describe.each(STORES)('$name: a store marked incomplete by a migrate', (adapter) => {
  let target: FreshLocation
  beforeAll(async () => {
    target = await adapter.fresh()
    const store = await openStore(target.location, root)
    await markIncomplete(store)
    await store.close()
  })
  afterAll(() => target.drop())

  it('is refused by commands and by serve', async () => {
    for (const command of [['status'], ['partners', 'list'], ['serve', '--port', '0']]) {
      const r = await runCli([...command, '--db', target.location, '--data', source])
      expect(r.stderr, command.join(' ')).toBe(refusal(target.location))
      expect(r.code).toBe(1)
    }
  })

  it('is refused by a later migrate into it', async () => {
    const r = await runCli(migrateArgs(target.location), { env: { SLUICE_DATA: source } })
    expect(r.stderr).toBe(refusal(target.location))
    expect(r.code).toBe(1)
  })
})

/** Whether the SQLite target holds the migrate's mark yet. */
function marked(target: string): boolean {
  try {
    const db = new Database(target, { readonly: true, fileMustExist: true })
    try {
      return db.prepare("SELECT 1 FROM state WHERE name = 'migrate/incomplete'").get() !== undefined
    } finally {
      db.close()
    }
  } catch {
    return false
  }
}

describe('sluice migrate on Ctrl-C', () => {
  it('says the copy was interrupted, exits 130, and leaves the target marked', async () => {
    const target = newTarget()
    const child = spawn(process.execPath, [CLI, ...migrateArgs(target)], {
      env: { ...process.env, SLUICE_DATA: source },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    while (!marked(target) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10))
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toBe(
      `sluice: migrate interrupted: the copy into ${target} is incomplete and marked so; drop it and migrate again into a new, empty database\n`,
    )
    const status = await runCli(['status', '--db', target, '--data', source])
    expect(status.stderr).toBe(refusal(target))
  })

  it('clears the mark when the copy completes', async () => {
    const target = newTarget()
    const r = await runCli(migrateArgs(target), { env: { SLUICE_DATA: source } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(marked(target)).toBe(false)
    expect((await runCli(['status', '--db', target, '--data', source])).code).toBe(0)
  })
})
