/**
 * The pattern search must not become an oracle for withheld data: observed-data the partner may see, pointing at
 * an SCO it may not see, must not match a pattern on that SCO's value (otherwise the partner learns the hidden
 * value by asking). The random property covers this too, but rarely hits a match; this pins it down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { TLP2 } from '../helpers/policy-world.js'

let t: TestNode
let collection: string
const keys: Record<'green' | 'red', string> = { green: '', red: '' }
const SCO = 'ipv4-addr--5c0a0000-0000-4000-8000-000000000001'
const OBSERVED = 'observed-data--5c0a0000-0000-4000-8000-000000000002'

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  collection = (await createCollection(store, { apiRoot: 'intel', title: 'Fictional observations' })).id
  const post = await t.post(`/intel/collections/${collection}/objects/`, {
    objects: [
      {
        type: 'ipv4-addr',
        spec_version: '2.1',
        id: SCO,
        value: '203.0.113.77',
        object_marking_refs: [TLP2.red],
      },
      {
        type: 'observed-data',
        spec_version: '2.1',
        id: OBSERVED,
        created: '2025-06-01T00:00:00.000Z',
        modified: '2025-06-01T00:00:00.000Z',
        first_observed: '2025-06-01T00:00:00.000Z',
        last_observed: '2025-06-01T00:00:00.000Z',
        number_observed: 1,
        object_refs: [SCO],
        object_marking_refs: [TLP2.clear],
      },
    ],
  })
  expect(((await post.json()) as { success_count: number }).success_count).toBe(2)
  for (const [level, max] of [
    ['green', 'green'],
    ['red', 'red'],
  ] as const) {
    const id = `fictional-${level}-reader`
    await policy.addPartner({ id, name: `Fictional ${level} reader`, kind: 'police' }, 'test')
    await policy.putAgreement({ partner: id, collections: [collection], maxTlp: max }, 'test')
    keys[level] = (await createPrincipal(store, { name: id, role: 'partner', partnerId: id })).apiKey
  }
})
afterAll(async () => t?.stop())

const search = async (key: string, value: string) => {
  const pattern = encodeURIComponent(`[ipv4-addr:value = '${value}']`)
  const res = await t.get(`/search/match?collection=${collection}&pattern=${pattern}`, key)
  expect(res.status).toBe(200)
  return (await res.json()) as {
    objects: { id: string }[]
    matched_as_set: boolean
    binding: string[]
    scanned: number
  }
}

describe('pattern search through a hidden SCO', () => {
  it('does not match for a partner that may not see the SCO, and matches for one that may', async () => {
    const green = await search(keys.green, '203.0.113.77')
    expect(green).toEqual({ objects: [], matched_as_set: false, binding: [], scanned: 1 })
    const red = await search(keys.red, '203.0.113.77')
    expect(red.objects.map((o) => o.id)).toEqual([OBSERVED])
    expect(red.matched_as_set).toBe(true)
  })

  it('answers a value that exists and one that does not the same way for the partner that may not see it', async () => {
    const hidden = await search(keys.green, '203.0.113.77')
    const absent = await search(keys.green, '203.0.113.78')
    expect(hidden).toEqual(absent)
  })
})
