import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { leafHash } from '../../src/ledger/hash.js'
import { frontierRoot, merkleRootOfLeaves } from '../../src/ledger/tree.js'
import { openStore } from '../../src/store/open.js'
import type { IncomingObject, LedgerAppend, LedgerPosition, Store } from '../../src/store/types.js'
import { freshPostgresDatabase } from '../helpers/postgres.js'
import { STORES } from '../helpers/stores.js'

/**
 * PostgreSQL against SQLite: the same calls must give the same answers (the shared
 * conformance suites cover the common paths; this covers the corners: key changes,
 * roles, marking-definitions and the policy version, state ranges, provenance order),
 * and the ledger must stay one consistent log while separate sessions append at once.
 */
const SERVER = process.env.SLUICE_TEST_POSTGRES
const COLLECTION = '91a7b528-80eb-42ed-a74d-c6fbd5a26116'
const T0 = '2026-01-05T08:00:00.000Z'

function entry(text: string, logs: string[], objectKey?: string): LedgerAppend {
  const bytes = new TextEncoder().encode(text)
  return { bytes, leafHash: leafHash(bytes), logs, ...(objectKey ? { objectKey } : {}) }
}

function marking(n: number, created = T0): IncomingObject {
  const id = `marking-definition--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`
  const object = { type: 'marking-definition', spec_version: '2.1', id, created, name: `m${n}` }
  return { id, type: 'marking-definition', created, specVersion: '2.1', json: JSON.stringify(object) }
}

function indicator(n: number, modified = T0): IncomingObject {
  const id = `indicator--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`
  const object = { type: 'indicator', spec_version: '2.1', id, created: T0, modified }
  return { id, type: 'indicator', modified, created: T0, specVersion: '2.1', json: JSON.stringify(object) }
}

/** Replaces Buffers by hex and Maps by entry lists, so two adapters' answers compare as plain data. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`
  if (value instanceof Map) return [...value].map(([k, v]) => [k, plain(v)])
  if (Array.isArray(value)) return value.map(plain)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}

/** One script of calls; returns every answer, in order. `dateAdded` differs by clock, so it is dropped. */
async function script(store: Store): Promise<unknown[]> {
  const out: unknown[] = []
  const note = (label: string, value: unknown) => out.push([label, plain(value)])
  const version = async () => store.policyVersion()

  note('version at start', await version())
  await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
  await store.createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'Routes', mediaTypes: [] })
  note('version after a new collection', await version())
  await store
    .createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'Again', mediaTypes: [] })
    .catch(() => {})
  note('version after a refused collection', await version())

  // marking-definitions bump the policy version when added, not when re-posted or rejected
  const v0 = await version()
  const put = await store.putObjects(COLLECTION, [marking(1), indicator(1)])
  note(
    'put markings',
    put.map((o) => ({ ...o, ...('dateAdded' in o ? { dateAdded: '-' } : {}) })),
  )
  note('bumped by a new marking', (await version()) > v0)
  const v1 = await version()
  await store.putObjects(COLLECTION, [marking(1)])
  note('unchanged by a repeated marking', (await version()) === v1)
  await store.putObjects(COLLECTION, [indicator(2)])
  note('unchanged by an indicator', (await version()) === v1)
  const conflict = await store.putObjects(COLLECTION, [{ ...marking(1), json: '{"other":true}' }])
  note('conflicting marking', conflict)
  note('unchanged by a conflict', (await version()) === v1)
  await store.putObjects(COLLECTION, [marking(2), marking(3)])
  note('one bump per batch', (await version()) - v1)
  note(
    'markings',
    (await store.listMarkingDefinitions()).map((m) => ({ ...m, dateAdded: '-' })),
  )

  // principals with every role, and keys changing over time
  const roles = ['admin', 'officer', 'analyst', 'auditor', 'partner'] as const
  for (const [i, role] of roles.entries()) {
    await store.createPrincipal(
      {
        id: `p-${role}`,
        name: role,
        role,
        ...(role === 'partner' ? { partnerId: 'isles' } : {}),
        createdAt: T0,
      },
      { keyId: `k-${role}-1`, principalId: `p-${role}`, secretHash: Buffer.alloc(32, i), createdAt: T0 },
    )
  }
  note('principals', await store.listPrincipals())
  await store.addApiKey({
    keyId: 'k-admin-0',
    principalId: 'p-admin',
    secretHash: Buffer.alloc(32, 9),
    createdAt: T0,
    expiresAt: '2026-02-01T00:00:00.000Z',
  })
  await store.addApiKey({
    keyId: 'k-admin-2',
    principalId: 'p-admin',
    secretHash: Buffer.alloc(32, 10),
    createdAt: '2026-01-04T00:00:00.000Z',
    revokedAt: '2026-01-04T01:00:00.000Z',
    lastUsedAt: '2026-01-04T00:30:00.000Z',
  })
  note('keys oldest first, ties by id', await store.listApiKeys('p-admin'))
  note('no keys', await store.listApiKeys('p-nobody'))
  note('update unknown key', await store.updateApiKey('k-missing', { lastUsedAt: T0 }))
  note('update nothing', await store.updateApiKey('k-admin-1', {}))
  note('update use', await store.updateApiKey('k-admin-1', { lastUsedAt: '2026-01-06T00:00:00.000Z' }))
  note('update expiry', await store.updateApiKey('k-admin-1', { expiresAt: '2026-01-07T00:00:00.000Z' }))
  note('revoke', await store.updateApiKey('k-admin-1', { revokedAt: '2026-01-08T00:00:00.000Z' }))
  note(
    'revoke again keeps the first',
    await store.updateApiKey('k-admin-1', { revokedAt: '2026-01-09T00:00:00.000Z' }),
  )
  note('key after changes', await store.getApiKey('k-admin-1'))
  note('revoke principal', await store.revokePrincipal('p-analyst', '2026-01-10T00:00:00.000Z'))
  note('revoke principal again', await store.revokePrincipal('p-analyst', '2026-01-11T00:00:00.000Z'))
  note('analyst keys', await store.listApiKeys('p-analyst'))

  // policy rows and the ledger, including an append with no ledger entries
  const v2 = await version()
  note(
    'policy positions',
    await store.appendPolicy(
      [
        { kind: 'partner', id: 'isles', recordedAt: T0, body: '{"a":1}' },
        { kind: 'agreement', id: 'isles', recordedAt: T0, body: '{"b":2}' },
      ],
      [entry('p1', ['global', 'partner:isles']), entry('p2', ['global'])],
    ),
  )
  note(
    'policy without ledger',
    await store.appendPolicy([{ kind: 'order', id: 'o1', recordedAt: T0, body: '{}' }], []),
  )
  note('policy bumps', (await version()) - v2)
  note('policy', await store.loadPolicy())
  note('empty append', await store.appendLedger([]))
  note(
    'ledger positions',
    await store.appendLedger([
      entry('d1', ['partner:isles'], 'indicator--1|2026-01-01T00:00:00.000Z'),
      entry('d2', ['partner:isles', 'global'], 'indicator--1|2026-01-01T00:00:00.000Z'),
      entry('d3', ['partner:b'], 'indicator--2|null'),
    ]),
  )
  note('logs', await store.ledgerLogs())
  note('head', await store.ledgerHead('global'))
  note('unknown head', await store.ledgerHead('partner:none'))
  note(
    'nodes in asked order, missing ones left out',
    await store.ledgerNodes('global', [
      { level: 1, index: 0 },
      { level: 0, index: 3 },
      { level: 0, index: 0 },
      { level: 7, index: 0 },
      { level: 0, index: 3 },
    ]),
  )
  note('no nodes asked', await store.ledgerNodes('global', []))
  note('leaves', await store.ledgerLeaves('global', 1, 3))
  note('leaves past the end', await store.ledgerLeaves('global', 2, 100))
  note('found', await store.findLedgerLeaves('partner:isles', 'indicator--1|2026-01-01T00:00:00.000Z'))
  for (const [size, note2] of [
    [1, 'n1'],
    [2, 'n2'],
    [3, 'n3'],
  ] as const)
    await store.saveCheckpoint({ logId: 'global', size, note: note2, createdAt: T0 })
  await store.saveCheckpoint({ logId: 'partner:isles', size: 2, note: 'other', createdAt: T0 })
  note('checkpoints limited', await store.listCheckpoints('global', 2))
  note('checkpoints unlimited', await store.listCheckpoints('global', -1))
  note('checkpoints none', await store.listCheckpoints('partner:none', 5))

  // named state: a byte-wise range, with LIKE wildcards taken literally
  for (const name of [
    'feed:a',
    'feed:b',
    'feed_x',
    'feed%',
    'feed:é',
    'feed:\u{1F600}',
    'feed;',
    'fee',
    'Feed:A',
  ])
    await store.putState(name, `v-${name}`)
  note('state feed:', await store.listState('feed:'))
  note('state feed_', await store.listState('feed_'))
  note('state feed%', await store.listState('feed%'))
  note('state all', await store.listState(''))
  await store.putState('feed:a', 'again')
  note('state overwritten', await store.getState('feed:a'))
  await store.deleteState('feed:a')
  await store.deleteState('feed:missing')
  note('state deleted', await store.getState('feed:a'))

  // provenance keeps every record in the order received
  const r = {
    collectionId: COLLECTION,
    objectId: 'indicator--1',
    version: T0,
    feedId: 'f1',
    partnerId: 'p1',
    receivedAt: T0,
  }
  await store.addProvenance([])
  await store.addProvenance([r, { ...r, objectId: 'indicator--2', feedId: 'f2' }, r])
  await store.addProvenance([{ ...r, feedId: 'f3', version: '' }])
  note('provenance', await store.provenance(['indicator--2', 'indicator--1']))
  note('provenance none', await store.provenance([]))
  return out
}

describe.skipIf(!SERVER)('postgres answers like sqlite', () => {
  const answers = new Map<string, unknown[]>()
  beforeAll(async () => {
    for (const factory of STORES) {
      const { store, dispose } = await factory.open()
      try {
        answers.set(factory.name, await script(store))
      } finally {
        await dispose()
      }
    }
  })

  it('gives the same answer to every call of the script', () => {
    const sqlite = answers.get('sqlite')!
    const postgres = answers.get('postgres')!
    expect(postgres.length).toBe(sqlite.length)
    for (let i = 0; i < sqlite.length; i++) expect(postgres[i]).toEqual(sqlite[i])
  })
})

describe.skipIf(!SERVER)('postgres ledger shared by several sessions', () => {
  let location: string
  let drop: () => Promise<void>
  const stores: Store[] = []
  beforeAll(async () => {
    ;({ location, drop } = await freshPostgresDatabase(SERVER!))
    // Separate pools, so separate sessions: as far as the server can tell, separate processes.
    for (let i = 0; i < 4; i++) stores.push(await openStore(location, '/nonexistent'))
  })
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await drop?.()
  })

  it('interleaves concurrent appends and policy rows into one consistent log per id', async () => {
    const rounds = 25
    const positions: { text: string; at: LedgerPosition[] }[] = []
    await Promise.all(
      stores.map(async (store, w) => {
        for (let round = 0; round < rounds; round++) {
          const texts = [`w${w}-r${round}-a`, `w${w}-r${round}-b`]
          if (round % 5 === 4) {
            const at = await store.appendPolicy(
              [{ kind: 'order', id: `o-${w}-${round}`, recordedAt: T0, body: texts[0]! }],
              [entry(texts[0]!, ['global', `partner:w${w}`])],
            )
            positions.push({ text: texts[0]!, at: at[0]! })
          } else {
            const at = await store.appendLedger([
              entry(texts[0]!, ['global', `partner:w${w}`]),
              entry(texts[1]!, ['global', 'partner:shared']),
            ])
            positions.push({ text: texts[0]!, at: at[0]! }, { text: texts[1]!, at: at[1]! })
          }
        }
      }),
    )
    const reader = stores[0]!
    const logs = await reader.ledgerLogs()
    for (const { logId, size } of logs) {
      const leaves = await reader.ledgerLeaves(logId, 0, size + 10)
      // contiguous, each position handed out once, and the leaf there is the one reported
      expect(leaves.map((l) => l.index)).toEqual(Array.from({ length: size }, (_, i) => i))
      const reported = positions.flatMap((p) =>
        p.at.filter((a) => a.logId === logId).map((a) => [a.index, p.text]),
      )
      expect(reported).toHaveLength(size)
      const byIndex = new Map(leaves.map((l) => [l.index, Buffer.from(l.bytes).toString()]))
      for (const [index, text] of reported) expect(byIndex.get(index as number)).toBe(text)
      // the stored head is the tree of exactly those leaves
      const head = await reader.ledgerHead(logId)
      expect(head.size).toBe(size)
      expect(Buffer.from(frontierRoot(head.frontier)).toString('hex')).toBe(
        Buffer.from(merkleRootOfLeaves(leaves.map((l) => l.bytes))).toString('hex'),
      )
    }
    const global = logs.find((l) => l.logId === 'global')
    expect(global?.size).toBe(positions.length)
    // policy rows load in the order their entries entered the global log
    const policy = await reader.loadPolicy()
    const globalIndex = new Map(positions.map((p) => [p.text, p.at.find((a) => a.logId === 'global')!.index]))
    const order = policy.map((p) => globalIndex.get(p.body)!)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(policy).toHaveLength(stores.length * (rounds / 5))
    expect(await reader.policyVersion()).toBe(stores.length * (rounds / 5))
  }, 60_000)
})
