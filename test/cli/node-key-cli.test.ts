import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GLOBAL_LOG } from '../../src/ledger/log-id.js'
import { writeNodeKeyFile } from '../../src/ledger/node-key-file.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { createServices } from '../../src/server/services.js'
import { LedgerService } from '../../src/services/ledger-service.js'
import { openStore } from '../../src/store/open.js'
import { type FreshLocation, STORES } from '../helpers/stores.js'
import { runCli } from './run-cli.js'

/*
 * The signing key is the one part of a node outside its store. A command run from another directory than
 * the node's used to create a key of its own there and sign checkpoints with it, which partners can never
 * verify and which stay in the node's checkpoints for good.
 */

const oneLine = (stderr: string) => expect(stderr).toMatch(/^sluice: [^\n]+\n$/)

describe('a new node key', () => {
  it('is created with its directory, private to the node', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-key-dir-'))
    try {
      const keyPath = join(root, 'etc', 'sluice', 'node.key')
      const store = await openStore(undefined, root)
      try {
        await createServices(store, { dataDir: root, keyPath, createKey: true })
      } finally {
        await store.close()
      }
      expect(statSync(keyPath).mode & 0o777).toBe(0o600)
      expect(statSync(dirname(keyPath)).mode & 0o777).toBe(0o700)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('that cannot be written is refused in one line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-key-dir-'))
    try {
      // a file where the key's directory should be
      writeFileSync(join(root, 'taken'), '')
      const r = await runCli(['serve', '--data', root, '--port', '0'], {
        env: { SLUICE_NODE_KEY: join(root, 'taken', 'node.key') },
      })
      oneLine(r.stderr)
      expect(r.stderr).toContain(`cannot create key file ${join(root, 'taken', 'node.key')}`)
      expect(r.code).toBe(1)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe.each(STORES)('$name: a command without the node key', (adapter) => {
  let db: FreshLocation
  let root: string
  const home = () => join(root, 'home')
  /** The node's checkpoints of the global log, as its store holds them. */
  const checkpoints = async () => {
    const store = await openStore(db.location, home())
    try {
      return await store.listCheckpoints(GLOBAL_LOG, -1)
    } finally {
      await store.close()
    }
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sluice-node-key-'))
    mkdirSync(home())
    db = await adapter.fresh()
    const store = await openStore(db.location, home())
    await createServices(store, { dataDir: home(), createKey: true })
    await store.close()
  })
  afterAll(async () => {
    await db.drop()
    rmSync(root, { recursive: true, force: true })
  })

  it('is refused in one line naming where it looked, and creates no key', async () => {
    const elsewhere = join(root, 'elsewhere')
    mkdirSync(elsewhere)
    for (const command of [
      ['partners', 'list'],
      ['ledger', 'checkpoint', '--log', 'partner:x'],
    ]) {
      const r = await runCli([...command, '--db', db.location, '--data', elsewhere])
      oneLine(r.stderr)
      expect(r.stderr).toContain(`this node's signing key (sluice.localhost, id `)
      expect(r.stderr).toContain(
        `is not at ${join(elsewhere, 'node.key')} (the data directory's node.key); set --data to the node's data directory or SLUICE_NODE_KEY to its key file`,
      )
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
    }
    expect(readdirSync(elsewhere)).toEqual([])
    expect(await checkpoints()).toEqual([])
  })

  it('is refused the same way where the data directory does not exist', async () => {
    const missing = join(root, 'no-such-dir')
    const r = await runCli(['ledger', 'checkpoint', '--db', db.location, '--data', missing])
    oneLine(r.stderr)
    expect(r.stderr).toContain(`is not at ${join(missing, 'node.key')}`)
    expect(r.stderr).not.toContain('ENOENT')
    expect(r.code).toBe(1)
    expect(existsSync(missing)).toBe(false)
  })

  it('refuses another key given by SLUICE_NODE_KEY, signing nothing', async () => {
    const other = join(root, 'other.key')
    await writeNodeKeyFile(other, generateNodeKey('sluice.localhost'))
    const r = await runCli(['ledger', 'checkpoint', '--db', db.location], {
      env: { SLUICE_NODE_KEY: other },
    })
    oneLine(r.stderr)
    expect(r.stderr).toMatch(
      /^sluice: the key \S+other\.key \(sluice\.localhost, id [0-9a-f]{8}\) is not this node's signing key \(sluice\.localhost, id [0-9a-f]{8}\); set --data/,
    )
    expect(r.code).toBe(1)
    expect(await checkpoints()).toEqual([])
  })

  it('signs with the node key where the node keeps it', async () => {
    const r = await runCli(['ledger', 'checkpoint', '--db', db.location, '--data', home()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(await checkpoints()).toHaveLength(1)
  })

  it('is refused by serve, which creates a key only for a new node', async () => {
    const elsewhere = join(root, 'serve-elsewhere')
    const r = await runCli(['serve', '--port', '0', '--db', db.location, '--data', elsewhere])
    oneLine(r.stderr)
    expect(r.stderr).toContain(`is not at ${join(elsewhere, 'node.key')}`)
    expect(r.code).toBe(1)
    expect(existsSync(join(elsewhere, 'node.key'))).toBe(false)
  })
})

describe('a store from before the node key was recorded', () => {
  let dir: string
  const key = generateNodeKey('sluice.localhost')
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-node-key-legacy-'))
    // a checkpoint signed as an earlier release did, without recording the key in the store
    const store = await openStore(undefined, dir)
    await new LedgerService(store, key, key.name).checkpoint(GLOBAL_LOG)
    await store.close()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses a key its checkpoints do not verify under, and a missing one', async () => {
    const missing = await runCli(['ledger', 'checkpoint', '--data', dir])
    oneLine(missing.stderr)
    expect(missing.stderr).toContain(`this node's signing key is not at ${join(dir, 'node.key')}`)
    const other = join(dir, 'other.key')
    await writeNodeKeyFile(other, generateNodeKey('sluice.localhost'))
    const wrong = await runCli(['ledger', 'checkpoint', '--data', dir], { env: { SLUICE_NODE_KEY: other } })
    oneLine(wrong.stderr)
    expect(wrong.stderr).toContain("is not this node's signing key (the key its checkpoints are signed with)")
    expect(wrong.code).toBe(1)
  })

  it('accepts the key its checkpoints verify under', async () => {
    await writeNodeKeyFile(join(dir, 'node.key'), key)
    const r = await runCli(['ledger', 'checkpoint', '--data', dir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
  })
})
