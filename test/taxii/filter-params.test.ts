/**
 * A TAXII filter value the spec does not allow is a 400, never an empty page: `match[version]` takes first,
 * last, all or a STIX timestamp (TAXII 2.1 §3.4.2), "all" alone (§3.4.1), and an empty list must not read as
 * "no filter".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

let t: TestNode
let objects: string
const stored = indicator(7201)

beforeAll(async () => {
  t = await startTestNode()
  const collection = await createCollection(t.node.store, { apiRoot: 'intel', title: 'Routes' })
  objects = `/intel/collections/${collection.id}/objects/`
  expect((await t.post(objects, { objects: [stored] })).status).toBe(202)
})
afterAll(async () => t?.stop())

async function badRequest(query: string, method = 'GET') {
  const res = await fetch(`${t.url}${objects}${query}`, {
    method,
    headers: { Accept: TAXII, Authorization: `Bearer ${t.adminKey}` },
  })
  expect(res.status).toBe(400)
  expect(res.headers.get('content-type')).toBe(TAXII)
  const body = (await res.json()) as { http_status: string; description: string }
  expect(body.http_status).toBe('400')
  return body.description
}

describe('TAXII filter parameters', () => {
  it.each([
    ['match[version]=bad', 'match[version] takes last, first, all or a STIX timestamp; got "bad"'],
    ['match[version]=2026-02-30T00:00:00Z', 'match[version] takes last, first, all or a STIX timestamp; got'],
    ['match[version]=last,2026-13-01T00:00:00Z', 'match[version] takes last, first, all or a STIX timestamp'],
    ['match[version]=', 'match[version] needs at least one value'],
    [
      'match[version]=all,first',
      'match[version]=all cannot be combined with other versions; got "all,first"',
    ],
    ['match[version]=last&match[version]=all', 'match[version]=all cannot be combined with other versions'],
    [
      'match[spec_version]=bad',
      'match[spec_version] takes STIX specification versions such as 2.1; got "bad"',
    ],
    ['match[spec_version]=,', 'match[spec_version] needs at least one value'],
    ['match[type]=', 'match[type] needs at least one value'],
    ['match[id]=', 'match[id] needs at least one value'],
    ['match[type]=indicator,,malware', 'match[type] has an empty value in "indicator,,malware"'],
    ['match[version]=last,', 'match[version] has an empty value in "last,"'],
    ['match[type]=indicator&match[type]=', 'match[type] has an empty value'],
    ['added_after=2026-02-30T00:00:00Z', 'added_after 2026-02-30T00:00:00Z is not on the calendar'],
    ['added_after=yesterday', 'added_after must be one RFC 3339 timestamp in UTC'],
    ['match[foo]=x', 'match[foo] is not a filter this server knows; this endpoint takes match[id]'],
    ['match[types]=indicator', 'match[types] is not a filter this server knows'],
    ['match[id]=notanid', 'match[id] takes STIX identifiers; got "notanid"'],
    ['limit=1&limit=2', 'limit must be given once, not 2 times'],
    ['added_after=2026-01-01T00:00:00Z&added_after=2026-01-02T00:00:00Z', 'added_after must be given once'],
    ['next=a&next=b', 'next must be given once'],
    ['match[type]=Indicator', 'match[type] takes STIX type names; got "Indicator"'],
  ])('GET ?%s is a 400', async (query, message) => {
    expect(await badRequest(`?${query}`)).toContain(message)
  })

  it('DELETE with an empty match[spec_version] is refused rather than deleting every version', async () => {
    expect(await badRequest(`${stored.id}/?match[spec_version]=`, 'DELETE')).toBe(
      'match[spec_version] needs at least one value',
    )
    expect((await t.get(`${objects}${stored.id}/`)).status).toBe(200)
  })

  it('answers an object the filters leave nothing of with an empty envelope, an unknown one with 404', async () => {
    // TAXII 2.1 §5.6 and §5.8: the object exists; only no version of it passes
    const unknown = 'indicator--00000000-0000-4000-8000-00000000f00d'
    for (const [path, query] of [
      ['', '?added_after=2099-01-01T00:00:00Z'],
      ['', '?match[version]=2000-01-01T00:00:00.000Z'],
      ['', '?match[spec_version]=2.0'],
      ['versions/', '?added_after=2099-01-01T00:00:00Z'],
    ] as const) {
      const res = await t.get(`${objects}${stored.id}/${path}${query}`)
      expect([path, query, res.status]).toEqual([path, query, 200])
      expect(await res.json()).toEqual({ more: false })
      expect((await t.get(`${objects}${unknown}/${path}${query}`)).status).toBe(404)
    }
  })

  it('still answers well-formed values', async () => {
    for (const query of [
      'match[version]=all',
      'match[version]=first,last',
      `match[version]=${stored.modified}`,
      'match[spec_version]=2.1',
      'match[type]=indicator, malware',
      'match[type]=indicator&match[type]=malware',
    ])
      expect((await t.get(`${objects}?${query}`)).status, query).toBe(200)
    const body = (await (await t.get(`${objects}?match[spec_version]=2.1`)).json()) as { objects: unknown[] }
    expect(body.objects).toHaveLength(1)
  })
})
