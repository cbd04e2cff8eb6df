/**
 * Every timestamp ingest accepts as `modified` must be one the ledger can record: a partner's read records
 * each version it serves, so a version the ledger refused made the partner's whole page a 500.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TLP2_MARKING_IDS, TLP2_MARKINGS } from '../../src/policy/tlp.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

const PARTNER = 'fictional-reef-patrol'
// RFC 3339 allows each of these, and so does the OASIS timestamp schema
const EDGES = [
  '2016-12-31T23:59:60.000Z',
  '0000-01-01T00:00:00.000Z',
  '9999-12-31T23:59:60.000Z',
  '2026-01-01T00:00:00.1234567891Z',
]

let t: TestNode
let collectionId: string
let partnerKey: string
const objects = EDGES.map((at, i) =>
  indicator(7000 + i, at, { created: at, valid_from: at, object_marking_refs: [TLP2_MARKING_IDS.clear] }),
)

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  collectionId = (await createCollection(store, { apiRoot: 'intel', title: 'Reef edges (fictional)' })).id
  const posted = await t.post(`/intel/collections/${collectionId}/objects/`, {
    objects: [TLP2_MARKINGS.clear, ...objects],
  })
  expect(((await posted.json()) as { success_count: number }).success_count).toBe(objects.length + 1)
  await policy.addPartner({ id: PARTNER, name: 'Fictional Reef Patrol', kind: 'coast-guard' }, 'test')
  await policy.putAgreement({ partner: PARTNER, collections: [collectionId], maxTlp: 'green' }, 'test')
  partnerKey = (await createPrincipal(store, { name: 'reef reader', role: 'partner', partnerId: PARTNER }))
    .apiKey
})
afterAll(async () => t?.stop())

it('serves and records versions modified at a leap second, in year 0000 or with ten fraction digits', async () => {
  const logSize = async () =>
    (
      (await (await t.get(`/ledger/checkpoint?log=partner:${PARTNER}`, partnerKey)).json()) as {
        size: number
      }
    ).size
  const before = await logSize()
  const res = await t.get(`/intel/collections/${collectionId}/objects/?match[type]=indicator`, partnerKey)
  expect(res.status).toBe(200)
  const served = ((await res.json()) as { objects: { id: string; modified: string }[] }).objects
  expect(served.map((o) => o.modified).sort()).toEqual([...EDGES].sort())
  expect(await logSize()).toBe(before + EDGES.length)
})
