import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { disclosureKey, encodeEntry } from '../../src/ledger/entry.js'
import { leafHash } from '../../src/ledger/hash.js'
import { proveConsistency, proveInclusion, rootAt } from '../../src/ledger/proof.js'
import { frontierRoot, merkleRootOfLeaves } from '../../src/ledger/tree.js'
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js'
import { PolicyChangedError } from '../../src/store/errors.js'
import { keyHash } from '../../src/store/ledger-append.js'
import type { LedgerAppend, Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'

function entry(text: string, logs: string[], objectKey?: string): LedgerAppend {
  const bytes = new TextEncoder().encode(text)
  return { bytes, leafHash: leafHash(bytes), logs, ...(objectKey ? { objectKey } : {}) }
}

/** A disclosure of `objectId` at `modified`, as the ledger service appends it. */
function disclosed(objectId: string, modified: string | null, logs: string[]): LedgerAppend {
  const bytes = encodeEntry({
    kind: 'disclosure',
    partnerId: 'p3',
    collectionId: 'c1',
    objectId,
    objectModified: modified,
    contentSha256: 'a'.repeat(64),
    disclosedAt: '2026-12-02T08:00:00.000000Z',
    agreementId: 'agr-1',
    requestId: 'r1',
  })
  return { bytes, leafHash: leafHash(bytes), logs, objectKey: disclosureKey(objectId, modified) }
}

/** Two object ids whose keys (unmodified) have the same `keyHash` (a birthday search: ~80,000 tries). */
function collidingIds(): [string, string] {
  const seen = new Map<number, string>()
  for (let i = 0; ; i++) {
    const id = `indicator--00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
    const h = keyHash(`${id}|null`)
    const other = seen.get(h)
    if (other !== undefined) return [other, id]
    seen.set(h, id)
  }
}

describe('keyHash', () => {
  it('is 32-bit FNV-1a (its published vectors), never 0', () => {
    expect(keyHash('')).toBe(0x811c9dc5)
    expect(keyHash('a')).toBe(0xe40c292c)
    expect(keyHash('foobar')).toBe(0xbf9cf968)
    fc.assert(fc.property(fc.string(), (s) => keyHash(s) >= 1 && keyHash(s) <= 0xffffffff))
  })
})

describe.each(STORES)('$name store: ledger and policy rows', (factory) => {
  let store: Store
  let dispose: () => Promise<void>
  beforeEach(async () => {
    const opened = await factory.open()
    store = opened.store
    dispose = opened.dispose
  })
  afterEach(async () => dispose())

  it('appends to several logs at once and reports each position', async () => {
    const positions = await store.appendLedger([
      entry('a', ['global', 'partner:p1']),
      entry('b', ['global']),
      entry('c', ['global', 'partner:p1']),
    ])
    expect(positions).toEqual([
      [
        { logId: 'global', index: 0 },
        { logId: 'partner:p1', index: 0 },
      ],
      [{ logId: 'global', index: 1 }],
      [
        { logId: 'global', index: 2 },
        { logId: 'partner:p1', index: 1 },
      ],
    ])
    expect(await store.ledgerLogs()).toEqual([
      { logId: 'global', size: 3 },
      { logId: 'partner:p1', size: 2 },
    ])
    const leaves = await store.ledgerLeaves('partner:p1', 0, 10)
    expect(leaves.map((l) => Buffer.from(l.bytes).toString())).toEqual(['a', 'c'])
  })

  it('stores nodes from which roots and proofs match the RFC 9162 definitions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
        async (batches) => {
          const logId = `partner:prop-${Math.random()}`
          const texts: string[] = []
          for (const count of batches) {
            const batch = Array.from({ length: count }, (_, i) => `${logId}-${texts.length + i}`)
            await store.appendLedger(batch.map((t) => entry(t, [logId])))
            texts.push(...batch)
          }
          const leaves = texts.map((t) => new TextEncoder().encode(t))
          const head = await store.ledgerHead(logId)
          expect(head.size).toBe(texts.length)
          const root = merkleRootOfLeaves(leaves)
          expect(Buffer.from(frontierRoot(head.frontier)).equals(Buffer.from(root))).toBe(true)
          const reader = {
            getNodes: (keys: readonly { level: number; index: number }[]) => store.ledgerNodes(logId, keys),
          }
          expect(Buffer.from(await rootAt(reader, head.size)).equals(Buffer.from(root))).toBe(true)
          const index = texts.length - 1
          const proof = await proveInclusion(reader, index, head.size)
          expect(verifyInclusion(leafHash(leaves[index]!), index, head.size, proof, root)).toEqual({
            ok: true,
          })
          const m = Math.max(1, Math.floor(head.size / 2))
          const consistency = await proveConsistency(reader, m, head.size)
          expect(
            verifyConsistency(m, head.size, merkleRootOfLeaves(leaves.slice(0, m)), root, consistency),
          ).toEqual({ ok: true })
        },
      ),
      { numRuns: 25 },
    )
  })

  it('serves proofs over many chunks, through references, the same when read again', async () => {
    // > 2^10 leaves in uneven appends: nodes up to level 10 span chunks, the partner log refers to the
    // global log's bytes, and the second pass is served partly from the adapter's node cache
    const texts: string[] = []
    let size = 0
    const sizes: number[] = []
    for (const count of [1, 300, 77, 256, 5, 400, 13, 60]) {
      const batch = Array.from({ length: count }, (_, i) => `big-${size + i}`)
      await store.appendLedger(batch.map((t) => entry(t, ['global', 'partner:big'])))
      texts.push(...batch)
      size += count
      sizes.push(size)
    }
    const leaves = texts.map((t) => new TextEncoder().encode(t))
    const hashes = leaves.map(leafHash)
    const rootOf = (n: number) => merkleRootOfLeaves(leaves.slice(0, n))
    // nothing stored beyond the head is reported, and nothing missing is remembered as missing
    const beyond = { level: 10, index: 1 }
    expect((await store.ledgerNodes('partner:big', [beyond])).size).toBe(0)
    for (const logId of ['global', 'partner:big']) {
      const reader = {
        getNodes: (keys: readonly { level: number; index: number }[]) => store.ledgerNodes(logId, keys),
      }
      for (const pass of [1, 2]) {
        for (const n of [sizes[3]!, size]) {
          const root = rootOf(n)
          expect(Buffer.from(await rootAt(reader, n)).equals(Buffer.from(root)), `${logId} ${pass}`).toBe(
            true,
          )
          for (const index of [0, 1, 255, 256, 377, 633, n - 2, n - 1]) {
            const proof = await proveInclusion(reader, index, n)
            expect(verifyInclusion(hashes[index]!, index, n, proof, root)).toEqual({ ok: true })
          }
          for (const m of [1, 2, 255, 256, 378, 639, n - 1].filter((m) => m < n)) {
            const proof = await proveConsistency(reader, m, n)
            expect(verifyConsistency(m, n, rootOf(m), root, proof)).toEqual({ ok: true })
          }
        }
      }
    }
    const more = Array.from({ length: 2048 - size }, (_, i) => `big-${size + i}`)
    await store.appendLedger(more.map((t) => entry(t, ['partner:big'])))
    const found = await store.ledgerNodes('partner:big', [beyond])
    const all = [...leaves, ...more.map((t) => new TextEncoder().encode(t))]
    expect(
      Buffer.from(found.get('10/1')!).equals(Buffer.from(merkleRootOfLeaves(all.slice(1024, 2048)))),
    ).toBe(true)
  })

  it('finds disclosure leaves by object version', async () => {
    await store.appendLedger([
      disclosed('indicator--1', '2026-01-01T00:00:00.000Z', ['partner:p2']),
      disclosed('indicator--2', null, ['partner:p2']),
      entry('an order', ['partner:p2']),
      disclosed('indicator--1', null, ['partner:p2']),
    ])
    const found = await store.findLedgerLeaves('partner:p2', 'indicator--1|2026-01-01T00:00:00.000Z')
    expect(found.map((l) => l.index)).toEqual([0])
    expect((await store.findLedgerLeaves('partner:p2', 'indicator--1|null')).map((l) => l.index)).toEqual([3])
    expect(await store.findLedgerLeaves('partner:p1', 'indicator--1|2026-01-01T00:00:00.000Z')).toEqual([])
  })

  it('tells apart object versions whose key hashes collide, and finds them through references', async () => {
    const [a, b] = collidingIds()
    // the same entries in the global log and the partner's: the partner's chunk refers to the global one
    await store.appendLedger([disclosed('indicator--0', null, ['global', 'partner:p3'])])
    await store.appendLedger([a, b].map((id) => disclosed(id, null, ['global', 'partner:p3'])))
    for (const log of ['global', 'partner:p3']) {
      expect((await store.findLedgerLeaves(log, `${a}|null`)).map((l) => l.index)).toEqual([1])
      expect((await store.findLedgerLeaves(log, `${b}|null`)).map((l) => l.index)).toEqual([2])
    }
  })

  it('appends policy rows with their ledger entries and bumps the policy version', async () => {
    const before = await store.policyVersion()
    const positions = await store.appendPolicy(
      [
        {
          kind: 'order',
          id: 'order--1',
          recordedAt: '2026-01-07T09:00:00.000Z',
          body: '{"kind":"suspension"}',
        },
      ],
      [entry('order--1', ['global', 'partner:p1'])],
    )
    expect(positions[0]).toHaveLength(2)
    expect(await store.policyVersion()).toBeGreaterThan(before)
    expect(await store.loadPolicy()).toEqual([
      {
        kind: 'order',
        id: 'order--1',
        recordedAt: '2026-01-07T09:00:00.000Z',
        body: '{"kind":"suspension"}',
      },
    ])
  })

  it('appends a policy change only while the policy version it was made from holds', async () => {
    const order = (id: string) => ({
      kind: 'order' as const,
      id,
      recordedAt: '2026-01-07T09:00:00.000Z',
      body: '{}',
    })
    const seen = await store.policyVersion()
    await store.appendPolicy([order('order--first')], [entry('order--first', ['global'])], seen)
    const ledgerSize = (await store.ledgerHead('global'))?.size
    // made from the version before the first change: refused, with neither row nor ledger entry
    await expect(
      store.appendPolicy([order('order--stale')], [entry('order--stale', ['global'])], seen),
    ).rejects.toBeInstanceOf(PolicyChangedError)
    expect((await store.loadPolicy()).map((r) => r.id)).toEqual(['order--first'])
    expect((await store.ledgerHead('global'))?.size).toBe(ledgerSize)
    await store.appendPolicy([order('order--fresh')], [], await store.policyVersion())
    expect((await store.loadPolicy()).map((r) => r.id)).toEqual(['order--first', 'order--fresh'])
  })

  it('appends entries with state documents together, and only while the expected document holds', async () => {
    const size = async () => (await store.ledgerHead('global')).size
    const before = await size()
    const unclaimed = { name: 'claims/x', value: undefined }
    const first = await store.appendLedgerWithStates(
      [entry('claim 1', ['global'])],
      [
        { name: 'claims/x', value: '1' },
        { name: 'claims/x-detail', value: 'a' },
      ],
      unclaimed,
    )
    expect(first).toEqual([[{ logId: 'global', index: before }]])
    expect(await store.listState('claims/')).toEqual([
      { name: 'claims/x', value: '1' },
      { name: 'claims/x-detail', value: 'a' },
    ])
    // the same claim again: neither its entry nor any of its documents
    const second = await store.appendLedgerWithStates(
      [entry('claim 2', ['global'])],
      [
        { name: 'claims/x', value: '2' },
        { name: 'claims/y', value: 'b' },
      ],
      unclaimed,
    )
    expect(second).toBeUndefined()
    expect(await size()).toBe(before + 1)
    expect(await store.getState('claims/x')).toBe('1')
    expect(await store.getState('claims/y')).toBeUndefined()
    // a change made from the value it read: once
    const fromOne = { name: 'claims/x', value: '1' }
    const change = (value: string) =>
      store.appendLedgerWithStates(
        [entry(`change to ${value}`, ['global'])],
        [{ name: 'claims/x', value }],
        fromOne,
      )
    expect(await change('3')).toHaveLength(1)
    expect(await change('4')).toBeUndefined()
    expect(await store.getState('claims/x')).toBe('3')
    // no expectation: written, with or without entries
    expect(await store.appendLedgerWithStates([], [{ name: 'claims/z', value: '5' }])).toEqual([])
    expect(await store.getState('claims/z')).toBe('5')
    expect(await size()).toBe(before + 2)
  })

  it('keeps checkpoints newest first', async () => {
    await store.saveCheckpoint({
      logId: 'global',
      size: 1,
      note: 'n1',
      createdAt: '2026-01-01T00:00:00.000Z',
    })
    await store.saveCheckpoint({
      logId: 'global',
      size: 2,
      note: 'n2',
      createdAt: '2026-01-02T00:00:00.000Z',
    })
    expect((await store.listCheckpoints('global', 5)).map((c) => c.note)).toEqual(['n2', 'n1'])
  })
})

describe.each(STORES)('$name store: state and provenance', (factory) => {
  let store: Store
  let dispose: () => Promise<void>
  beforeEach(async () => {
    const opened = await factory.open()
    store = opened.store
    dispose = opened.dispose
  })
  afterEach(async () => dispose())

  it('keeps named state by prefix, with last write winning', async () => {
    await store.putState('feed:a', '1')
    await store.putState('feed:b', '2')
    await store.putState('feed:a', '3')
    await store.putState('feedz', 'x')
    expect(await store.getState('feed:a')).toBe('3')
    expect(await store.listState('feed:')).toEqual([
      { name: 'feed:a', value: '3' },
      { name: 'feed:b', value: '2' },
    ])
    await store.deleteState('feed:a')
    expect(await store.getState('feed:a')).toBeUndefined()
  })

  it('records every provenance of an object version', async () => {
    const r = {
      collectionId: 'c',
      objectId: 'indicator--1',
      version: '2026-01-01T00:00:00.000Z',
      feedId: 'f1',
      partnerId: 'p1',
      receivedAt: '2026-01-02T00:00:00.000Z',
    }
    expect(await store.hasProvenance()).toBe(false)
    await store.addProvenance([r, { ...r, feedId: 'f2', partnerId: 'p2' }])
    expect(await store.hasProvenance()).toBe(true)
    expect((await store.provenance(['indicator--1'])).map((p) => p.partnerId)).toEqual(['p1', 'p2'])
    expect(await store.provenance(['indicator--2'])).toEqual([])
  })
})
