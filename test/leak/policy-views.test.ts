/**
 * The gate decides from policy views kept at ingest and remembers decisions and SRO endpoints across requests
 * (src/disclosure/view-decisions.ts, candidates.ts). What it remembers must never outlive what it was derived
 * from: a newer endpoint version, a deleted endpoint, an agreement leaving its validity window between two
 * requests under the same compiled policy. And versions stored without a view are judged from their text,
 * to the same bytes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { prepareObjects } from '../../src/ingest/prepare.js'
import { TLP1_MARKING_IDS } from '../../src/policy/tlp.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StixObject } from '../../src/stix/object.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from '../taxii/fixtures.js'

const PARTNER = 'fictional-delta-customs'
const LATER = '2026-03-01T08:00:00.000Z'

function relationship(n: number, source: string, target: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'relationship',
    spec_version: '2.1',
    id: `relationship--${n.toString(16).padStart(8, '0')}-2222-4222-8222-222222222222`,
    created: '2026-01-05T08:00:00.000Z',
    modified: '2026-01-05T08:00:00.000Z',
    relationship_type: 'related-to',
    source_ref: source,
    target_ref: target,
    object_marking_refs: [TLP1_MARKING_IDS.green],
    ...extra,
  }
}

const green = { object_marking_refs: [TLP1_MARKING_IDS.green] }

describe('decisions and endpoints the gate remembers', () => {
  let t: TestNode
  let key: string
  let collection: string

  beforeEach(async () => {
    t = await startTestNode()
    const { policy, store } = t.node.services
    collection = (await createCollection(store, { apiRoot: 'intel', title: 'Fictional harbour watch' })).id
    await policy.addPartner({ id: PARTNER, name: 'Fictional Delta Customs', kind: 'customs' }, 'test')
    await policy.putAgreement({ partner: PARTNER, collections: [collection], maxTlp: 'green' }, 'test')
    key = (await createPrincipal(store, { name: 'delta reader', role: 'partner', partnerId: PARTNER })).apiKey
  })
  afterEach(async () => t?.stop())

  const ids = async (path = `/intel/collections/${collection}/objects/`) => {
    const res = await t.get(path, key)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { objects?: StixObject[] }
    return (body.objects ?? []).map((o) => o.id).sort()
  }

  it('withholds an SRO on the next request once its endpoint has a newer version the partner may not see', async () => {
    const a = indicator(1, undefined, green)
    const b = indicator(2, undefined, green)
    const r = relationship(3, a.id, b.id)
    expect((await t.post(`/intel/collections/${collection}/objects/`, { objects: [a, b, r] })).status).toBe(
      202,
    )
    expect(await ids()).toEqual([a.id, b.id, r.id].sort())

    const redB = indicator(2, LATER, { object_marking_refs: [TLP1_MARKING_IDS.red] })
    expect((await t.post(`/intel/collections/${collection}/objects/`, { objects: [redB] })).status).toBe(202)
    expect(await ids()).toEqual([a.id])
    const single = await t.get(`/intel/collections/${collection}/objects/${r.id}/`, key)
    expect(single.status).toBe(404)
  })

  it('reports every version its screen withholds to its observer (counted per reason in each batch)', async () => {
    // the red indicator is skipped in SQL (its TLP rank); the relationships to it reach the screen and are withheld
    const a = indicator(11, undefined, green)
    const b = indicator(12, undefined, { object_marking_refs: [TLP1_MARKING_IDS.red] })
    const objects = [a, b, ...[13, 14, 15].map((n) => relationship(n, a.id, b.id))]
    await t.post(`/intel/collections/${collection}/objects/`, { objects })
    const gate = t.node.services.policyGate
    const seen = new Map<string, number>()
    const disclosed: number[] = []
    gate.observer = {
      denied: (partner, reason, count) => {
        expect(partner).toBe(PARTNER)
        seen.set(reason, (seen.get(reason) ?? 0) + count)
      },
      disclosed: (_partner, count) => disclosed.push(count),
    }
    expect(await ids()).toEqual([objects[0]!.id])
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(3)
    expect(disclosed).toEqual([1])
  })

  it('withholds an SRO once its endpoint is deleted, and shows it again when the endpoint returns', async () => {
    const a = indicator(4, undefined, green)
    const b = indicator(5, undefined, green)
    const r = relationship(6, a.id, b.id)
    await t.post(`/intel/collections/${collection}/objects/`, { objects: [a, b, r] })
    expect(await ids()).toEqual([a.id, b.id, r.id].sort())

    const del = await fetch(`${t.url}/intel/collections/${collection}/objects/${b.id}/`, {
      method: 'DELETE',
      headers: { Accept: 'application/taxii+json;version=2.1', Authorization: `Bearer ${t.adminKey}` },
    })
    expect(del.status).toBe(200)
    expect(await ids()).toEqual([a.id])

    await t.post(`/intel/collections/${collection}/objects/`, { objects: [b] })
    expect(await ids()).toEqual([a.id, b.id, r.id].sort())
  })

  it('stops sharing when an agreement leaves its validity window, with no policy change between requests', async () => {
    const { policy } = t.node.services
    const other = (await createCollection(t.node.store, { apiRoot: 'intel', title: 'Fictional short term' }))
      .id
    // room for two agreements, a POST and a read before it ends, on a loaded PostgreSQL run too
    const until = new Date(Date.now() + 5000).toISOString()
    // one agreement keeps the collection listed but asks for a label the indicator lacks (no prefilter
    // reads labels, so only the decision can withhold it); the other allows it, and ends
    await policy.putAgreement(
      { partner: PARTNER, collections: [other], maxTlp: 'green', requiredLabels: ['fictional-label'] },
      'test',
    )
    await policy.putAgreement(
      { partner: PARTNER, collections: [other], types: ['indicator'], maxTlp: 'green', validUntil: until },
      'test',
    )
    const x = indicator(11, undefined, green)
    await t.post(`/intel/collections/${other}/objects/`, { objects: [x] })
    expect(await ids(`/intel/collections/${other}/objects/`)).toEqual([x.id])
    const version = await t.node.store.policyVersion()
    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 50))
    expect(await t.node.store.policyVersion()).toBe(version)
    expect(await ids(`/intel/collections/${other}/objects/`)).toEqual([])
  })

  it('serves versions stored without a policy view exactly as versions stored with one', async () => {
    const { store } = t.node.services
    const legacy = (await createCollection(store, { apiRoot: 'intel', title: 'Fictional old rows' })).id
    await t.node.services.policy.putAgreement(
      { partner: PARTNER, collections: [legacy], maxTlp: 'green', caveats: [] },
      'test',
    )
    const a = indicator(12, undefined, green)
    const b = indicator(13, undefined, { object_marking_refs: [TLP1_MARKING_IDS.red] })
    const c = indicator(14, undefined, {
      ...green,
      granular_markings: [{ marking_ref: TLP1_MARKING_IDS.red, selectors: ['name'] }],
    })
    const r = relationship(15, a.id, c.id)
    const hidden = relationship(16, a.id, b.id)
    const objects = [a, b, c, r, hidden]
    await t.post(`/intel/collections/${collection}/objects/`, { objects })
    const prepared = await prepareObjects(objects)
    expect(prepared.rejected).toEqual([])
    // as rows written before views existed: no view, no endpoint refs
    await store.putObjects(
      legacy,
      prepared.accepted.map(({ policyView: _, ...rest }) => rest),
    )
    const body = async (id: string) =>
      ((await (await t.get(`/intel/collections/${id}/objects/`, key)).json()) as { objects: StixObject[] })
        .objects
    const withViews = await body(collection)
    const withoutViews = await body(legacy)
    expect(withViews.map((o) => o.id).sort()).toEqual([a.id, c.id, r.id].sort())
    expect(JSON.stringify(withoutViews)).toBe(JSON.stringify(withViews))
    expect(withViews.find((o) => o.id === c.id)?.name).toBeUndefined()
  })
})
