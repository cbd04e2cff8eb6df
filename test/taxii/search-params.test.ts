/**
 * /search/match names a collection by id or alias for every principal, and a partner learns nothing about a
 * collection it may not read: hidden and unknown answer the same 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { deterministicScoId } from '../../src/stix/sco-id.js'
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

describe('GET /search/match with a pattern too costly to match', () => {
  it('answers a 400 that says how to narrow it, and the node keeps serving', async () => {
    const value = { type: 'ipv4-addr', spec_version: '2.1', value: '198.51.100.77' }
    const address = { ...value, id: deterministicScoId(value)! }
    const sightings = Array.from({ length: 30 }, (_, i) => ({
      type: 'observed-data',
      spec_version: '2.1',
      id: `observed-data--7d1e2f30-0000-4000-8000-${String(i).padStart(12, '0')}`,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      first_observed: `2026-01-01T00:${String(i).padStart(2, '0')}:00Z`,
      last_observed: `2026-01-01T00:${String(i).padStart(2, '0')}:00Z`,
      number_observed: 1,
      object_refs: [address.id],
    }))
    const posted = await t.post(`/intel/collections/${routesId}/objects/`, {
      objects: [address, ...sightings],
    })
    expect(posted.status).toBe(202)
    const chain = Array.from({ length: 40 }, () => "[ipv4-addr:value LIKE '%']").join(' FOLLOWEDBY ')
    const res = await t.get(
      `/search/match?collection=routes&pattern=${encodeURIComponent(chain)}`,
      partnerKey,
    )
    expect(res.status).toBe(400)
    expect(((await res.json()) as { description: string }).description).toMatch(
      /^the pattern cannot be evaluated: matching needs too many combinations of these observations/,
    )
    expect((await fetch(`${t.url}/healthz/live`)).status).toBe(200)
  })
})
