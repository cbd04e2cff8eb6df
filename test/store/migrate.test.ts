/**
 * `sluice migrate` from a demo node's SQLite file to a new PostgreSQL database:
 * the node that starts on the target serves the same objects byte for byte,
 * shows partners the same views, holds the same ledger (every log's size and
 * root), keeps old checkpoints verifiable (consistency to the new head), and
 * accepts the same API keys.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey } from '../../src/auth/api-key.js'
import { seedDemo } from '../../src/demo/seed.js'
import { fromHex, openCheckpoint, verifyConsistency } from '../../src/ledger/index.js'
import { frontierRoot } from '../../src/ledger/tree.js'
import { createNode, type SluiceNode } from '../../src/server/node.js'
import { createPrincipal } from '../../src/services/principals.js'
import { openStore } from '../../src/store/open.js'
import type { CheckpointRecord, Store } from '../../src/store/types.js'
import { runCli } from '../cli/run-cli.js'
import { TAXII } from '../helpers/node.js'
import { POSTGRES_URL } from '../helpers/stores.js'

type View = Record<string, string[]>

/** Every object a key may read, per collection, as served (following `next`). */
async function view(url: string, key: string): Promise<View> {
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { Accept: TAXII, Authorization: `Bearer ${key}` } })
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as any
  }
  const out: View = {}
  const { collections = [] } = await get('/intel/collections/')
  for (const c of collections as { id: string; can_read: boolean }[]) {
    if (!c.can_read) continue
    const objects: string[] = []
    let next: string | undefined
    do {
      const page = await get(
        `/intel/collections/${c.id}/objects/?limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      )
      objects.push(...(page.objects ?? []).map((o: unknown) => JSON.stringify(o)))
      next = page.more ? page.next : undefined
    } while (next)
    out[c.id] = objects
  }
  return out
}

async function allVersions(store: Store): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const c of await store.listCollections()) {
    const list: string[] = []
    let afterSeq = 0
    for (;;) {
      const batch = await store.queryObjects({
        collectionId: c.id,
        afterSeq,
        versions: [{ kind: 'all' }],
        limit: 500,
      })
      list.push(...batch.items.map((v) => v.json))
      if (batch.items.length === 0 || batch.exhausted) break
      afterSeq = batch.items.at(-1)!.seq
    }
    out[`${c.apiRoot}/${c.id}`] = list
  }
  return out
}

async function ledgerState(store: Store) {
  const logs = await store.ledgerLogs()
  return Promise.all(
    logs.map(async (l) => {
      const head = await store.ledgerHead(l.logId)
      return {
        logId: l.logId,
        size: head.size,
        root: Buffer.from(frontierRoot(head.frontier)).toString('hex'),
      }
    }),
  )
}

describe.skipIf(!POSTGRES_URL)('sluice migrate: SQLite to PostgreSQL', () => {
  let dataDir: string
  let sqlitePath: string
  let target: { location: string; drop(): Promise<void> }
  let source: SluiceNode | undefined
  let migrated: SluiceNode | undefined
  let migratedUrl: string
  let sourceStore: Store | undefined
  let adminKey: string
  let partnerKeys: { partner: string; key: string }[]
  let viewsBefore: Map<string, View>
  let checkpoints: CheckpointRecord[]
  let vkey: string
  let origin: string
  let ledgerBefore: Awaited<ReturnType<typeof ledgerState>>
  const extraKeys: Record<'revoked' | 'expired' | 'rotating', string> = {} as any
  let migrateOutput: { code: number; stdout: string; stderr: string }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-migrate-'))
    sqlitePath = join(dataDir, 'sluice.db')
    // no federation scheduler on either node: its revocation scan could open withdrawals (ledger
    // entries) on the source after ledgerBefore, or on the migrated node while it is compared
    source = await createNode({ dataDir, federation: false })
    const url = await source.listen(0, '127.0.0.1')
    const seeded = await seedDemo(source.services)
    adminKey = seeded.adminKey
    partnerKeys = seeded.partnerKeys
    const { store, policy, ledger } = source.services
    vkey = ledger.key.vkey
    origin = ledger.origin

    // keys with a history: one revoked principal, one expired key, one key in a rotation's overlap
    const revoked = await createPrincipal(store, { name: 'Departed analyst', role: 'analyst' })
    await store.revokePrincipal(revoked.principal.id, new Date().toISOString())
    extraKeys.revoked = revoked.apiKey
    const auditor = await createPrincipal(store, { name: 'Second admin', role: 'admin' })
    const expired = generateApiKey()
    await store.addApiKey({
      keyId: expired.keyId,
      principalId: auditor.principal.id,
      secretHash: expired.secretHash,
      createdAt: new Date(Date.now() - 3_600_000).toISOString(),
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    })
    extraKeys.expired = expired.token
    const rotating = generateApiKey()
    await store.addApiKey({
      keyId: rotating.keyId,
      principalId: auditor.principal.id,
      secretHash: rotating.secretHash,
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    })
    extraKeys.rotating = rotating.token

    // partners read (disclosures), one is suspended and resumed, checkpoints along the way
    checkpoints = []
    const keep = async () => {
      for (const l of await store.ledgerLogs()) checkpoints.push(await ledger.checkpoint(l.logId))
    }
    for (const p of partnerKeys) await view(url, p.key)
    await keep()
    const [first] = partnerKeys
    const order = await policy.suspend({
      partner: first!.partner,
      reason: 'review pending',
      issuer: 'officer-1',
    })
    await view(url, first!.key)
    await keep()
    await policy.resume({ order: order.id, reason: 'review complete', issuer: 'officer-1' })
    viewsBefore = new Map()
    for (const p of partnerKeys) viewsBefore.set(p.partner, await view(url, p.key))
    await keep()
    await source.close()
    source = undefined

    const { freshPostgresDatabase } = await import('../helpers/postgres.js')
    target = await freshPostgresDatabase(POSTGRES_URL!)
    migrateOutput = await runCli(['migrate', '--from', `sqlite:${sqlitePath}`, '--to', target.location], {
      env: { SLUICE_DATA: dataDir },
    })
    sourceStore = await openStore(sqlitePath, dataDir)
    ledgerBefore = await ledgerState(sourceStore)
    migrated = await createNode({ dataDir, db: target.location, federation: false })
    migratedUrl = await migrated.listen(0, '127.0.0.1')
  }, 120_000)

  afterAll(async () => {
    await source?.close()
    await migrated?.close()
    await sourceStore?.close()
    await target?.drop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('succeeds, prints a summary and says where the node key stays', () => {
    expect(migrateOutput.stderr).toBe('')
    expect(migrateOutput.code).toBe(0)
    expect(migrateOutput.stdout).toMatch(/^migrated sqlite:.* -> postgres:\/\//)
    expect(migrateOutput.stdout).toMatch(/ledger +global: \d+ entries, root [0-9a-f]{64}/)
    expect(migrateOutput.stdout).toContain(
      `node key         not in the store (the source node's key is ${join(dataDir, 'node.key')})`,
    )
  })

  it('holds every object version of every collection, byte for byte and in order', async () => {
    const before = await allVersions(sourceStore!)
    const after = await allVersions(migrated!.store)
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort())
    expect(Object.values(before).flat().length).toBeGreaterThan(100)
    expect(after).toEqual(before)
  })

  it('has every log with the same size and root, and finds disclosures by object', async () => {
    const after = await ledgerState(migrated!.store)
    expect(after).toEqual(ledgerBefore)
    expect(after.length).toBe(1 + partnerKeys.length)
    expect(after.find((l) => l.logId === 'global')!.size).toBeGreaterThan(100)
    // a disclosure leaf is found by object version in both places, at the same indexes
    const [leaf] = await sourceStore!.ledgerLeaves(`partner:${partnerKeys[1]!.partner}`, 0, 1_000_000)
    expect(leaf).toBeDefined()
    const disclosures = (await sourceStore!.ledgerLeaves(`partner:${partnerKeys[1]!.partner}`, 0, 1_000_000))
      .map((l) => JSON.parse(Buffer.from(l.bytes).toString()))
      .filter((e) => e.kind === 'disclosure')
    expect(disclosures.length).toBeGreaterThan(0)
    const key = `${disclosures[0].object_id}|${disclosures[0].object_modified ?? 'null'}`
    for (const logId of ['global', `partner:${partnerKeys[1]!.partner}`]) {
      const a = await sourceStore!.findLedgerLeaves(logId, key)
      const b = await migrated!.store.findLedgerLeaves(logId, key)
      expect(a.length).toBeGreaterThan(0)
      expect(b.map((l) => [l.index, Buffer.from(l.bytes).toString()])).toEqual(
        a.map((l) => [l.index, Buffer.from(l.bytes).toString()]),
      )
    }
  })

  it('keeps policy (the lifted order) and the checkpoints, which still verify against the migrated log', async () => {
    expect(await migrated!.store.loadPolicy()).toEqual(await sourceStore!.loadPolicy())
    const history = await migrated!.services.policy.history()
    expect(history.orders.map((o) => o.kind)).toEqual(['suspension', 'resumption'])
    expect(checkpoints.length).toBeGreaterThan(3)
    const { ledger } = migrated!.services
    expect(ledger.key.vkey).toBe(vkey)
    expect(ledger.origin).toBe(origin)
    for (const c of checkpoints) {
      expect((await migrated!.store.listCheckpoints(c.logId, -1)).some((k) => k.note === c.note)).toBe(true)
      const opened = openCheckpoint(c.note, [vkey], ledger.originOf(c.logId))
      if (!opened.ok) throw new Error(opened.reason)
      const head = await migrated!.store.ledgerHead(c.logId)
      const root = frontierRoot(head.frontier)
      const proof = await ledger.proveConsistency(c.logId, c.size, head.size)
      const result = verifyConsistency(c.size, head.size, opened.checkpoint.rootHash, root, proof)
      expect(result, `${c.logId} at ${c.size}`).toEqual({ ok: true })
    }
    // and a new checkpoint of the migrated node is signed by the same key and origin
    const fresh = await ledger.checkpoint('global')
    expect(openCheckpoint(fresh.note, [vkey], ledger.originOf('global')).ok).toBe(true)
    expect(fromHex(ledgerBefore.find((l) => l.logId === 'global')!.root)).toEqual(
      frontierRoot((await migrated!.store.ledgerHead('global')).frontier),
    )
  })

  it('accepts the same API keys, with their revocations and expiry', async () => {
    // as stored (before this test's requests record a last use)
    for (const p of await sourceStore!.listPrincipals()) {
      expect(await migrated!.store.getPrincipal(p.id)).toEqual(p)
      expect(await migrated!.store.listApiKeys(p.id)).toEqual(await sourceStore!.listApiKeys(p.id))
      expect(await migrated!.store.listGrants(p.id)).toEqual(await sourceStore!.listGrants(p.id))
    }
    const status = async (key: string) =>
      (
        await fetch(`${migratedUrl}/intel/collections/`, {
          headers: { Accept: TAXII, Authorization: `Bearer ${key}` },
        })
      ).status
    expect(await status(adminKey)).toBe(200)
    for (const p of partnerKeys) expect(await status(p.key)).toBe(200)
    expect(await status(extraKeys.rotating)).toBe(200)
    expect(await status(extraKeys.revoked)).toBe(401)
    expect(await status(extraKeys.expired)).toBe(401)
  })

  it('shows every partner the same TAXII view as before', async () => {
    for (const p of partnerKeys) {
      const after = await view(migratedUrl, p.key)
      expect(after, p.partner).toEqual(viewsBefore.get(p.partner))
    }
    expect(Object.keys(viewsBefore.get(partnerKeys[0]!.partner)!).length).toBeGreaterThan(0)
  })

  it('refuses a target that is not empty, with one line and a non-zero exit', async () => {
    const again = await runCli(['migrate', '--from', `sqlite:${sqlitePath}`, '--to', target.location], {
      env: { SLUICE_DATA: dataDir },
    })
    expect(again.code).not.toBe(0)
    expect(again.stderr.trim().split('\n')).toHaveLength(1)
    expect(again.stderr).toMatch(/^sluice: the target is not empty/)
    const missing = await runCli(['migrate', '--from', join(dataDir, 'nope.db'), '--to', target.location])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/^sluice: no SQLite database at /)
  })
})

describe('migrateStore between any two stores (SQLite to SQLite here)', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-migrate-unit-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const object = (id: string, modified: string, extra = '') =>
    `{"type":"indicator","spec_version":"2.1","id":"${id}","created":"2026-01-01T00:00:00Z","modified":"${modified}"${extra}}`
  const incoming = (id: string, modified: string, extra = '') => ({
    id,
    type: 'indicator',
    modified,
    created: '2026-01-01T00:00:00Z',
    specVersion: '2.1',
    json: object(id, modified, extra),
  })

  async function seeded(name: string): Promise<Store> {
    const store = await openStore(join(dir, name), dir)
    await store.ensureApiRoot({ name: 'intel', title: 'Intelligence' })
    for (const id of ['c-a', 'c-b'])
      await store.createCollection({
        id,
        apiRoot: 'intel',
        title: id,
        mediaTypes: ['application/stix+json;version=2.1'],
      })
    // interleaved collections, then a deletion: the source's sequence has gaps
    for (let i = 0; i < 30; i++) {
      const id = `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
      await store.putObjects(i % 3 === 0 ? 'c-b' : 'c-a', [
        incoming(id, '2026-01-01T00:00:00Z', ` ,"x":${i}`),
      ])
    }
    await store.deleteObject('c-a', 'indicator--00000000-0000-4000-8000-000000000001')
    await store.deleteObject('c-a', 'indicator--00000000-0000-4000-8000-000000000002')
    return store
  }

  it('renumbers local sequence cursors so a push resumes exactly where it stopped', async () => {
    const { migrateStore } = await import('../../src/store/migrate.js')
    const source = await seeded('cursor-src.db')
    const all = await source.queryObjects({ collectionId: 'c-a', versions: [{ kind: 'all' }], limit: 100 })
    const stop = all.items[5]!
    await source.putState(
      'federation/push-state/p1',
      JSON.stringify({ afterSeq: stop.seq, held: [], health: {} }),
    )
    await source.putState('federation/feed/f1', '{"kept":"as is"}')
    const target = await openStore(join(dir, 'cursor-dst.db'), dir)
    const summary = await migrateStore(source, target)
    expect(summary.objectVersions).toBe(28)
    expect(summary.cursorsRewritten).toBe(1)
    const state = JSON.parse((await target.getState('federation/push-state/p1'))!)
    const rest = await target.queryObjects({
      collectionId: 'c-a',
      afterSeq: state.afterSeq,
      versions: [{ kind: 'all' }],
      limit: 100,
    })
    expect(rest.items.map((v) => v.json)).toEqual(all.items.slice(6).map((v) => v.json))
    expect(await target.getState('federation/feed/f1')).toBe('{"kept":"as is"}')
    await source.close()
    await target.close()
  })

  it('fails loudly when a log on the target does not end with the source root', async () => {
    const { migrateStore, MigrationError } = await import('../../src/store/migrate.js')
    const { encodeEntry, leafHash } = await import('../../src/ledger/index.js')
    const source = await seeded('ledger-src.db')
    const entry = (i: number) =>
      encodeEntry({
        kind: 'withdrawal',
        withdrawalId: `w-${i}`,
        event: 'issued',
        partnerId: 'northland',
        objectId: 'indicator--00000000-0000-4000-8000-000000000001',
        actor: 'officer-1',
        at: '2026-03-01T09:30:00.000000Z',
        evidenceSha256: '0'.repeat(64),
      })
    await source.appendLedger(
      [0, 1, 2].map((i) => ({
        bytes: entry(i),
        leafHash: leafHash(entry(i)),
        logs: ['global', 'partner:northland'],
      })),
    )
    // a target that loses the last leaf of every append but reports it as written
    const lossy = (store: Store): Store =>
      new Proxy(store, {
        get(target, property) {
          if (property === 'appendLedger')
            return async (entries: Parameters<Store['appendLedger']>[0]) => {
              const head = await target.ledgerHead(entries[0]!.logs[0]!)
              return [
                ...(await target.appendLedger(entries.slice(0, -1))),
                [{ logId: entries.at(-1)!.logs[0]!, index: head.size + entries.length - 1 }],
              ]
            }
          const value = Reflect.get(target, property, target)
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
    const real = await openStore(join(dir, 'ledger-dst.db'), dir)
    const failure = migrateStore(source, lossy(real))
    await expect(failure).rejects.toThrow(MigrationError)
    await expect(failure).rejects.toThrow(
      /^ledger log global: the target's root [0-9a-f]{64} at size 2 is not the source's/,
    )
    await expect(migrateStore(source, real)).rejects.toThrow(/the target is not empty/)
    await source.close()
    await real.close()
  })
})
