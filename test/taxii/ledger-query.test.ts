/** The ledger's inclusion question names a version by instant, and a malformed one is a bad request. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { indicator, T0 } from './fixtures.js'

let t: TestNode
let partnerKey: string
const object = indicator(7101)
const log = 'partner:isles'

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  const collection = await createCollection(store, { apiRoot: 'intel', title: 'Routes' })
  expect((await t.post(`/intel/collections/${collection.id}/objects/`, { objects: [object] })).status).toBe(
    202,
  )
  await policy.addPartner({ id: 'isles', name: 'Isles Coast Guard', kind: 'coast-guard' }, 'test')
  await policy.putAgreement({ partner: 'isles', collections: [collection.id], maxTlp: 'red' }, 'test')
  const { apiKey } = await createPrincipal(store, { name: 'Isles desk', role: 'partner', partnerId: 'isles' })
  partnerKey = apiKey
  // the partner's read is what the ledger records
  expect((await t.get(`/intel/collections/${collection.id}/objects/${object.id}/`, apiKey)).status).toBe(200)
})
afterAll(async () => t?.stop())

const inclusion = (modified: string) =>
  t.get(`/ledger/inclusion?log=${log}&object=${object.id}&modified=${encodeURIComponent(modified)}`)

describe('GET /ledger/inclusion?object=&modified=', () => {
  it('finds the disclosure by its stored timestamp', async () => {
    expect(T0).toBe('2026-01-05T08:00:00.000Z')
    const res = await inclusion(T0)
    expect(res.status).toBe(200)
  })

  it.each(['2026-01-05T08:00:00Z', '2026-01-05T08:00:00.000000Z'])(
    'finds the same disclosure by the same instant written as %s',
    async (modified) => {
      const res = await inclusion(modified)
      expect(res.status).toBe(200)
      const body = (await res.json()) as { proofs: { entry: unknown }[] }
      expect(body.proofs).toHaveLength(1)
    },
  )

  it.each(['bad', '2026-01-05', '2026-02-30T08:00:00Z'])(
    'answers modified=%s with a TAXII 400',
    async (modified) => {
      const res = await inclusion(modified)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe(TAXII)
      expect(await res.json()).toEqual({
        title: 'Bad request',
        description: 'modified must be a STIX timestamp such as 2026-01-05T08:00:00.000Z, or null',
        error_code: 'bad-request',
        http_status: '400',
      })
    },
  )

  it('proves every disclosed version when modified is left out', async () => {
    const res = await t.get(`/ledger/inclusion?log=${log}&object=${object.id}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { proofs: { entry: { objectModified: string } }[] }
    expect(body.proofs.map((p) => p.entry.objectModified)).toEqual([T0])
  })

  it.each([
    [`index=0&object=${object.id}`, 'give either index or object (with modified)'],
    ['', 'give either index or object (with modified)'],
    [`index=0&modified=${T0}`, 'modified goes with object, not index'],
  ])('answers %s with a TAXII 400 naming the mistake', async (query, description) => {
    const res = await t.get(`/ledger/inclusion?log=${log}${query ? `&${query}` : ''}`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { description: string }).description).toBe(description)
  })

  it('still answers a well-formed instant the log does not hold with 404', async () => {
    expect((await inclusion('2026-01-05T08:00:01Z')).status).toBe(404)
    expect((await inclusion('null')).status).toBe(404)
  })

  it('answers an empty object id with a 400, and any question of an empty log with a 404', async () => {
    const empty = await t.get(`/ledger/inclusion?log=${log}&object=&modified=null`)
    expect(empty.status).toBe(400)
    expect(((await empty.json()) as { description: string }).description).toBe(
      'object must be an object id, not empty',
    )
    await t.node.services.policy.addPartner({ id: 'quiet', name: 'Quiet Desk', kind: 'police' }, 'test')
    const none = await t.get(`/ledger/inclusion?log=partner:quiet&object=${object.id}`)
    expect(none.status).toBe(404)
    expect(((await none.json()) as { description: string }).description).toMatch(
      /^an entry of the empty log partner:quiet does not exist/,
    )
    // a size asked of it is still out of range
    expect((await t.get(`/ledger/inclusion?log=partner:quiet&index=0&size=1`)).status).toBe(400)
  })
})

describe('GET /ledger/entries', () => {
  const entries = (query: string) => t.get(`/ledger/entries?log=${log}&${query}`)

  it('answers a range with the entries in it', async () => {
    const res = await entries('start=0&end=5')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { index: number }[]
    expect(body.map((e) => e.index)).toEqual([...body.keys()])
    expect(body.length).toBeGreaterThan(0)
  })

  it('answers a reversed range with a TAXII 400, not an empty list', async () => {
    const res = await entries('start=3&end=1')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe(TAXII)
    expect(((await res.json()) as { description: string }).description).toBe(
      'end (1) must not be below start (3)',
    )
  })

  it('reads a start near the largest integer without complaining of an end it was not given', async () => {
    const res = await entries(`start=${Number.MAX_SAFE_INTEGER}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([])
  })

  it('answers an empty range with an empty list', async () => {
    const res = await entries('start=1&end=1')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([])
  })
})

describe('a log the node does not keep', () => {
  it('is refused on every ledger endpoint, and no checkpoint of it is signed', async () => {
    for (const path of [
      'checkpoint?log=partner:ghost',
      'checkpoints?log=partner:ghost',
      'inclusion?log=partner:ghost&index=0',
      'consistency?log=partner:ghost&from=1&to=1',
      'entries?log=partner:ghost',
    ]) {
      const res = await t.get(`/ledger/${path}`)
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { description: string }).description, path).toMatch(/^no partner "ghost"/)
    }
    expect(await t.node.store.listCheckpoints('partner:ghost', 10)).toEqual([])
    const malformed = await t.get('/ledger/checkpoint?log=partners')
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { description: string }).description).toBe('not a log id: "partners"')
  })
})

describe('what a partner may ask of the ledger', () => {
  it('proves the global log only grew, but shows none of its entries', async () => {
    const { size } = (await (await t.get('/ledger/checkpoint?log=global', partnerKey)).json()) as {
      size: number
    }
    expect(size).toBeGreaterThan(1)
    const grew = await t.get(`/ledger/consistency?log=global&from=1&to=${size}`, partnerKey)
    expect(grew.status).toBe(200)
    expect(((await grew.json()) as { proof: string[] }).proof.length).toBeGreaterThan(0)
    for (const path of ['entries?log=global', 'inclusion?log=global&index=0'])
      expect((await t.get(`/ledger/${path}`, partnerKey)).status, path).toBe(403)
  })

  it('is refused alike any log but its own and the global one, kept or not; an empty log name is malformed', async () => {
    for (const path of [
      'checkpoint?log=partner:quiet',
      'checkpoint?log=partner:ghost',
      'consistency?log=partner:quiet&from=1&to=1',
    ])
      expect((await t.get(`/ledger/${path}`, partnerKey)).status, path).toBe(403)
    const empty = await t.get('/ledger/checkpoint?log=', partnerKey)
    expect(empty.status).toBe(400)
    expect(((await empty.json()) as { description: string }).description).toBe(
      'log must be global or partner:ID, not empty',
    )
  })
})

describe('sizes and indexes', () => {
  it('are decimal without leading zeros, and one beyond exact integers is named as such', async () => {
    const leading = await t.get(`/ledger/consistency?log=global&from=01&to=1`)
    expect(leading.status).toBe(400)
    expect(((await leading.json()) as { description: string }).description).toBe(
      'from must be a non-negative integer in decimal, without leading zeros',
    )
    const huge = await t.get(`/ledger/consistency?log=global&from=1&to=18446744073709551615`)
    expect(huge.status).toBe(400)
    expect(((await huge.json()) as { description: string }).description).toBe(
      "to 18446744073709551615 is beyond any log's size",
    )
  })
})
