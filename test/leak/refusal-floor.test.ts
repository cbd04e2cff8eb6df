/**
 * A partner's 404 waits until a floor after the request arrived, so that refusing a hidden object (its rows
 * read and screened) and refusing an unknown one leave at the same moment; bench/timing measures that the
 * two cannot be told apart. Asserted here: the floor holds for partners' 404s, and only for them.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from '../taxii/fixtures.js'

const FLOOR_MS = 400
let t: TestNode
let partnerKey: string
let objects: string
let unreadable: string
const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'
const hidden = indicator(8801, undefined, { object_marking_refs: [RED] })
const shared = indicator(8802)

beforeAll(async () => {
  t = await startTestNode({ taxii: { refusalFloorMs: FLOOR_MS } })
  const { policy, store } = t.node.services
  const collection = await createCollection(store, { apiRoot: 'intel', title: 'Floor routes (fictional)' })
  objects = `/intel/collections/${collection.id}/objects/`
  unreadable = (await createCollection(store, { apiRoot: 'intel', title: 'Floor unshared (fictional)' })).id
  expect((await t.post(objects, { objects: [hidden, shared] })).status).toBe(202)
  await policy.addPartner({ id: 'floor-police', name: 'Fictional Floor Police', kind: 'police' }, 'test')
  await policy.putAgreement(
    { partner: 'floor-police', collections: [collection.id], maxTlp: 'amber' },
    'test',
  )
  ;({ apiKey: partnerKey } = await createPrincipal(store, {
    name: 'floor reader',
    role: 'partner',
    partnerId: 'floor-police',
  }))
})
afterAll(async () => t?.stop())

async function timed(path: string, key: string): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now()
  const res = await t.get(path, key)
  const body = await res.text()
  return { status: res.status, ms: performance.now() - started, body }
}

describe('the refusal floor', () => {
  it('holds a partner 404, hidden or unknown, until the floor; the two answers are the same bytes', async () => {
    const hiddenAnswer = await timed(`${objects}${hidden.id}/`, partnerKey)
    const unknownAnswer = await timed(`${objects}indicator--${randomUUID()}/`, partnerKey)
    for (const answer of [hiddenAnswer, unknownAnswer]) {
      expect(answer.status).toBe(404)
      expect(answer.ms).toBeGreaterThanOrEqual(FLOOR_MS - 1)
    }
    expect(hiddenAnswer.body).toBe(unknownAnswer.body)
  })

  it('holds a partner 404 on the console API too, where the same object can be asked for', async () => {
    const started = performance.now()
    const res = await fetch(`${t.url}/console-api/objects/${encodeURIComponent(hidden.id)}`, {
      headers: { Authorization: `Bearer ${partnerKey}` },
    })
    expect(res.status).toBe(404)
    await res.text()
    expect(performance.now() - started).toBeGreaterThanOrEqual(FLOOR_MS - 1)
  })

  it('holds a partner 404 on the search, ledger and federation APIs as well', async () => {
    // a disclosure first, so that the partner's log has a size to ask proofs against
    expect((await t.get(`${objects}${shared.id}/`, partnerKey)).status).toBe(200)
    const auth = { Authorization: `Bearer ${partnerKey}` }
    const pattern = encodeURIComponent("[indicator:name = 'x']")
    const post = { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' } }
    const refusals: [string, RequestInit?][] = [
      [`/search/match?collection=${unreadable}&pattern=${pattern}`],
      [`/search/match?collection=${randomUUID()}&pattern=${pattern}`],
      [`/ledger/inclusion?object=${hidden.id}`],
      [
        `/federation/withdrawals/${randomUUID()}/ack`,
        { ...post, body: JSON.stringify({ note: 'n', vkey: 'k' }) },
      ],
    ]
    for (const [path, init] of refusals) {
      const started = performance.now()
      const res = await fetch(`${t.url}${path}`, { headers: auth, ...init })
      await res.text()
      expect([path, res.status]).toEqual([path, 404])
      expect(performance.now() - started).toBeGreaterThanOrEqual(FLOOR_MS - 1)
    }
  })

  it('does not hold what a partner may see, nor an administrator’s 404', async () => {
    expect(await timed(`${objects}${shared.id}/`, partnerKey)).toMatchObject({ status: 200 })
    expect((await timed(`${objects}${shared.id}/`, partnerKey)).ms).toBeLessThan(FLOOR_MS)
    const admin = await timed(`${objects}indicator--${randomUUID()}/`, t.adminKey)
    expect(admin.status).toBe(404)
    expect(admin.ms).toBeLessThan(FLOOR_MS)
  })
})
