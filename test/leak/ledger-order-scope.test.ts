/**
 * Regression test. A partner's own ledger log (GET /ledger/entries, partner role) used to hold every order about it in plain text
 * (src/ledger/entry.ts OrderEntry: scope, issuer, reason, reference; src/ledger/log-id.ts logsForEntry). When
 * an order's scope names a collection the partner may not see, the partner reads that collection's id in its
 * own log, while TAXII answers the same id exactly like a collection that does not exist. Issue 3: "a partner
 * learns nothing about their existence". (The order's reason and issuer, internal text, are readable too.)
 *
 * Fixed (regression test); the fix chosen: in the partner's log, commit to what the partner must not read instead of spelling it
 * out, e.g. an order entry variant whose `scope` keeps only the collections the partner could see at the time
 * and carries `scope_sha256` (and `reason_sha256`) of the full canonical values; the global log (admin only)
 * keeps the full entry. The effective time, order id and kind stay in clear, so (a)–(c) of issue 4 still hold.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let t: TestNode
beforeAll(async () => {
  t = await startTestNode()
})
afterAll(async () => t?.stop())

it('an order about a partner does not reveal, in its own log, a collection hidden from it', async () => {
  const { policy, store } = t.node.services
  const shared = await createCollection(store, { apiRoot: 'intel', title: 'Shared routes (fictional)' })
  const secret = await createCollection(store, { apiRoot: 'intel', title: 'Informant handling (fictional)' })
  await policy.addPartner(
    { id: 'fictional-port-authority', name: 'Fictional Port Authority', kind: 'other' },
    'test',
  )
  await policy.putAgreement(
    { partner: 'fictional-port-authority', collections: [shared.id], maxTlp: 'amber' },
    'test',
  )
  await policy.suspend({
    partner: 'fictional-port-authority',
    collections: [secret.id],
    reason: 'belt and braces: never the informant collection',
    issuer: 'Fictional duty officer',
  })
  const { apiKey } = await createPrincipal(store, {
    name: 'port reader',
    role: 'partner',
    partnerId: 'fictional-port-authority',
  })

  const hidden = await t.get(`/intel/collections/${secret.id}/`, apiKey)
  expect(hidden.status).toBe(404)
  const log = await fetch(`${t.url}/ledger/entries?start=0&end=100`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  })
  expect(log.status).toBe(200)
  expect(await log.text()).not.toContain(secret.id)
})
