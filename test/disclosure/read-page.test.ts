import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GateSession, Served } from '../../src/disclosure/gate.js'
import { readPage } from '../../src/disclosure/read-page.js'
import { PartnerViewDecisions, ViewDecisions } from '../../src/disclosure/view-decisions.js'
import type { CompiledPolicy } from '../../src/policy/compile.js'
import type { ObjectQuery, Store, StoredVersion } from '../../src/store/types.js'

const version = (seq: number): StoredVersion => ({
  seq,
  collectionId: 'c1',
  id: `indicator--00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  type: 'indicator',
  version: undefined,
  specVersion: '2.1',
  dateAdded: '2026-12-02T00:00:00.000000Z',
  json: `{"n":${seq}}`,
  gate: undefined,
})

/** A store of `count` versions in seq order that notes the limit of every query. */
function fakeStore(count: number) {
  const items = Array.from({ length: count }, (_, i) => version(i + 1))
  const limits: number[] = []
  const store = {
    async queryObjects(q: ObjectQuery) {
      limits.push(q.limit)
      const after = items.filter((v) => v.seq > (q.afterSeq ?? 0))
      return { items: after.slice(0, q.limit), exhausted: after.length <= q.limit }
    },
  } as unknown as Store
  return { store, limits }
}

function fakeSession(visible: (seq: number) => boolean, share: number | undefined): GateSession {
  return {
    viewer: { principalId: 'p', role: 'partner', partnerId: 'p', requestId: 'r' },
    instant: '2026-12-02T00:00:00Z',
    collectionAccess: () => ({ visible: true, canRead: true, canWrite: false }),
    async screen(items: StoredVersion[]) {
      return items.map((stored): Served | undefined =>
        visible(stored.seq) ? { stored, json: stored.json } : undefined,
      )
    },
    async record() {},
    ...(share === undefined ? {} : { servedShare: () => share }),
  }
}

describe('readPage', () => {
  it('serves the first visible versions in order, whatever the first batch is sized by (property)', () => {
    return fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 7 }),
        fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: undefined }),
        async (count, limit, every, share) => {
          const visible = (seq: number) => seq % every !== 0
          const { store } = fakeStore(count)
          const page = await readPage(store, fakeSession(visible, share), { collectionId: 'c1', limit })
          const expected = Array.from({ length: count }, (_, i) => i + 1).filter(visible)
          expect(page.served.map((s) => s.stored.seq)).toEqual(expected.slice(0, limit))
          expect(page.more).toBe(expected.length > limit)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('sizes the first batch by the share lately served, so the page fills from one query', async () => {
    const visible = (seq: number) => seq % 10 !== 0 // 90 % served
    const plain = fakeStore(5000)
    await readPage(plain.store, fakeSession(visible, undefined), { collectionId: 'c1', limit: 1000 })
    expect(plain.limits[0]).toBe(1001)
    expect(plain.limits.length).toBeGreaterThan(1)
    const hinted = fakeStore(5000)
    await readPage(hinted.store, fakeSession(visible, 0.9), { collectionId: 'c1', limit: 1000 })
    expect(hinted.limits).toEqual([Math.ceil((1001 / 0.9) * 1.03)])
    // however little was served, the first batch stays bounded
    const sparse = fakeStore(5000)
    await readPage(sparse.store, fakeSession(visible, 0.001), { collectionId: 'c1', limit: 1000 })
    expect(sparse.limits[0]).toBe(Math.ceil(1001 * 4 * 1.03))
  })

  it('sizes a further batch by the share this page was served so far', async () => {
    const visible = (seq: number) => seq % 4 !== 0 // 75 % served
    const { store, limits } = fakeStore(5000)
    const page = await readPage(store, fakeSession(visible, undefined), { collectionId: 'c1', limit: 1000 })
    expect(page.served).toHaveLength(1000)
    // 1,001 rows serve 751; the 250 missing at 75 % are 334 rows, with the margin 344
    expect(limits).toEqual([1001, Math.ceil((250 / (751 / 1001)) * 1.03)])
  })

  it('grows the batches through a long withheld run, so it costs few queries', async () => {
    const { store, limits } = fakeStore(40_000)
    const page = await readPage(
      store,
      fakeSession((seq) => seq <= 10, undefined),
      { collectionId: 'c1', limit: 20 },
    )
    expect(page.served).toHaveLength(10)
    expect(page.more).toBe(false)
    // doubling from 21 rows to 5,000, then 5,000 at a time: 14 queries where batches of 64 would take 625
    expect(limits.length).toBeLessThanOrEqual(16)
    expect(Math.max(...limits)).toBe(5000)
  })
})

describe('ViewDecisions.forPartner', () => {
  it("shares what was served across a partner's requests in one decision window", () => {
    const policy = {
      at: 0,
      staleAt: Number.POSITIVE_INFINITY,
      partners: new Map(),
    } as unknown as CompiledPolicy
    const decisions = new ViewDecisions()
    const first = decisions.forPartner(policy, 'p', '2026-12-02T00:00:00Z')
    first.tally(
      Array.from({ length: 100 }, () => ({ collectionId: 'c1' })),
      Array.from({ length: 100 }, (_, i) => i < 60),
    )
    expect(decisions.forPartner(policy, 'p', '2026-12-02T00:00:01Z').servedShare('c1')).toBeCloseTo(0.6)
    expect(decisions.forPartner(policy, 'q', '2026-12-02T00:00:01Z').servedShare('c1')).toBe(1)
    // a new compiled policy (any change) starts afresh
    const changed = { ...policy } as CompiledPolicy
    expect(decisions.forPartner(changed, 'p', '2026-12-02T00:00:01Z').servedShare('c1')).toBe(1)
  })
})

describe('PartnerViewDecisions.servedShare', () => {
  it('follows what was screened and served, older batches weighing less', () => {
    const d = new PartnerViewDecisions({} as CompiledPolicy, 'p', '2026-12-02T00:00:00Z', new Map())
    expect(d.servedShare('c1')).toBe(1)
    const batch = (collectionId: string, n: number, served: number) => ({
      items: Array.from({ length: n }, () => ({ collectionId })),
      served: Array.from({ length: n }, (_, i) => i < served),
    })
    const tally = (b: ReturnType<typeof batch>) => d.tally(b.items, b.served)
    tally(batch('c1', 1000, 900))
    expect(d.servedShare('c1')).toBeCloseTo(0.9)
    expect(d.servedShare('c2')).toBe(1)
    for (let i = 0; i < 100; i++) tally(batch('c1', 1000, 500))
    expect(d.servedShare('c1')).toBeCloseTo(0.5, 2)
    // a mixed batch (a search) counts each collection's run apart
    const mixed = [batch('c2', 10, 10), batch('c3', 10, 0)]
    d.tally(
      mixed.flatMap((b) => b.items),
      mixed.flatMap((b) => b.served),
    )
    expect(d.servedShare('c2')).toBe(1)
    expect(d.servedShare('c3')).toBe(0)
  })
})
