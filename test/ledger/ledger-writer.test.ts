import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeEntries } from '../../src/ledger/entry.js'
import { GLOBAL_LOG, partnerLogId } from '../../src/ledger/log-id.js'
import { frontierRoot, merkleRootOfLeaves } from '../../src/ledger/tree.js'
import {
  type DisclosureBatch,
  disclosureEntries,
  toLedgerAppends,
} from '../../src/services/ledger-service.js'
import {
  LedgerWriter,
  packBatch,
  packPositions,
  unpackEntries,
  unpackPositions,
} from '../../src/services/ledger-writer.js'
import { SharedTextSlots } from '../../src/services/shared-text-slots.js'
import type { Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'

/** The worker as the node runs it: built by `npm test` before the suites (`npm run build`). */
const BUILT_WORKER = new URL('../../dist/src/services/ledger-writer-worker.js', import.meta.url)
if (!existsSync(BUILT_WORKER)) throw new Error('dist/ is missing: run "npm run build" (npm test does it)')

const text = fc.string({ unit: 'grapheme', maxLength: 40 })
const batchArb: fc.Arbitrary<DisclosureBatch> = fc.record({
  partnerId: fc.constantFrom('northland-coast-guard', 'partner-ü'),
  disclosedAt: fc.constant('2026-11-25T10:00:00.000001Z'),
  requestId: fc.uuid(),
  versions: fc.array(
    fc.record({
      // lone surrogates too: a string slice keeps them as they are
      json: fc.oneof(text, fc.constantFrom('\ud800', 'x\udfff{}', '')),
      collectionId: fc.constantFrom('c1', 'c2'),
      objectId: fc.oneof(
        fc.uuid().map((u) => `indicator--${u}`),
        text.filter((s) => s.length > 0),
      ),
      objectModified: fc.option(fc.constant('2026-01-01T00:00:00.000Z'), { nil: null }),
      agreementId: fc.constantFrom('agr-1', 'agr-ß'),
    }),
    { maxLength: 20 },
  ),
})

describe('disclosure batches packed for the ledger writer', () => {
  it('unpack to exactly the disclosure entries of the batch, long non-ASCII texts too', () => {
    const wide = (n: number) => ({
      json: `{"name":"${'☂é𝄞'.repeat(n)}"}`,
      collectionId: 'c1',
      objectId: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      objectModified: null,
      agreementId: 'agr-1',
    })
    const batch: DisclosureBatch = {
      partnerId: 'p',
      disclosedAt: '2026-11-25T10:00:00.000000Z',
      requestId: 'r',
      versions: [wide(5000), wide(1), wide(3000), wide(2000)],
    }
    expect(unpackEntries(packBatch(batch, new SharedTextSlots()).packed)).toEqual(disclosureEntries(batch))
  })

  it('unpack to exactly the disclosure entries of the batch (property)', () => {
    // slots small enough that some batches take memory of their own, and few enough to run out
    const slots = new SharedTextSlots(256, 2)
    fc.assert(
      fc.property(batchArb, (batch) => {
        const packed = packBatch(batch, slots)
        expect(unpackEntries(packed.packed)).toEqual(disclosureEntries(batch))
        // the texts already joined, as the response is built from them: the same entries
        const joined = batch.versions.map((v) => v.json).join(',')
        const prejoined = packBatch({ ...batch, joined: () => joined }, slots)
        expect(unpackEntries(prejoined.packed)).toEqual(disclosureEntries(batch))
        prejoined.release()
        // two batches held at once: writing the second left the first intact
        expect(unpackEntries(packed.packed)).toEqual(disclosureEntries(batch))
        packed.release()
        if (batch.versions.length > 0)
          expect(() => packBatch({ ...batch, joined: () => `${joined} ` }, slots)).toThrow(/do not match/)
      }),
      { numRuns: 300 },
    )
    expect(slots.allocated).toBeLessThanOrEqual(2)
  })

  it('refuse lengths that reach past the texts written, though the slot holds older bytes there', () => {
    const slots = new SharedTextSlots(1024, 1)
    const batch: DisclosureBatch = {
      partnerId: 'p',
      disclosedAt: '2026-11-25T10:00:00.000000Z',
      requestId: 'r',
      versions: [
        {
          json: '{"new":1}',
          collectionId: 'c1',
          objectId: 'indicator--00000000-0000-4000-8000-000000000001',
          objectModified: null,
          agreementId: 'agr-1',
        },
      ],
    }
    slots.place(`{"old":"${'x'.repeat(200)}"}`).release()
    const { packed } = packBatch(batch, slots)
    packed.lengths[0] = 100
    expect(() => unpackEntries(packed)).toThrow(/malformed packed disclosure batch/)
  })
})

describe('shared slots for the texts a page served', () => {
  const read = (shared: { buffer: SharedArrayBuffer; byteLength: number }) =>
    Buffer.from(shared.buffer, 0, shared.byteLength).toString('utf8')

  it('hold a text as UTF-8, and give a slot to one page at a time', () => {
    const slots = new SharedTextSlots(64, 2)
    const a = slots.place('{"name":"Ébène"}')
    const b = slots.place('{"x":1}')
    expect(read(a)).toBe('{"name":"Ébène"}')
    expect(a.byteLength).toBe(Buffer.byteLength('{"name":"Ébène"}'))
    expect(b.buffer).not.toBe(a.buffer)
    // both slots in use: a third page gets memory of its own, which is not kept
    const c = slots.place('{"y":2}')
    expect(c.buffer).not.toBe(a.buffer)
    expect(c.buffer).not.toBe(b.buffer)
    expect(read(c)).toBe('{"y":2}')
    c.release()
    expect(slots.allocated).toBe(2)
    a.release()
    const d = slots.place('{"z":3}')
    expect(d.buffer).toBe(a.buffer)
    expect(read(d)).toBe('{"z":3}')
    // a release called again, while d holds the slot, gives nothing back
    a.release()
    expect(slots.place('{}').buffer).not.toBe(d.buffer)
  })

  it('give a text larger than a slot memory of its own, exactly its size', () => {
    const slots = new SharedTextSlots(16, 1)
    const long = `{"name":"${'☂'.repeat(20)}"}`
    const placed = slots.place(long)
    expect(placed.buffer.byteLength).toBe(Buffer.byteLength(long))
    expect(read(placed)).toBe(long)
    expect(slots.allocated).toBe(0)
  })
})

describe('ledger positions packed for the way back', () => {
  it('unpack to exactly the positions packed, whether or not they continue one another (property)', () => {
    const logId = fc.constantFrom('global', 'partner/a', 'partner/b', 'partner/é')
    const positions = fc.array(
      fc.array(fc.record({ logId, index: fc.nat({ max: 2 ** 40 }) }), { maxLength: 3 }),
      { maxLength: 30 },
    )
    // runs as appends make them: consecutive entries at consecutive indices in the same logs
    const runs = fc
      .array(
        fc.tuple(
          fc.array(fc.record({ logId, index: fc.nat({ max: 2 ** 40 }) }), { maxLength: 3 }),
          fc.nat(40),
        ),
        { maxLength: 5 },
      )
      .map((rs) =>
        rs.flatMap(([first, n]) =>
          Array.from({ length: n }, (_, e) => first.map((p) => ({ logId: p.logId, index: p.index + e }))),
        ),
      )
    fc.assert(
      fc.property(fc.oneof(positions, runs), (ps) => {
        const packed = packPositions(ps)
        expect(unpackPositions(packed)).toEqual(ps)
        expect(packed.logs.length).toBe(new Set(ps.flat().map((p) => p.logId)).size)
      }),
      { numRuns: 300 },
    )
  })

  it('packs a page of disclosures as one run', () => {
    const page = Array.from({ length: 1000 }, (_, i) => [
      { logId: GLOBAL_LOG, index: 5000 + i },
      { logId: partnerLogId('partner-a'), index: 70 + i },
    ])
    expect(packPositions(page).runs).toHaveLength(6)
  })
})

const version = (batch: number, i: number) => ({
  json: `{"type":"indicator","id":"indicator--${batch}-${i}","name":"Fictional route ${i} ☂"}`,
  collectionId: 'maritime-routes',
  objectId: `indicator--00000000-0000-4000-8000-${String(batch * 1000 + i).padStart(12, '0')}`,
  objectModified: i % 5 === 0 ? null : '2026-02-01T10:00:00.000Z',
  agreementId: `agr-${batch % 2}`,
})

const page = (batch: number, partnerId: string, count: number): DisclosureBatch => ({
  partnerId,
  disclosedAt: '2026-11-25T10:00:00.000000Z',
  requestId: `req-${batch}`,
  versions: Array.from({ length: count }, (_, i) => version(batch, i)),
})

async function leafText(store: Store, logId: string, index: number): Promise<string> {
  const [leaf] = await store.ledgerLeaves(logId, index, index + 1)
  return Buffer.from(leaf!.bytes).toString()
}

describe('a ledger writer whose thread dies', () => {
  it('fails the appends in flight with one line, and the next append starts a new thread', async () => {
    const writer = LedgerWriter.for(
      'unused.db',
      tmpdir(),
      new URL('./fixtures/exiting-writer.mjs', import.meta.url),
    )!
    try {
      await expect(writer.append(page(1, 'partner-a', 2))).rejects.toThrow(
        'ledger writer stopped (exit code 3)',
      )
      // a fresh thread (which dies as well): the append is answered, not left waiting
      await expect(writer.append(page(2, 'partner-a', 2))).rejects.toThrow(
        'ledger writer stopped (exit code 3)',
      )
    } finally {
      await writer.close()
    }
  })
})

for (const factory of STORES) {
  describe(`${factory.name}: the ledger writer's thread`, () => {
    let dispose: (() => Promise<void>) | undefined
    afterEach(async () => {
      await dispose?.()
      dispose = undefined
    })

    it('appends exactly what the node would, where it says, alongside the node’s own appends', async () => {
      const { store, location, dispose: drop } = await factory.open()
      const writer = LedgerWriter.for(location, tmpdir(), BUILT_WORKER)
      dispose = async () => {
        await writer?.close()
        await drop()
      }
      expect(writer).toBeDefined()
      const batches = [70, 3, 120, 64, 1].map((count, b) => page(b, b % 2 ? 'partner-a' : 'partner-b', count))
      // writer appends in flight together, with an append on the node's own connection among them
      const [positions, own] = await Promise.all([
        Promise.all(batches.map((b) => writer!.append(b))),
        store.appendLedger(toLedgerAppends(disclosureEntries(page(9, 'partner-a', 5)))),
      ])
      expect(own).toHaveLength(5)
      for (const [b, batch] of batches.entries()) {
        const expected = encodeEntries(disclosureEntries(batch)).map((bytes) => Buffer.from(bytes).toString())
        expect(positions[b]).toHaveLength(expected.length)
        for (const [i, at] of positions[b]!.entries()) {
          expect(at.map((p) => p.logId)).toEqual([GLOBAL_LOG, partnerLogId(batch.partnerId)])
          for (const p of at) expect(await leafText(store, p.logId, p.index)).toBe(expected[i])
        }
      }
      // every log is one consistent tree: its head's root is the root of its leaves
      for (const { logId, size } of await store.ledgerLogs()) {
        const leaves = (await store.ledgerLeaves(logId, 0, size)).map((l) => l.bytes)
        expect(leaves).toHaveLength(size)
        const head = await store.ledgerHead(logId)
        expect(Buffer.from(frontierRoot(head.frontier))).toEqual(Buffer.from(merkleRootOfLeaves(leaves)))
      }
      const total = (await store.ledgerLogs()).find((l) => l.logId === GLOBAL_LOG)!.size
      expect(total).toBe(70 + 3 + 120 + 64 + 1 + 5)
    })

    it('appends a burst of concurrent pages its bounded heap could not hold merged, all before it closes', async () => {
      const { store, location, dispose: drop } = await factory.open()
      const writer = LedgerWriter.for(location, tmpdir(), BUILT_WORKER)!
      dispose = drop
      // 150 pages of 1,000 at once: merged into one transaction they ran the thread out of memory
      const pages = 150
      const appends = Array.from({ length: pages }, (_, b) =>
        writer.append(page(b, `partner-${b % 3}`, 1000)),
      )
      let answered = 0
      for (const a of appends) a.then(() => answered++)
      // closed at once, with most of the burst still waiting its turn: every page is appended first
      await writer.close()
      expect(answered).toBe(pages)
      const positions = await Promise.all(appends)
      const globalIndices = positions.flat().map((at) => at.find((p) => p.logId === GLOBAL_LOG)!.index)
      expect(new Set(globalIndices).size).toBe(pages * 1000)
      const logs = await store.ledgerLogs()
      expect(logs.find((l) => l.logId === GLOBAL_LOG)!.size).toBe(pages * 1000)
      for (let p = 0; p < 3; p++)
        expect(logs.find((l) => l.logId === partnerLogId(`partner-${p}`))!.size).toBe(50 * 1000)
      // one page's disclosures in order, where the writer said
      const b = 77
      const expected = encodeEntries(disclosureEntries(page(b, `partner-${b % 3}`, 1000)))
      for (const i of [0, 499, 999])
        for (const p of positions[b]![i]!)
          expect(await leafText(store, p.logId, p.index)).toBe(Buffer.from(expected[i]!).toString())
    }, 120_000)

    it('fails an append clearly when the worker cannot open the store', async () => {
      const writer = LedgerWriter.for(
        factory.name === 'sqlite' ? '/nonexistent-dir/\0/sluice.db' : 'postgres://nobody@127.0.0.1:1/none',
        tmpdir(),
        BUILT_WORKER,
      )!
      dispose = () => writer.close()
      await expect(writer.append(page(1, 'partner-a', 2))).rejects.toThrow(
        /^ledger writer: cannot open the store/,
      )
    })
  })
}
