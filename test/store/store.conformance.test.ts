import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IncomingObject, Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'
import { storedIndicator as indicator } from './fixtures/objects.js'

const COLLECTION = '91a7b528-80eb-42ed-a74d-c6fbd5a26116'
const OTHER = '52892447-4d7e-4f70-b94d-d7f22742ff63'

function sco(value: string): IncomingObject {
  const id = `ipv4-addr--${'0'.repeat(8)}-0000-4000-8000-${value.replace(/\D/g, '').padStart(12, '0').slice(-12)}`
  return { id, type: 'ipv4-addr', specVersion: '2.1', json: JSON.stringify({ type: 'ipv4-addr', id, value }) }
}

describe.each(STORES)('$name store', (factory) => {
  let store: Store
  let dispose: () => Promise<void>

  beforeEach(async () => {
    const opened = await factory.open()
    store = opened.store
    dispose = opened.dispose
    await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
    await store.createCollection({
      id: COLLECTION,
      apiRoot: 'intel',
      title: 'Routes',
      alias: 'routes',
      mediaTypes: ['application/stix+json;version=2.1'],
    })
    await store.createCollection({
      id: OTHER,
      apiRoot: 'intel',
      title: 'Other',
      mediaTypes: ['application/stix+json;version=2.1'],
    })
  })
  afterEach(async () => dispose())

  it('finds a collection by id or alias, only in its API root', async () => {
    expect((await store.getCollection('intel', 'routes'))?.id).toBe(COLLECTION)
    expect((await store.getCollection('intel', COLLECTION))?.alias).toBe('routes')
    expect(await store.getCollection('elsewhere', COLLECTION)).toBeUndefined()
    expect((await store.listCollections('intel')).map((c) => c.id).sort()).toEqual([COLLECTION, OTHER].sort())
  })

  it('adds a version once; an identical re-post changes nothing; a different body for the same version conflicts', async () => {
    const first = await store.putObjects(COLLECTION, [indicator(1)])
    expect(first[0]!.result).toBe('added')
    const again = await store.putObjects(COLLECTION, [indicator(1)])
    expect(again[0]!.result).toBe('unchanged')
    const clash = await store.putObjects(COLLECTION, [indicator(1, undefined, { name: 'changed' })])
    expect(clash[0]!.result).toBe('conflict')
    expect(await store.countObjects(COLLECTION)).toBe(1)
  })

  it('takes a re-post of the same content with its members in another order as unchanged', async () => {
    const first = indicator(1, undefined, { name: 'Fictional route', labels: ['maritime', 'fuel'] })
    await store.putObjects(COLLECTION, [first])
    const members = Object.entries(JSON.parse(first.json) as Record<string, unknown>).reverse()
    const reordered = { ...first, json: JSON.stringify(Object.fromEntries(members)) }
    expect(reordered.json).not.toBe(first.json)
    // twice in one batch too: the second is checked against the first, not yet stored
    const again = await store.putObjects(COLLECTION, [reordered, reordered])
    expect(again.map((o) => o.result)).toEqual(['unchanged', 'unchanged'])
    // the text served stays the one stored first; an array in another order is other content
    const { items } = await store.queryObjects({ collectionId: COLLECTION, limit: 10 })
    expect(items.map((i) => i.json)).toEqual([first.json])
    const labels = indicator(1, undefined, { name: 'Fictional route', labels: ['fuel', 'maritime'] })
    expect((await store.putObjects(COLLECTION, [labels]))[0]!.result).toBe('conflict')
  })

  it('treats timestamps of different precision as the same version', async () => {
    await store.putObjects(COLLECTION, [indicator(1, '2026-01-05T08:00:00Z')])
    const same = await store.putObjects(COLLECTION, [indicator(1, '2026-01-05T08:00:00.000Z')])
    expect(same[0]!.result).toBe('conflict') // same version, different bytes
  })

  it('keeps one version of an object without modified', async () => {
    expect((await store.putObjects(COLLECTION, [sco('198.51.100.7')]))[0]!.result).toBe('added')
    expect((await store.putObjects(COLLECTION, [sco('198.51.100.7')]))[0]!.result).toBe('unchanged')
  })

  it('selects first, last, all and a given version, also when an older version arrives later', async () => {
    await store.putObjects(COLLECTION, [indicator(1, '2026-02-01T00:00:00.000Z')])
    await store.putObjects(COLLECTION, [indicator(1, '2026-03-01T00:00:00.000Z')])
    await store.putObjects(COLLECTION, [indicator(1, '2026-01-01T00:00:00.000Z')])
    const pick = async (versions: Parameters<Store['queryObjects']>[0]['versions']) =>
      (
        await store.queryObjects({ collectionId: COLLECTION, limit: 10, ...(versions ? { versions } : {}) })
      ).items.map((i) => i.version)
    expect(await pick(undefined)).toEqual(['2026-03-01T00:00:00.000Z'])
    expect(await pick([{ kind: 'first' }])).toEqual(['2026-01-01T00:00:00.000Z'])
    expect(await pick([{ kind: 'all' }])).toHaveLength(3)
    expect(await pick([{ kind: 'at', timestamp: '2026-02-01T00:00:00Z' }])).toEqual([
      '2026-02-01T00:00:00.000Z',
    ])
    expect(await pick([{ kind: 'first' }, { kind: 'last' }])).toHaveLength(2)
  })

  it('names a version without modified by its created, else by its date_added, in any precision', async () => {
    const id = 'marking-definition--0b1fa9d7-6b1f-4c3e-9d2a-7f6e5d4c3b2a'
    const marking: IncomingObject = {
      id,
      type: 'marking-definition',
      created: '2026-04-01T00:00:00.120Z',
      specVersion: '2.1',
      json: JSON.stringify({ type: 'marking-definition', id, created: '2026-04-01T00:00:00.120Z' }),
    }
    await store.putObjects(COLLECTION, [marking, sco('198.51.100.9')])
    const at = async (timestamp: string) =>
      (
        await store.queryObjects({
          collectionId: COLLECTION,
          limit: 10,
          versions: [{ kind: 'at', timestamp }],
        })
      ).items.map((i) => i.id)
    for (const spelling of [
      '2026-04-01T00:00:00.12Z',
      '2026-04-01T00:00:00.120Z',
      '2026-04-01T00:00:00.120000000Z',
    ])
      expect(await at(spelling), spelling).toEqual([id])
    expect(await at('2026-04-01T00:00:00Z')).toEqual([])
    const [stored] = (await store.queryObjects({ collectionId: COLLECTION, limit: 10, types: ['ipv4-addr'] }))
      .items
    expect(await at(stored!.dateAdded)).toEqual([stored!.id])
  })

  it('filters by id, type and spec_version, and keeps collections apart', async () => {
    await store.putObjects(COLLECTION, [indicator(1), indicator(2), sco('192.0.2.1')])
    await store.putObjects(OTHER, [indicator(3)])
    const ids = (q: Partial<Parameters<Store['queryObjects']>[0]>) =>
      store.queryObjects({ collectionId: COLLECTION, limit: 10, ...q }).then((b) => b.items.map((i) => i.id))
    expect(await ids({ types: ['ipv4-addr'] })).toHaveLength(1)
    expect(await ids({ ids: [indicator(2).id] })).toEqual([indicator(2).id])
    expect(await ids({ specVersions: ['2.0'] })).toEqual([])
    expect(await ids({})).not.toContain(indicator(3).id)
  })

  it('screens by stored TLP rank: unknown ranks always pass, unmarked ones only when asked', async () => {
    const ranks = [null, undefined, -1, 0, 1, 2, 3, 4]
    await store.putObjects(
      COLLECTION,
      ranks.map((tlpRank, n) => ({ ...indicator(n + 1), ...(tlpRank !== undefined ? { tlpRank } : {}) })),
    )
    const passing = async (maxTlpRank: number, unmarked: boolean) =>
      (
        await store.queryObjects({ collectionId: COLLECTION, limit: 20, tlpScreen: { maxTlpRank, unmarked } })
      ).items
        .map((i) => ranks[Number(i.id.slice(11, 19)) - 1])
        .map(String)
    expect(await passing(1, true)).toEqual(['null', 'undefined', '-1', '0', '1'])
    expect(await passing(1, false)).toEqual(['null', 'undefined', '0', '1'])
    expect(await passing(4, false)).toEqual(['null', 'undefined', '0', '1', '2', '3', '4'])
    expect(await passing(0, true)).toEqual(['null', 'undefined', '-1', '0'])
  })

  it('assigns unique, increasing date_added and answers added_after strictly', async () => {
    const outcomes = await store.putObjects(
      COLLECTION,
      Array.from({ length: 50 }, (_, i) => indicator(i)),
    )
    const added = outcomes.map((o) => (o.result === 'added' ? o.dateAdded : ''))
    expect(new Set(added).size).toBe(50)
    expect([...added].sort()).toEqual(added)
    const after = await store.queryObjects({ collectionId: COLLECTION, addedAfter: added[24]!, limit: 100 })
    expect(after.items.map((i) => i.dateAdded)).toEqual(added.slice(25))
  })

  it('reports whether more versions follow a batch', async () => {
    await store.putObjects(
      COLLECTION,
      Array.from({ length: 5 }, (_, i) => indicator(i)),
    )
    expect((await store.queryObjects({ collectionId: COLLECTION, limit: 5 })).exhausted).toBe(true)
    expect((await store.queryObjects({ collectionId: COLLECTION, limit: 4 })).exhausted).toBe(false)
  })

  it('never skips or repeats a version for a reader paging while writers commit', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (writes, pageSize) => {
          const target = `paging-${run++}`
          await store.createCollection({ id: target, apiRoot: 'intel', title: 't', mediaTypes: [] })
          const seen: string[] = []
          const written: string[] = []
          let afterSeq: number | undefined
          let n = 0
          for (const count of writes) {
            const batch = Array.from({ length: count }, () => indicator(n++))
            await store.putObjects(target, batch)
            written.push(...batch.map((b) => b.id))
            const page = await store.queryObjects({
              collectionId: target,
              limit: pageSize,
              ...(afterSeq !== undefined ? { afterSeq } : {}),
            })
            seen.push(...page.items.map((i) => i.id))
            afterSeq = page.items.at(-1)?.seq ?? afterSeq
          }
          for (;;) {
            const page = await store.queryObjects({
              collectionId: target,
              limit: pageSize,
              ...(afterSeq !== undefined ? { afterSeq } : {}),
            })
            if (page.items.length === 0) break
            seen.push(...page.items.map((i) => i.id))
            afterSeq = page.items.at(-1)!.seq
          }
          expect(seen).toEqual(written)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('deletes chosen versions and moves first/last to the survivors', async () => {
    await store.putObjects(COLLECTION, [
      indicator(1, '2026-01-01T00:00:00.000Z'),
      indicator(1, '2026-02-01T00:00:00.000Z'),
    ])
    expect(await store.deleteObject(COLLECTION, indicator(1).id, [{ kind: 'last' }])).toBe(1)
    const last = await store.queryObjects({ collectionId: COLLECTION, limit: 10 })
    expect(last.items.map((i) => i.version)).toEqual(['2026-01-01T00:00:00.000Z'])
    expect(await store.deleteObject(COLLECTION, indicator(1).id)).toBe(1)
    expect(await store.deleteObject(COLLECTION, indicator(1).id)).toBe(0)
  })

  it('bumps the policy version when a marking-definition is deleted, not for other objects', async () => {
    const id = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'
    const created = '2026-01-05T08:00:00.000Z'
    const definition = {
      type: 'marking-definition',
      spec_version: '2.1',
      id,
      created,
      name: 'H3 (fictional)',
    }
    await store.putObjects(COLLECTION, [
      { id, type: 'marking-definition', created, specVersion: '2.1', json: JSON.stringify(definition) },
      indicator(1),
    ])
    const before = await store.policyVersion()
    expect(await store.deleteObject(COLLECTION, indicator(1).id)).toBe(1)
    expect(await store.policyVersion()).toBe(before)
    expect(await store.deleteObject(COLLECTION, id)).toBe(1)
    expect(await store.policyVersion()).toBeGreaterThan(before)
    expect(await store.listMarkingDefinitions()).toEqual([])
  })

  it('finds the newest version of ids across collections', async () => {
    await store.putObjects(COLLECTION, [
      indicator(1, '2026-01-01T00:00:00.000Z'),
      indicator(1, '2026-02-01T00:00:00.000Z'),
    ])
    const latest = await store.latestVersions([indicator(1).id, 'indicator--missing'])
    expect(latest.map((l) => l.version)).toEqual(['2026-02-01T00:00:00.000Z'])
  })

  it('keeps each distinct policy view once and hands its id back with gate facts', async () => {
    const view = (marking: string) => JSON.stringify({ type: 'indicator', object_marking_refs: [marking] })
    const a = view('marking-definition--a')
    const b = view('marking-definition--b')
    await store.putObjects(COLLECTION, [
      { ...indicator(1), policyView: { view: a }, createdBy: 'identity--fictional-harbour-watch' },
      { ...indicator(2), policyView: { view: a }, createdBy: '' },
      { ...indicator(3), policyView: { view: b } },
      indicator(4), // stored without a view: the gate judges its text
      { ...sco('198.51.100.7'), policyView: { view: JSON.stringify({ type: 'ipv4-addr' }) } },
    ])
    const plain = await store.queryObjects({ collectionId: COLLECTION, limit: 10 })
    expect(plain.items.every((i) => i.gate === undefined)).toBe(true)
    const { items } = await store.queryObjects({ collectionId: COLLECTION, limit: 10, gateFacts: true })
    const ids = items.map((i) => i.gate!.viewId)
    expect(ids[0]).toBe(ids[1])
    expect(ids[2]).not.toBe(ids[0])
    expect(ids[3]).toBeNull()
    expect(items.map((i) => i.gate!.modified)).toEqual([
      '2026-01-05T08:00:00.000Z',
      '2026-01-05T08:00:00.000Z',
      '2026-01-05T08:00:00.000Z',
      '2026-01-05T08:00:00.000Z',
      null,
    ])
    // the creator as recorded at ingest: '' for none, null where it was not recorded
    expect(items.map((i) => i.gate!.createdBy)).toEqual([
      'identity--fictional-harbour-watch',
      '',
      null,
      null,
      null,
    ])
    const texts = await store.policyViews([ids[0]!, ids[2]!, 12345])
    expect(texts.get(ids[0]!)).toBe(a)
    expect(texts.get(ids[2]!)).toBe(b)
    expect(texts.has(12345)).toBe(false)

    // the prefilter skips the listed views and keeps versions without one
    const skipped = await store.queryObjects({
      collectionId: COLLECTION,
      limit: 10,
      withoutViews: [ids[0]!],
    })
    expect(skipped.items.map((i) => i.id)).toEqual([indicator(3).id, indicator(4).id, items[4]!.id])
  })

  it('answers SRO endpoints with gate facts, and the text only where no view is stored', async () => {
    const rel = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--00000000-0000-4000-8000-000000000001',
      created: '2026-01-05T08:00:00.000Z',
      modified: '2026-01-05T08:00:00.000Z',
      relationship_type: 'indicates',
      source_ref: indicator(1).id,
      target_ref: indicator(2).id,
    }
    await store.putObjects(COLLECTION, [
      { ...indicator(1, '2026-01-01T00:00:00.000Z'), policyView: { view: '{"type":"indicator"}' } },
      { ...indicator(1, '2026-02-01T00:00:00.000Z'), policyView: { view: '{"type":"indicator"}' } },
      {
        id: rel.id,
        type: rel.type,
        modified: rel.modified,
        created: rel.created,
        specVersion: '2.1',
        json: JSON.stringify(rel),
        policyView: { view: '{"type":"relationship"}', endpointRefs: [rel.source_ref, rel.target_ref] },
      },
    ])
    await store.putObjects(OTHER, [indicator(2)])
    const found = await store.latestEndpointVersions([indicator(1).id, indicator(2).id, rel.id, 'x--missing'])
    expect(found.map((f) => [f.id, f.collectionId, f.json !== undefined])).toEqual([
      [indicator(1).id, COLLECTION, false],
      [rel.id, COLLECTION, false],
      [indicator(2).id, OTHER, true],
    ])
    expect(found[0]!.gate.modified).toBe('2026-02-01T00:00:00.000Z')
    expect(found[1]!.gate.endpointRefs).toEqual([rel.source_ref, rel.target_ref])
    expect(found[2]!.json).toBe(indicator(2).json)
    expect(await store.latestEndpointVersions([])).toEqual([])
  })

  it('changes objectsVersion on every add and delete, and on nothing else', async () => {
    const v0 = await store.objectsVersion()
    await store.putObjects(COLLECTION, [indicator(1)])
    const v1 = await store.objectsVersion()
    expect(v1).not.toBe(v0)
    await store.putObjects(COLLECTION, [indicator(1)]) // unchanged
    await store.putState('x', '1')
    expect(await store.objectsVersion()).toBe(v1)
    expect(await store.deleteObject(COLLECTION, indicator(9).id)).toBe(0)
    expect(await store.objectsVersion()).toBe(v1)
    await store.deleteObject(COLLECTION, indicator(1).id)
    expect(await store.objectsVersion()).not.toBe(v1)
  })

  it('keeps named state documents: one or several at once, the last of a name winning', async () => {
    await store.putState('federation/a', '1')
    await store.putStates([
      { name: 'federation/b', value: '2' },
      { name: 'federation/a', value: '3' },
      { name: 'federation/b', value: '4' },
      { name: 'other/c', value: '5' },
    ])
    await store.putStates([])
    expect(await store.listState('federation/')).toEqual([
      { name: 'federation/a', value: '3' },
      { name: 'federation/b', value: '4' },
    ])
    expect(await store.getState('other/c')).toBe('5')
    await store.deleteState('federation/a')
    expect(await store.getState('federation/a')).toBeUndefined()
  })

  it('stores principals, keys, grants and statuses', async () => {
    const now = '2026-01-05T08:00:00.000Z'
    await store.createPrincipal(
      { id: 'p1', name: 'Isles Coast Guard', role: 'partner', partnerId: 'isles', createdAt: now },
      { keyId: 'k1', principalId: 'p1', secretHash: Buffer.alloc(32, 7), createdAt: now },
    )
    expect((await store.getApiKey('k1'))?.secretHash.equals(Buffer.alloc(32, 7))).toBe(true)
    expect((await store.getPrincipal('p1'))?.partnerId).toBe('isles')
    await store.setGrant({ principalId: 'p1', collectionId: COLLECTION, canRead: true, canWrite: false })
    await store.setGrant({ principalId: 'p1', collectionId: COLLECTION, canRead: true, canWrite: true })
    expect(await store.listGrants('p1')).toEqual([
      { principalId: 'p1', collectionId: COLLECTION, canRead: true, canWrite: true },
    ])
    expect(await store.revokePrincipal('p1', now)).toBe(true)
    expect((await store.getApiKey('k1'))?.revokedAt).toBe(now)
    expect(await store.revokePrincipal('p1', now)).toBe(false)
    const status = {
      id: 's1',
      apiRoot: 'intel',
      principalId: 'p1',
      requestTimestamp: now,
      status: 'complete' as const,
      successes: [{ id: 'x' }],
      failures: [],
      pendings: [],
    }
    await store.putStatus(status)
    expect(await store.getStatus('intel', 's1')).toEqual(status)
    expect(await store.getStatus('other', 's1')).toBeUndefined()
  })

  it('keeps a node secret stable across calls', async () => {
    const a = await store.secret('cursor')
    expect(a).toHaveLength(32)
    expect((await store.secret('cursor')).equals(a)).toBe(true)
    expect((await store.secret('other')).equals(a)).toBe(false)
  })
})
