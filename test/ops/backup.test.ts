import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
    expect(text.stdout).toMatch(/partners {9}4 \(4 agreements\)/)
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
