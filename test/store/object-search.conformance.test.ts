import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IncomingObject, ObjectSearch, Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'

const COLLECTION = '0b5e7a3c-6f4e-4d3a-9a57-1c2b3d4e5f60'
const OTHER = '7d1c9e2a-3b4f-4a6d-8e0f-9a8b7c6d5e4f'
const AMBER = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'
const GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'
const TYPES = ['indicator', 'malware', 'report'] as const

interface Spec {
  n: number
  type: (typeof TYPES)[number]
  name: string
  labels?: string[]
  markings?: string[]
  modified?: string
}

function object(spec: Spec): IncomingObject {
  const id = `${spec.type}--${String(spec.n).padStart(8, '0')}-0000-4000-8000-000000000000`
  const modified = spec.modified ?? '2026-01-05T08:00:00.000Z'
  const body = {
    type: spec.type,
    spec_version: '2.1',
    id,
    created: '2026-01-05T08:00:00.000Z',
    modified,
    name: spec.name,
    ...(spec.labels ? { labels: spec.labels } : {}),
    ...(spec.markings ? { object_marking_refs: spec.markings } : {}),
  }
  return {
    id,
    type: spec.type,
    modified,
    created: body.created,
    specVersion: '2.1',
    json: JSON.stringify(body),
  }
}

/** 120 objects with a spread of types, labels, markings and names; every tenth gets a second version. */
function corpus(): Spec[] {
  return Array.from({ length: 120 }, (_, n) => ({
    n,
    type: TYPES[n % 3]!,
    name: n % 7 === 0 ? `Heron Ledger ${n}` : n % 11 === 0 ? `50%_off ${n}` : `plain ${n}`,
    ...(n % 4 === 0 ? { labels: ['smuggling', `l${n % 5}`] } : n % 4 === 1 ? { labels: ['fishing'] } : {}),
    ...(n % 5 === 0 ? { markings: [AMBER] } : n % 5 === 1 ? { markings: [GREEN] } : {}),
  }))
}

/** Everything a search should find, by brute force over what was stored last. */
function expected(specs: Spec[], q: Omit<ObjectSearch, 'collectionId' | 'limit' | 'scanLimit'>): string[] {
  return specs
    .filter((s) => !q.types || q.types.includes(s.type))
    .filter((s) => q.label === undefined || (s.labels ?? []).includes(q.label))
    .filter((s) => q.markings === undefined || (s.markings ?? []).some((m) => q.markings!.includes(m)))
    .filter((s) => {
      const json = object(s).json.replace(/[A-Z]/g, (c) => c.toLowerCase())
      return (q.text ?? []).every((t) => json.includes(t.replace(/[A-Z]/g, (c) => c.toLowerCase())))
    })
    .map((s) => object(s).id)
}

describe.each(STORES)('$name store: searchObjects', (factory) => {
  let store: Store
  let dispose: () => Promise<void>
  let specs: Spec[]

  beforeEach(async () => {
    const opened = await factory.open()
    store = opened.store
    dispose = opened.dispose
    await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
    for (const [id, title] of [
      [COLLECTION, 'Search'],
      [OTHER, 'Other'],
    ] as const)
      await store.createCollection({
        id,
        apiRoot: 'intel',
        title,
        mediaTypes: ['application/stix+json;version=2.1'],
      })
    specs = corpus()
    await store.putObjects(COLLECTION, specs.map(object))
    // newer versions: only these may be found for their ids (the old name no longer matches)
    const renamed = specs
      .filter((s) => s.n % 10 === 0)
      .map((s) => ({ ...s, name: `renamed ${s.n}`, modified: '2026-02-01T00:00:00.000Z' }))
    await store.putObjects(COLLECTION, renamed.map(object))
    for (const r of renamed) specs[r.n] = r
    // the same names in another collection never leak into this one's results
    await store.putObjects(OTHER, specs.slice(0, 30).map(object))
  })

  afterEach(async () => {
    await dispose()
  })

  /** Follows lastSeq until exhausted; checks the cost bound on every call. */
  async function all(q: Omit<ObjectSearch, 'collectionId'>): Promise<{ ids: string[]; calls: number }> {
    const ids: string[] = []
    let afterSeq: number | undefined
    let calls = 0
    for (;;) {
      const batch = await store.searchObjects({
        ...q,
        collectionId: COLLECTION,
        ...(afterSeq !== undefined ? { afterSeq } : {}),
      })
      calls++
      expect(batch.items.length).toBeLessThanOrEqual(q.limit)
      expect(batch.scanned).toBeLessThanOrEqual(q.scanLimit)
      for (const item of batch.items) {
        expect(item.collectionId).toBe(COLLECTION)
        if (afterSeq !== undefined) expect(item.seq).toBeGreaterThan(afterSeq)
      }
      ids.push(...batch.items.map((i) => i.id))
      if (batch.exhausted) return { ids, calls }
      expect(batch.lastSeq).toBeDefined()
      afterSeq = batch.lastSeq
      if (calls > 1000) throw new Error('search does not advance')
    }
  }

  const sorted = (ids: string[]) => [...ids].sort()

  it.each([
    ['type', { types: ['malware'] }],
    ['two types', { types: ['malware', 'report'] }],
    ['label', { label: 'smuggling' }],
    ['label and type', { label: 'fishing', types: ['indicator'] }],
    ['marking', { markings: [AMBER] }],
    ['any of two markings', { markings: [AMBER, GREEN] }],
    ['no marking at all', { markings: [] }],
    ['text, any case', { text: ['hERON'] }],
    ['text with LIKE wildcards taken literally', { text: ['50%_'] }],
    ['text no version has any more', { text: ['Heron Ledger 70'] }],
    ['text and label and marking', { text: ['ledger'], label: 'smuggling', markings: [AMBER] }],
    ['every text part', { text: ['renamed', '"malware"'] }],
    ['nothing', {}],
  ] as const)('finds exactly what matches: %s', async (_name, filters) => {
    const q = filters as Omit<ObjectSearch, 'collectionId' | 'limit' | 'scanLimit'>
    const want = sorted(expected(specs, q))
    for (const [limit, scanLimit] of [
      [500, 1000],
      [7, 1000],
      [7, 13],
      [1, 1],
    ] as const) {
      const { ids } = await all({ ...q, limit, scanLimit })
      expect(sorted(ids), `limit ${limit}, scanLimit ${scanLimit}`).toEqual(want)
      expect(new Set(ids).size).toBe(ids.length)
    }
  })

  it('examines at most scanLimit versions per call, and reports where to go on', async () => {
    const first = await store.searchObjects({
      collectionId: COLLECTION,
      text: ['no such text anywhere'],
      limit: 50,
      scanLimit: 40,
      withTotal: true,
    })
    expect(first).toMatchObject({ items: [], scanned: 40, exhausted: false, total: 120 })
    const rest = await store.searchObjects({
      collectionId: COLLECTION,
      text: ['no such text anywhere'],
      afterSeq: first.lastSeq!,
      limit: 50,
      scanLimit: 1000,
    })
    expect(rest).toMatchObject({ items: [], scanned: 80, exhausted: true })
    expect(rest.total).toBeUndefined()
  })

  it('counts what the indexed filters match for "searched N of M"', async () => {
    const page = await store.searchObjects({
      collectionId: COLLECTION,
      types: ['report'],
      label: 'smuggling',
      limit: 5,
      scanLimit: 1000,
      withTotal: true,
    })
    expect(page.total).toBe(40)
    expect(page.items).toHaveLength(5)
    expect(page.exhausted).toBe(false)
    // scanned counts the versions up to the last match, not the whole window
    const reports = await store.queryObjects({ collectionId: COLLECTION, types: ['report'], limit: 1000 })
    expect(page.scanned).toBe(reports.items.filter((r) => r.seq <= page.items.at(-1)!.seq).length)
    expect(page.lastSeq).toBe(page.items.at(-1)!.seq)
  })

  it('an empty collection is exhausted at once', async () => {
    await store.createCollection({
      id: '11111111-2222-4333-8444-555555555555',
      apiRoot: 'intel',
      title: 'Empty',
      mediaTypes: ['application/stix+json;version=2.1'],
    })
    const page = await store.searchObjects({
      collectionId: '11111111-2222-4333-8444-555555555555',
      text: ['x'],
      limit: 10,
      scanLimit: 10,
      withTotal: true,
    })
    expect(page).toEqual({ items: [], scanned: 0, exhausted: true, total: 0 })
  })
})
