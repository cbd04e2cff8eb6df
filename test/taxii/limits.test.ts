import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

let t: TestNode
let collectionId: string
beforeAll(async () => {
  t = await startTestNode({ taxii: { maxObjectsPerRequest: 2 } })
  collectionId = (await createCollection(t.node.store, { apiRoot: 'intel', title: 'Limits' })).id
})
afterAll(async () => t.stop())

it('refuses more objects in one POST than the node accepts, with a TAXII 422 (not 413: the body is small), and stores none of them', async () => {
  const res = await t.post(`/intel/collections/${collectionId}/objects/`, {
    objects: [indicator(1), indicator(2), indicator(3)],
  })
  expect(res.status).toBe(422)
  expect(res.headers.get('content-type')).toBe(TAXII)
  const body = (await res.json()) as { description: string; error_code: string }
  expect(body.description).toContain('at most 2 objects')
  expect(body.error_code).toBe('too-many-objects')
  expect(await t.node.store.countObjects(collectionId)).toBe(0)
  expect(
    (await t.post(`/intel/collections/${collectionId}/objects/`, { objects: [indicator(1), indicator(2)] }))
      .status,
  ).toBe(202)
})

it('bounds how long a client may take to send headers and a request', () => {
  expect(t.node.server.headersTimeout).toBe(15_000)
  expect(t.node.server.requestTimeout).toBe(60_000)
})

it('bounds the other JSON APIs too: 1 MiB of body and 32 levels of nesting, changing nothing', async () => {
  const orders = async () => (await t.node.services.policy.history()).orders.length
  const before = await orders()
  const big = await t.post('/admin/orders/suspend', { partner: 'x', reason: 'r'.repeat(1024 * 1024) })
  expect(big.status).toBe(413)
  let deep: unknown = 'r'
  for (let i = 0; i < 33; i++) deep = [deep]
  const nested = await t.post('/admin/orders/suspend', { partner: 'x', reason: deep })
  expect(nested.status).toBe(400)
  expect(nested.headers.get('content-type')).toBe(TAXII)
  expect(await nested.json()).toMatchObject({ error_code: 'json-too-deep' })
  expect(await orders()).toBe(before)
})
