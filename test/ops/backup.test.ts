import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyRemote } from '../../src/cli/commands/ledger-verify.js'
import { seedDemo } from '../../src/demo/seed.js'
import { GLOBAL_LOG, partnerLogId } from '../../src/ledger/log-id.js'
import { checkExtension } from '../../src/ledger/recipient.js'
import { auditLedger } from '../../src/ops/ledger-audit.js'
import { createNode } from '../../src/server/node.js'
import { runCli } from '../cli/run-cli.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from '../taxii/fixtures.js'

let node: TestNode
let work: string
beforeAll(async () => {
  node = await startTestNode()
  work = mkdtempSync(join(tmpdir(), 'sluice-backup-'))
})
afterAll(async () => {
  await node.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('backup and restore', () => {
  it('an online backup taken during writes restores into a fresh node whose ledger verifies against earlier checkpoints', async () => {
    const { services } = node.node
    const demo = await seedDemo(services)
    const partner = demo.partnerKeys[3]!
    const collections = (await (await node.get('/intel/collections/', partner.key)).json()) as {
      collections: { id: string }[]
    }
    const target = collections.collections[0]!.id
    for (const c of collections.collections)
      await node.get(`/intel/collections/${c.id}/objects/`, partner.key)

    // checkpoints a recipient and an auditor kept before the backup
    const partnerCheckpoint = (await services.ledger.checkpoint(partnerLogId(partner.partner))).note
    const globalCheckpoint = await services.ledger.checkpoint(GLOBAL_LOG)
    const vkey = services.ledger.key.vkey

    // writers and readers keep going while another process takes the backup
    let stop = false
    let written = 0
    const acknowledged: string[] = []
    const load = (async () => {
      for (let n = 5000; !stop; n++) {
        const res = await node.post(`/intel/collections/${target}/objects/`, { objects: [indicator(n)] })
        if (res.status === 202) acknowledged.push(indicator(n).id)
        await node.get(`/intel/collections/${target}/objects/?limit=5`, partner.key)
        written++
      }
    })()
    await new Promise((r) => setTimeout(r, 150))
    const before = written
    const out = join(work, 'backup-1')
    const backup = await runCli(['backup', '--out', out, '--data', node.dataDir])
    const during = written - before
    stop = true
    await load
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    expect(backup.stdout).toMatch(/ledger {4}global: \d+ entries, root [0-9a-f]{64}/)
    expect(during).toBeGreaterThan(0)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))
    expect(manifest).toMatchObject({ format: 'sluice-backup/1', node_key: { file: 'node.key' } })
    const globalInBackup = manifest.ledger.find((l: { log: string }) => l.log === GLOBAL_LOG)
    expect(globalInBackup.size).toBeGreaterThanOrEqual(globalCheckpoint.size)

    // restore into a fresh data directory and start a node on it
    const fresh = join(work, 'restored')
    const restored = await runCli(['restore', '--from', out, '--data', fresh])
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(restored.stdout).toContain('node key  restored')
    const second = await createNode({ dataDir: fresh })
    try {
      const url = await second.listen(0, '127.0.0.1')
      expect(second.services.ledger.key.vkey).toBe(vkey)
      expect((await auditLedger(second.store)).every((a) => a.ok)).toBe(true)

      // the recipient's own check, against the checkpoint it kept before the backup
      const { rows } = await verifyRemote({
        url,
        apiKey: partner.key,
        vkey,
        checkpoints: [partnerCheckpoint],
      })
      expect(rows.length).toBeGreaterThanOrEqual(2)
      expect(rows.filter((r) => r.status !== 'proven')).toEqual([])

      // the global log extends the global checkpoint taken before the backup
      const now = await second.services.ledger.checkpoint(GLOBAL_LOG)
      const proof =
        now.size > globalCheckpoint.size
          ? await second.services.ledger.proveConsistency(GLOBAL_LOG, globalCheckpoint.size, now.size)
          : []
      expect(checkExtension([vkey], globalCheckpoint.note, now.note, proof).status).toBe('consistent')

      // what was acknowledged before the backup started is there
      const ids = new Set(
        (
          await second.store.queryObjects({
            collectionId: target,
            limit: 100_000,
            versions: [{ kind: 'all' }],
          })
        ).items.map((i) => i.id),
      )
      for (const id of acknowledged.slice(0, before)) expect(ids.has(id)).toBe(true)
    } finally {
      await second.close()
    }
  })

  it('refuses a non-empty target, an existing database without --force, and a damaged backup', async () => {
    const out = join(work, 'backup-2')
    expect((await runCli(['backup', '--out', out, '--data', node.dataDir, '--without-key'])).code).toBe(0)
    expect(existsSync(join(out, 'node.key'))).toBe(false)
    const again = await runCli(['backup', '--out', out, '--data', node.dataDir])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('exists and is not empty')
    // a file where the directory should be, and what an interrupted backup left: one line each, named
    const file = await runCli(['backup', '--out', '/dev/null', '--data', node.dataDir])
    expect([file.code, file.stderr]).toEqual([1, 'sluice: /dev/null is not a directory\n'])
    const left = join(work, 'backup-interrupted')
    mkdirSync(left)
    writeFileSync(join(left, 'sluice.db.partial'), 'half')
    const interrupted = await runCli(['backup', '--out', left, '--data', node.dataDir])
    expect(interrupted.stderr).toContain('holds an interrupted backup (sluice.db.partial)')

    const target = join(work, 'restore-2')
    expect((await runCli(['restore', '--from', out, '--data', target])).code).toBe(0)
    const exists = await runCli(['restore', '--from', out, '--data', target])
    expect(exists.code).toBe(1)
    expect(exists.stderr).toContain('pass --force')
    const forced = await runCli(['restore', '--from', out, '--data', target, '--force'])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain('not in the backup')

    const db = join(out, 'sluice.db')
    const bytes = readFileSync(db)
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff
    writeFileSync(db, bytes)
    const damaged = await runCli(['restore', '--from', out, '--data', join(work, 'restore-3')])
    expect(damaged.code).toBe(1)
    expect(damaged.stderr).toContain('does not match the manifest')
  })

  it('status shows the node at a glance', async () => {
    const text = await runCli(['status', '--data', node.dataDir])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^Sluice \S+/)
    expect(text.stdout).toMatch(/partners {9}4 \(4 agreements in force\)/)
    const json = await runCli(['status', '--json', '--data', node.dataDir])
    const status = JSON.parse(json.stdout)
    expect(status).toMatchObject({
      partners: 4,
      active_orders: 0,
      pending_approvals: 0,
      feeds: [],
      store: { online_backup: true },
    })
    expect(status.ledger.global_size).toBeGreaterThan(0)
    expect(status.ledger.last_checkpoint.size).toBeGreaterThan(0)
    expect(status.principals.admin).toBeGreaterThanOrEqual(1)
  })
})

describe('restore refuses bad targets and bad backups in one line, before writing anything', () => {
  let backup: string
  beforeAll(async () => {
    backup = join(work, 'backup-targets')
    expect((await runCli(['backup', '--out', backup, '--data', node.dataDir])).code).toBe(0)
  })

  // each case in a directory of its own, so that what it leaves behind can be listed
  const scratch = (name: string) => mkdtempSync(join(work, `${name}-`))
  const listing = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort()
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
  function refusedInOneLine(result: { code: number; stderr: string }, words: string) {
    expect(result.stderr).toMatch(/^sluice: [^\n]+\n$/)
    expect(result.stderr).not.toMatch(/unexpected error|ENOENT|ENOTDIR|EISDIR|EEXIST|SqliteError/)
    expect(result.stderr).toContain(words)
    expect(result.code).toBe(1)
  }

  it('makes a missing data directory for the key, and never replaces the database when the key cannot be written', async () => {
    const dir = scratch('restore-nodir')
    const data = join(dir, 'nodir')
    const made = await runCli(['restore', '--from', backup, '--data', data, '--db', join(dir, 'r.db')])
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    expect(made.stdout).toContain('node key  restored')
    // private, as a node's first start makes it
    expect(statSync(data).mode & 0o777).toBe(0o700)
    expect(readFileSync(join(data, 'node.key'))).toEqual(readFileSync(join(backup, 'node.key')))

    // the key's place is under a regular file: refused before the existing database is touched
    writeFileSync(join(dir, 'afile'), 'not a directory')
    const before = sha(join(dir, 'r.db'))
    const files = listing(dir)
    const refused = await runCli(
      ['restore', '--from', backup, '--data', join(dir, 'other'), '--db', join(dir, 'r.db'), '--force'],
      { env: { SLUICE_NODE_KEY: join(dir, 'afile', 'node.key') } },
    )
    refusedInOneLine(refused, `${join(dir, 'afile')} is not a directory`)
    expect(sha(join(dir, 'r.db'))).toBe(before)
    expect(listing(dir)).toEqual(files)
  })

  it('refuses a --db that is a directory, lies under a file, or cannot be opened, and leaves nothing behind', async () => {
    const dir = scratch('restore-db')
    mkdirSync(join(dir, 'adir'))
    writeFileSync(join(dir, 'afile'), 'not a directory')
    mkdirSync(join(dir, 'locked.db.lock'))
    const files = listing(dir)
    const restore = (db: string, ...more: string[]) =>
      runCli(['restore', '--from', backup, '--data', join(dir, 'data'), '--db', db, ...more], { cwd: dir })

    refusedInOneLine(await restore(join(dir, 'adir'), '--force'), `${join(dir, 'adir')} is a directory`)
    refusedInOneLine(await restore(join(dir, 'afile', 'x.db')), `${join(dir, 'afile')} is not a directory`)
    refusedInOneLine(await restore(join(dir, 'locked.db')), 'locked.db.lock is a directory')
    const memory = await restore(':memory:')
    expect([memory.code, memory.stderr]).toEqual([
      2,
      'sluice: restore writes a SQLite file; --db :memory: names none\n',
    ])
    expect(listing(dir)).toEqual(files)
  })

  it('refuses, even with --force, to replace a FIFO or a link to one', async () => {
    const dir = scratch('restore-fifo')
    execFileSync('mkfifo', [join(dir, 'fifo')])
    symlinkSync(join(dir, 'fifo'), join(dir, 'link'))
    // the data directory exists, so only the FIFO stands in the way
    mkdirSync(join(dir, 'data'))
    const files = listing(dir)
    for (const name of ['fifo', 'link']) {
      const db = join(dir, name)
      const result = await runCli([
        'restore',
        '--from',
        backup,
        '--data',
        join(dir, 'data'),
        '--db',
        db,
        '--force',
      ])
      refusedInOneLine(result, `${db} is a FIFO, not a regular file`)
    }
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true)
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(listing(dir)).toEqual(files)
  })

  it('says in words what is missing from a backup', async () => {
    const dir = scratch('restore-missing')
    const restore = (from: string) => runCli(['restore', '--from', from, '--data', join(dir, 'data')])
    const nowhere = join(dir, 'nowhere')
    expect((await restore(nowhere)).stderr).toBe(`sluice: no backup at ${nowhere} (it does not exist)\n`)
    mkdirSync(join(dir, 'empty'))
    expect((await restore(join(dir, 'empty'))).stderr).toBe(
      `sluice: no backup at ${join(dir, 'empty')} (no manifest.json)\n`,
    )
    for (const lost of ['sluice.db', 'node.key']) {
      const copy = join(dir, `without-${lost}`)
      cpSync(backup, copy, { recursive: true })
      rmSync(join(copy, lost))
      const result = await restore(copy)
      refusedInOneLine(
        result,
        `the backup lacks the ${lost === 'sluice.db' ? 'database file' : 'node key'} ${lost}`,
      )
      expect(result.stderr).not.toContain('damaged or altered')
    }
    expect(existsSync(join(dir, 'data'))).toBe(false)
  })
})
