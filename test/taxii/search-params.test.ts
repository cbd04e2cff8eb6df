/**
 * /search/match names a collection by id or alias for every principal, and a partner learns nothing about a
 * collection it may not read: hidden and unknown answer the same 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'

let t: TestNode
let partnerKey: string
let routesId: string
const pattern = encodeURIComponent("[ipv4-addr:value = '198.51.100.9']")

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  routesId = (await createCollection(store, { apiRoot: 'intel', title: 'Routes', alias: 'routes' })).id
  await createCollection(store, { apiRoot: 'intel', title: 'Networks', alias: 'networks' })
  await policy.addPartner({ id: 'isles', name: 'Isles Coast Guard', kind: 'coast-guard' }, 'test')
  await policy.putAgreement({ partner: 'isles', collections: [routesId], maxTlp: 'red' }, 'test')
  partnerKey = (await createPrincipal(store, { name: 'Isles desk', role: 'partner', partnerId: 'isles' }))
    .apiKey
})
afterAll(async () => t?.stop())

const search = (query: string, key = partnerKey) => t.get(`/search/match?pattern=${pattern}&${query}`, key)

describe('GET /search/match', () => {
  it.each(['routes', 'ROUTES_ID'])('a partner names a collection it may read by %s', async (name) => {
    const res = await search(`collection=${name === 'ROUTES_ID' ? routesId : name}`)
    expect(res.status).toBe(200)
  })

  it('answers a hidden collection exactly like an unknown one', async () => {
    const hidden = await search('collection=networks')
    const unknown = await search('collection=nowhere')
    expect([hidden.status, unknown.status]).toEqual([404, 404])
    expect(hidden.headers.get('content-type')).toBe(TAXII)
    const [h, u] = [await hidden.text(), await unknown.text()]
    expect(h).toBe(u)
  })

  it.each(['limit=abc', 'limit=0', 'limit=-1', 'limit=1.5'])(
    'refuses %s instead of using the default',
    async (q) => {
      const res = await search(`collection=routes&${q}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { description: string }).description).toBe(
        'limit must be a positive integer',
      )
    },
  )
})

describe('GET /search/match with a malformed pattern', () => {
  it('answers a TAXII 400 saying once what does not parse, and where', async () => {
    const res = await t.get(
      `/search/match?collection=routes&pattern=${encodeURIComponent('[ipv4-addr:value = ')}`,
      partnerKey,
    )
    expect(res.status).toBe(400)
    const { description } = (await res.json()) as { description: string }
    expect(description).toMatch(/^pattern does not parse: .* \(column \d+\)$/)
    expect(description.match(/does not parse/g)).toHaveLength(1)
  })
})
