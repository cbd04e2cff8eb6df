/**
 * A write grant lets a partner contribute its own objects. It must not let the partner add versions of the
 * node's objects (or another partner's): a newer version is what every reader is then served, and one marked
 * TLP:RED hid the node's own object from every partner. Nor may the answer tell the partner which of the
 * objects it names were here already, some of which it may not see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TLP2_MARKING_IDS, TLP2_MARKINGS } from '../../src/policy/tlp.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

const T1 = '2026-03-01T00:00:00.000Z'
let t: TestNode
let collectionId: string
const keys: Record<string, string> = {}
const own = indicator(8001, undefined, { object_marking_refs: [TLP2_MARKING_IDS.green] })
const hidden = indicator(8002, undefined, { object_marking_refs: [TLP2_MARKING_IDS.red] })

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  collectionId = (await createCollection(store, { apiRoot: 'intel', title: 'Harbour inbox (fictional)' })).id
  await t.post(`/intel/collections/${collectionId}/objects/`, {
    objects: [TLP2_MARKINGS.green, TLP2_MARKINGS.red, own, hidden],
  })
  for (const partner of ['gulf-police', 'bay-customs']) {
    await policy.addPartner({ id: partner, name: `${partner} (fictional)` }, 'test')
    await policy.putAgreement({ partner, collections: [collectionId], maxTlp: 'green' }, 'test')
    const { principal, apiKey } = await createPrincipal(store, {
      name: partner,
      role: 'partner',
      partnerId: partner,
    })
    await store.setGrant({ principalId: principal.id, collectionId, canRead: true, canWrite: true })
    keys[partner] = apiKey
  }
})
afterAll(async () => t?.stop())

type Status = {
  successes?: { id: string; message?: string }[]
  failures?: { id: string; message?: string }[]
}

async function push(partner: string, objects: unknown[]): Promise<Status> {
  const res = await t.post(`/intel/collections/${collectionId}/objects/`, { objects }, keys[partner])
  expect(res.status).toBe(202)
  return (await res.json()) as Status
}

const newest = async (id: string) => {
  const res = await t.get(`/intel/collections/${collectionId}/objects/${id}/`)
  return ((await res.json()) as { objects: { modified: string; object_marking_refs?: string[] }[] })
    .objects[0]!
}

describe('a partner pushing into a collection it may write', () => {
  it('may not add a version of the node’s own object, seen or hidden', async () => {
    for (const object of [own, hidden]) {
      const status = await push('gulf-police', [
        { ...object, modified: T1, object_marking_refs: [TLP2_MARKING_IDS.red] },
      ])
      expect(status.successes ?? []).toEqual([])
      expect(status.failures?.[0]?.message).toMatch(/only of objects it brought here/)
      expect((await newest(object.id)).modified).toBe(object.modified)
    }
  })

  it('adds versions of its own objects, and not of another partner’s', async () => {
    const mine = indicator(8100, undefined, { object_marking_refs: [TLP2_MARKING_IDS.green] })
    expect((await push('gulf-police', [mine])).failures ?? []).toEqual([])
    expect((await push('gulf-police', [{ ...mine, modified: T1 }])).failures ?? []).toEqual([])
    expect((await newest(mine.id)).modified).toBe(T1)
    const other = await push('bay-customs', [{ ...mine, modified: '2026-04-01T00:00:00.000Z' }])
    expect(other.failures?.[0]?.message).toMatch(/only of objects it brought here/)
    expect((await newest(mine.id)).modified).toBe(T1)
  })

  it('answers a copy of an object held here, hidden from it, as it answers a new object', async () => {
    const fresh = indicator(8200, undefined, { object_marking_refs: [TLP2_MARKING_IDS.green] })
    const [copy, added] = [await push('gulf-police', [hidden]), await push('gulf-police', [fresh])]
    const shape = (s: Status) => ({
      successes: (s.successes ?? []).map(({ id: _id, ...rest }) => rest),
      failures: s.failures ?? [],
    })
    expect(shape(copy)).toEqual(shape(added))
  })
})

describe('an envelope naming one member twice', () => {
  it('is refused whole, since the last marking would win silently', async () => {
    const object = indicator(8300)
    // RED first, CLEAR last: JSON.parse would keep CLEAR
    const text = JSON.stringify({ objects: [object] }).replace(
      /}]}$/,
      `,"object_marking_refs":["${TLP2_MARKING_IDS.red}"],"object_marking_refs":["${TLP2_MARKING_IDS.clear}"]}]}`,
    )
    const res = await fetch(`${t.url}/intel/collections/${collectionId}/objects/`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${t.adminKey}`,
        'Content-Type': 'application/taxii+json;version=2.1',
        Accept: 'application/taxii+json;version=2.1',
      },
      body: text,
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error_code: string }).error_code).toBe('repeated-member')
    expect((await t.get(`/intel/collections/${collectionId}/objects/${object.id}/`)).status).toBe(404)
  })
})
