import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { STORES } from '../helpers/stores.js'
import { indicator, intrusionSet, T0 } from './fixtures.js'

describe.each(STORES)('TAXII API on $name', (adapter) => {
  let t: TestNode
  let collectionId: string
  let hiddenId: string
  let partnerKey: string
  let writerKey: string
  const root = '/intel'

  beforeAll(async () => {
    t = await startTestNode({}, adapter)
    const c = await createCollection(t.node.store, {
      apiRoot: 'intel',
      title: 'Maritime routes',
      alias: 'maritime-routes',
    })
    collectionId = c.id
    hiddenId = (
      await createCollection(t.node.store, { apiRoot: 'intel', title: 'Networks', alias: 'networks' })
    ).id
    const { policy } = t.node.services
    await policy.addPartner({ id: 'isles', name: 'Isles Coast Guard', kind: 'coast-guard' }, 'test')
    await policy.putAgreement({ partner: 'isles', collections: [collectionId], maxTlp: 'red' }, 'test')
    const partner = await createPrincipal(t.node.store, {
      name: 'Isles Coast Guard',
      role: 'partner',
      partnerId: 'isles',
    })
    partnerKey = partner.apiKey
    const writer = await createPrincipal(t.node.store, {
      name: 'Feed writer',
      role: 'partner',
      partnerId: 'writer',
    })
    writerKey = writer.apiKey
    await t.node.store.setGrant({
      principalId: writer.principal.id,
      collectionId,
      canRead: false,
      canWrite: true,
    })
  })
  afterAll(async () => t.stop())

  async function json(res: Response) {
    expect(res.headers.get('content-type')).toBe(TAXII)
    return res.json() as Promise<any>
  }

  describe('discovery and API roots', () => {
    it('builds every URL from the public base URL', async () => {
      const body = await json(await t.get('/taxii2/'))
      expect(body.api_roots).toEqual([`${t.url}/intel/`])
      expect(body.default).toBe(`${t.url}/intel/`)
      expect(body.title).toBe('Sluice')
    })

    it('describes an API root with the TAXII version and max_content_length', async () => {
      const body = await json(await t.get(`${root}/`))
      expect(body.versions).toEqual([TAXII])
      expect(body.max_content_length).toBe(t.node.config.maxContentLength)
    })

    it('answers an unknown API root with a TAXII 404', async () => {
      const res = await t.get('/nowhere/')
      expect(res.status).toBe(404)
      expect((await json(res)).http_status).toBe('404')
    })
  })

  describe('authentication and negotiation', () => {
    it('refuses a missing or wrong key with 401 and a challenge', async () => {
      const anonymous = await fetch(`${t.url}/taxii2/`, { headers: { Accept: TAXII } })
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic')
      expect((await json(anonymous)).title).toBe('Unauthorized')
      const wrong = await t.get(
        '/taxii2/',
        'sluice_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      )
      expect(wrong.status).toBe(401)
    })

    it('accepts the key as the Basic password', async () => {
      const basic = Buffer.from(`anyone:${t.adminKey}`).toString('base64')
      const res = await fetch(`${t.url}/taxii2/`, {
        headers: { Accept: TAXII, Authorization: `Basic ${basic}` },
      })
      expect(res.status).toBe(200)
    })

    it('answers 406 to an Accept it cannot satisfy, and accepts wildcards', async () => {
      expect(
        (await t.get('/taxii2/', undefined, { Accept: 'application/taxii+json;version=2.0' })).status,
      ).toBe(406)
      expect((await t.get('/taxii2/', undefined, { Accept: 'text/html' })).status).toBe(406)
      expect((await t.get('/taxii2/', undefined, { Accept: '*/*' })).status).toBe(200)
    })

    it('lets the most specific Accept range decide, so an explicit q=0 refuses what a wildcard allows', async () => {
      const status = async (accept: string) => (await t.get('/taxii2/', undefined, { Accept: accept })).status
      expect(await status(`${TAXII};q=0, */*;q=0.1`)).toBe(406)
      expect(await status('application/taxii+json;q=0, application/*')).toBe(406)
      expect(await status(`application/taxii+json;q=0, ${TAXII}`)).toBe(200)
      expect(await status(`*/*;q=0, ${TAXII};q=0.5`)).toBe(200)
      expect(await status('application/taxii+json;version=2.0, */*;q=0.2')).toBe(200)
      expect(await status(`${TAXII};q=abc`)).toBe(406)
    })

    it('answers 415 to a POST that is not TAXII JSON', async () => {
      const res = await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [] }, undefined, {
        'Content-Type': 'application/json',
      })
      expect(res.status).toBe(415)
    })

    it('answers 405 with Allow for a method an endpoint lacks', async () => {
      const res = await fetch(`${t.url}${root}/collections/`, {
        method: 'PUT',
        headers: { Accept: TAXII, Authorization: `Bearer ${t.adminKey}` },
      })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET')
    })
  })

  describe('collections', () => {
    it('lists only the collections a principal may know of', async () => {
      const admin = await json(await t.get(`${root}/collections/`))
      expect(admin.collections.map((c: any) => c.id).sort()).toEqual([collectionId, hiddenId].sort())
      const partner = await json(await t.get(`${root}/collections/`, partnerKey))
      expect(partner.collections).toEqual([
        {
          id: collectionId,
          title: 'Maritime routes',
          alias: 'maritime-routes',
          can_read: true,
          can_write: false,
          media_types: ['application/stix+json;version=2.1'],
        },
      ])
    })

    it('answers a hidden collection exactly like a missing one', async () => {
      const hidden = await t.get(`${root}/collections/${hiddenId}/`, partnerKey)
      const missing = await t.get(`${root}/collections/00000000-0000-4000-8000-000000000000/`, partnerKey)
      expect(hidden.status).toBe(404)
      expect(await hidden.text()).toBe(await missing.text())
    })
  })

  describe('objects, versions and manifest', () => {
    const v1 = indicator(1, '2026-01-05T08:00:00.000Z')
    const v2 = indicator(1, '2026-02-05T08:00:00.000Z', { name: 'Broker relay 1 (revised)' })
    const set = intrusionSet(2, 'Red Heron network')

    beforeAll(async () => {
      const res = await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [v1, set, v2] })
      expect(res.status).toBe(202)
    })

    it('returns a status resource with a success per object and a reason per failure', async () => {
      const bad = { ...indicator(3), modified: 'yesterday' }
      const res = await t.post(`${root}/collections/${collectionId}/objects/`, {
        objects: [indicator(4), bad, 'text'],
      })
      const status = await json(res)
      expect(status).toMatchObject({
        status: 'complete',
        total_count: 3,
        success_count: 1,
        failure_count: 2,
        pending_count: 0,
      })
      expect(status.failures[0].id).toBe(bad.id)
      expect(status.failures[0].message).toContain('modified')
      // TAXII timestamps carry microseconds, and TAXII has no empty lists: none pending, no pendings key
      expect(status.request_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      expect(status).not.toHaveProperty('pendings')
      expect(status.successes).toHaveLength(1)
      const again = await json(await t.get(`${root}/status/${status.id}/`))
      expect(again.id).toBe(status.id)
      expect((await t.get(`${root}/status/${status.id}/`, partnerKey)).status).toBe(404)
    })

    it('refuses a bundle posted as an object, which would carry its members past marking resolution', async () => {
      const member = indicator(40)
      const bundle = { type: 'bundle', id: 'bundle--44298a74-0000-4000-8000-000000000040', objects: [member] }
      const status = await json(
        await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [bundle] }),
      )
      expect(status).toMatchObject({ success_count: 0, failure_count: 1 })
      expect(status.failures[0]).toMatchObject({ id: bundle.id })
      expect(status.failures[0].message).toContain('a bundle is not a STIX object')
      for (const id of [bundle.id, member.id])
        expect((await t.get(`${root}/collections/${collectionId}/objects/${id}/`)).status).toBe(404)
    })

    it('gives every status detail the version TAXII requires, for objects without modified too', async () => {
      const sco = {
        type: 'ipv4-addr',
        spec_version: '2.1',
        id: 'ipv4-addr--efb3cb24-5b02-57b0-adb6-64563650dafa',
        value: '198.51.100.77',
      }
      const bare = { type: 'indicator', id: 'indicator--no-such-shape' }
      const res = await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [sco, bare] })
      const status = await json(res)
      expect(status.successes).toHaveLength(1)
      expect(status.failures).toHaveLength(1)
      const manifest = await json(
        await t.get(`${root}/collections/${collectionId}/manifest/?match[id]=${sco.id}`),
      )
      expect(status.successes[0]).toEqual({ id: sco.id, version: manifest.objects[0].version })
      expect(status.failures[0]).toMatchObject({ id: bare.id, version: status.request_timestamp })
      // posted again: unchanged, and its version is still the one the manifest names, not this request's time
      const again = await json(
        await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [sco] }),
      )
      expect(again.request_timestamp).not.toBe(manifest.objects[0].version)
      expect(again.successes).toEqual([
        { id: sco.id, version: manifest.objects[0].version, message: 'already stored; nothing changed' },
      ])
    })

    it('rejects an indicator whose STIX pattern is malformed or names an unknown property, saying where', async () => {
      const syntax = indicator(30, T0, { pattern: "[ipv4-addr:value = '198.51.100.1'" })
      const path = indicator(31, T0, { pattern: "[ipv4-addr:colour = 'red']" })
      const res = await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [syntax, path] })
      const status = await json(res)
      expect(status.failure_count).toBe(2)
      const byId = new Map(status.failures.map((f: any) => [f.id, f.message]))
      expect(byId.get(syntax.id)).toMatch(/pattern syntax error at column \d+/)
      expect(byId.get(path.id)).toMatch(/pattern semantic error at column \d+.*colour/)
    })

    it('serves the latest versions with date-added headers', async () => {
      const res = await t.get(`${root}/collections/${collectionId}/objects/?match[id]=${v1.id}`)
      const body = await json(res)
      expect(body.objects).toEqual([v2])
      expect(body.more).toBe(false)
      expect(res.headers.get('x-taxii-date-added-first')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    })

    it('serves the exact bytes it was given, in key order', async () => {
      const res = await t.get(`${root}/collections/${collectionId}/objects/${set.id}/`)
      expect(await res.text()).toBe(`{"more":false,"objects":[${JSON.stringify(set)}]}`)
    })

    it('filters by type and version', async () => {
      const byType = await json(
        await t.get(`${root}/collections/${collectionId}/objects/?match[type]=intrusion-set`),
      )
      expect(byType.objects.map((o: any) => o.id)).toEqual([set.id])
      const all = await json(
        await t.get(`${root}/collections/${collectionId}/objects/${v1.id}/?match[version]=all`),
      )
      expect(all.objects.map((o: any) => o.modified)).toEqual([v1.modified, v2.modified])
      const first = await json(
        await t.get(`${root}/collections/${collectionId}/objects/${v1.id}/?match[version]=first`),
      )
      expect(first.objects).toEqual([v1])
    })

    it('lists versions and the manifest', async () => {
      const versions = await json(
        await t.get(`${root}/collections/${collectionId}/objects/${v1.id}/versions/`),
      )
      expect(versions.versions).toEqual([v1.modified, v2.modified])
      const manifest = await json(
        await t.get(`${root}/collections/${collectionId}/manifest/?match[id]=${set.id}`),
      )
      expect(manifest.objects).toEqual([
        {
          id: set.id,
          date_added: expect.any(String),
          version: T0,
          media_type: 'application/stix+json;version=2.1',
        },
      ])
    })

    it('pages with limit and next, and refuses a forged or foreign cursor', async () => {
      const page1 = await json(await t.get(`${root}/collections/${collectionId}/objects/?limit=1`))
      expect(page1.more).toBe(true)
      const page2 = await json(
        await t.get(
          `${root}/collections/${collectionId}/objects/?limit=1&next=${encodeURIComponent(page1.next)}`,
        ),
      )
      expect(page2.objects[0].id).not.toBe(page1.objects[0].id)
      // one bit of the sealed bytes flipped, the token still well-formed base64url
      const bytes = Buffer.from(page1.next, 'base64url')
      bytes[bytes.length >> 1]! ^= 1
      const forged = bytes.toString('base64url')
      expect(
        (await t.get(`${root}/collections/${collectionId}/objects/?next=${encodeURIComponent(forged)}`))
          .status,
      ).toBe(400)
      const foreign = await t.get(
        `${root}/collections/${collectionId}/objects/?limit=1&next=${encodeURIComponent(page1.next)}`,
        partnerKey,
      )
      expect(foreign.status).toBe(400)
      const otherFilters = await t.get(
        `${root}/collections/${collectionId}/objects/?match[type]=tool&next=${encodeURIComponent(page1.next)}`,
      )
      expect(otherFilters.status).toBe(400)
    })

    it('rejects malformed filters with a TAXII 400', async () => {
      for (const query of ['limit=0', 'limit=abc', 'added_after=yesterday', 'match[version]=newest']) {
        const res = await t.get(`${root}/collections/${collectionId}/objects/?${query}`)
        expect(res.status, query).toBe(400)
        expect((await json(res)).http_status).toBe('400')
      }
    })

    it('answers 404 for an unknown object and its versions', async () => {
      expect(
        (
          await t.get(
            `${root}/collections/${collectionId}/objects/indicator--00000000-0000-4000-8000-000000000000/`,
          )
        ).status,
      ).toBe(404)
      expect(
        (
          await t.get(
            `${root}/collections/${collectionId}/objects/indicator--00000000-0000-4000-8000-000000000000/versions/`,
          )
        ).status,
      ).toBe(404)
    })

    it('enforces read and write permissions with 403', async () => {
      expect(
        (await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [] }, partnerKey)).status,
      ).toBe(403)
      expect((await t.get(`${root}/collections/${collectionId}/objects/`, writerKey)).status).toBe(403)
      expect(
        (await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [indicator(9)] }, writerKey))
          .status,
      ).toBe(202)
    })

    it('deletes an object for an admin only', async () => {
      const victim = indicator(20)
      await t.post(`${root}/collections/${collectionId}/objects/`, { objects: [victim] })
      const path = `${root}/collections/${collectionId}/objects/${victim.id}/`
      expect(
        (
          await fetch(`${t.url}${path}`, {
            method: 'DELETE',
            headers: { Accept: TAXII, Authorization: `Bearer ${partnerKey}` },
          })
        ).status,
      ).toBe(403)
      const deleted = await fetch(`${t.url}${path}`, {
        method: 'DELETE',
        headers: { Accept: TAXII, Authorization: `Bearer ${t.adminKey}` },
      })
      expect(deleted.status).toBe(200)
      // no body (TAXII 2.1 §5.7), so no media type a client would try to parse as one
      expect(await deleted.text()).toBe('')
      expect(deleted.headers.get('content-type')).toBeNull()
      expect((await t.get(path)).status).toBe(404)
    })
  })

  describe('limits against abuse', () => {
    it('refuses a body over max_content_length with 413', async () => {
      const big = 'x'.repeat(t.node.config.maxContentLength + 1)
      const res = await t.post(`${root}/collections/${collectionId}/objects/`, big)
      expect(res.status).toBe(413)
    })

    it('refuses deep nesting, broken JSON and invalid UTF-8 with 400', async () => {
      const deep = `{"objects":[${'['.repeat(200)}${']'.repeat(200)}]}`
      expect((await t.post(`${root}/collections/${collectionId}/objects/`, deep)).status).toBe(400)
      expect((await t.post(`${root}/collections/${collectionId}/objects/`, '{"objects": [')).status).toBe(400)
      const invalidUtf8 = await fetch(`${t.url}${root}/collections/${collectionId}/objects/`, {
        method: 'POST',
        headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: `Bearer ${t.adminKey}` },
        body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      })
      expect(invalidUtf8.status).toBe(400)
    })

    it('refuses path tricks without reaching a handler', async () => {
      const res = await t.get(`${root}/collections/%2e%2e/objects/`)
      expect(res.status).toBe(404)
      const bad = await t.get(`${root}/collections/%E0%A4%A/objects/`)
      expect(bad.status).toBe(404)
    })
  })
})
