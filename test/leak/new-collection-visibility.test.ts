/**
 * Regression test, found by the no-leak property's model of collection listing (docs/POLICY.md "Collection listing"): a partner
 * whose agreement covers every collection ('*') and whose order blocks one collection must see a collection
 * created afterwards. The node hides it (listing, collection GET and objects all answer as if it did not exist)
 * until the next policy change (if the partner made a request between that change and the creation), because the policy history it caches (PolicyService.history(), keyed by
 * Store.policyVersion()) carries the collection list used to expand '*', and creating a collection does not
 * change the policy version. Fail-closed, so not a leak, but the partner silently loses a flow its agreement
 * grants, and recovers it at the next unrelated policy change.
 *
 * Fixed (regression test); the fix chosen: either bump the policy version when a collection is created (Store.createCollection in
 * both adapters, next to #bumpPolicyVersion), or let PartnerSession pass the store's current collection ids as
 * `knownCollections` to collectionsVisibleTo (src/disclosure/policy-gate.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from '../taxii/fixtures.js'

let t: TestNode
beforeAll(async () => {
  t = await startTestNode()
})
afterAll(async () => t?.stop())

it('a collection created after the last policy change is visible to a partner whose agreement covers everything', async () => {
  const { policy, store } = t.node.services
  const blocked = await createCollection(store, { apiRoot: 'intel', title: 'Blocked routes (fictional)' })
  await policy.addPartner(
    { id: 'fictional-harbour-police', name: 'Fictional Harbour Police', kind: 'police' },
    'test',
  )
  await policy.putAgreement({ partner: 'fictional-harbour-police', collections: '*', maxTlp: 'red' }, 'test')
  await policy.suspend({
    partner: 'fictional-harbour-police',
    collections: [blocked.id],
    reason: 'fictional order',
    issuer: 'test',
  })
  const { apiKey } = await createPrincipal(store, {
    name: 'harbour reader',
    role: 'partner',
    partnerId: 'fictional-harbour-police',
  })

  // The partner polls (the node caches the policy it loaded for this request)...
  const before = (await (await t.get('/intel/collections/', apiKey)).json()) as { collections?: unknown[] }
  expect(before.collections ?? []).toEqual([])
  // ...then a collection is created after every policy row: nothing blocks it, the '*' agreement covers it.
  const fresh = await createCollection(store, { apiRoot: 'intel', title: 'New fictional collection' })
  const post = await t.post(`/intel/collections/${fresh.id}/objects/`, { objects: [indicator(41)] })
  expect(post.status).toBe(202)

  const listing = (await (await t.get('/intel/collections/', apiKey)).json()) as {
    collections?: { id: string }[]
  }
  expect((listing.collections ?? []).map((c) => c.id)).toEqual([fresh.id])
  const objects = await t.get(`/intel/collections/${fresh.id}/objects/`, apiKey)
  expect(objects.status).toBe(200)
  expect(((await objects.json()) as { objects?: unknown[] }).objects).toHaveLength(1)
})
