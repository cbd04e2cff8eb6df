/**
 * The store screens out versions a partner's policy denies for certain before the gate decides
 * (docs/POLICY.md "Screening before deciding"). Two things must hold over HTTP: the screened rows never
 * reach the gate (so a partner allowed a sliver of a large collection costs a sliver), and what the
 * partner receives is exactly what `decide` allows, through orders and their lifting.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { IEP_EXTENSION_ID } from '../../src/policy/markings.js'
import { TLP2_MARKING_IDS, TLP2_MARKINGS } from '../../src/policy/tlp.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { ObjectBatch } from '../../src/store/types.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

const PARTNER = 'fictional-lagoon-customs'
// an IEP policy carrying TLP:RED: a custom definition, so its TLP is not known to the store
const CUSTOM_RED = {
  type: 'marking-definition',
  spec_version: '2.1',
  id: 'marking-definition--7b1f0b4e-5c55-4a55-9d2a-0c1d7e0f0a01',
  created: '2026-01-01T00:00:00.000Z',
  name: 'Lagoon desk IEP red (fictional)',
  extensions: {
    [IEP_EXTENSION_ID]: {
      extension_type: 'property-extension',
      tlp: 'red',
      permitted_actions: 'internally-visible-actions',
    },
  },
}

let t: TestNode
let collectionId: string
let partnerKey: string
let agreementId: string
const green = [1, 2, 3].map((n) => indicator(n, undefined, { object_marking_refs: [TLP2_MARKING_IDS.green] }))

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  collectionId = (await createCollection(store, { apiRoot: 'intel', title: 'Lagoon routes (fictional)' })).id
  const amber = Array.from({ length: 400 }, (_, i) =>
    indicator(100 + i, undefined, { object_marking_refs: [TLP2_MARKING_IDS.amber] }),
  )
  const unmarked = Array.from({ length: 100 }, (_, i) => indicator(600 + i))
  const customRed = indicator(900, undefined, { object_marking_refs: [CUSTOM_RED.id] })
  const objects = [
    TLP2_MARKINGS.green,
    TLP2_MARKINGS.amber,
    CUSTOM_RED,
    green[0],
    ...amber.slice(0, 200),
    green[1],
    ...unmarked,
    customRed,
    ...amber.slice(200),
    green[2],
  ]
  const posted = await t.post(`/intel/collections/${collectionId}/objects/`, { objects })
  expect(posted.status).toBe(202)
  expect(((await posted.json()) as { success_count: number }).success_count).toBe(objects.length)
  await policy.addPartner({ id: PARTNER, name: 'Fictional Lagoon Customs', kind: 'customs' }, 'test')
  agreementId = (
    await policy.putAgreement(
      { partner: PARTNER, collections: [collectionId], maxTlp: 'green', types: ['indicator'] },
      'test',
    )
  ).id
  partnerKey = (await createPrincipal(store, { name: 'lagoon reader', role: 'partner', partnerId: PARTNER }))
    .apiKey
})
afterAll(async () => t?.stop())

/**
 * The partner's whole view of the collection, and how many stored rows the gate was handed to judge. The
 * node's own background work is paused meanwhile: the federation scheduler's revocation scan reads whole
 * collections through the same store call, and under load its rows fell into the count.
 */
async function partnerView(limit = 2): Promise<{ ids: string[]; rowsJudged: number }> {
  const store = t.node.services.store
  await t.node.federation.stop()
  let rowsJudged = 0
  const original = store.queryObjects.bind(store)
  const spy = vi.spyOn(store, 'queryObjects').mockImplementation(async (q) => {
    const batch: ObjectBatch = await original(q)
    rowsJudged += batch.items.length
    return batch
  })
  try {
    const ids: string[] = []
    let next: string | undefined
    for (;;) {
      const query = `limit=${limit}${next ? `&next=${next}` : ''}`
      const res = await t.get(`/intel/collections/${collectionId}/objects/?${query}`, partnerKey)
      expect(res.status).toBe(200)
      const envelope = (await res.json()) as { objects?: { id: string }[]; more?: boolean; next?: string }
      ids.push(...(envelope.objects ?? []).map((o) => o.id))
      if (!envelope.more) return { ids, rowsJudged }
      next = envelope.next
    }
  } finally {
    spy.mockRestore()
    t.node.federation.start()
  }
}

it('hands the gate only versions the policy could allow, and serves exactly what it allows', async () => {
  const view = await partnerView()
  expect(view.ids).toEqual(green.map((g) => g.id))
  // Only the green ones and the one whose TLP the store cannot know (custom IEP definition) pass screening,
  // each page re-reading what follows its start; unscreened, the gate would judge all ~500 amber and unmarked.
  const passing = green.length + 1
  expect(view.rowsJudged).toBeLessThanOrEqual(passing * 2)
})

it('screens by an order at once, and lets the flow back when it is lifted', async () => {
  const { policy } = t.node.services
  const order = await policy.suspend({
    partner: PARTNER,
    aboveTlp: 'clear',
    reason: 'fictional narrowing to TLP:CLEAR',
    issuer: 'test',
  })
  const suspended = await partnerView()
  expect(suspended.ids).toEqual([])
  expect(suspended.rowsJudged).toBeLessThanOrEqual(1)
  await policy.resume({ order: order.id, reason: 'fictional lifting', issuer: 'test' })
  expect((await partnerView(100)).ids).toEqual(green.map((g) => g.id))
})

it('still decides versions whose TLP comes from a custom definition (stored rank unknown)', async () => {
  const { policy } = t.node.services
  const amend = (maxTlp: string) =>
    policy.putAgreement({ id: agreementId, partner: PARTNER, collections: [collectionId], maxTlp }, 'test')
  await amend('red')
  const everything = await partnerView(1000)
  expect(everything.ids).toContain(indicator(900).id)
  await amend('amber')
  const narrowed = await partnerView(1000)
  expect(narrowed.ids).toEqual(everything.ids.filter((id) => id !== indicator(900).id))
  // green, amber, unmarked (read as amber) and the three unmarked marking-definitions
  expect(narrowed.ids).toHaveLength(3 + 400 + 100 + 3)
})
