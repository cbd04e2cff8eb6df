/**
 * The feed against a TAXII 2.1 server that is not Sluice: a minimal one written here from the
 * specification (discovery, API root, collections, objects with added_after / limit / next /
 * match[version], the X-TAXII-Date-Added headers, HTTP Basic authentication). It shares no code with
 * Sluice's server.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineFeed } from '../../src/federation/definitions.js'
import { pollFeed } from '../../src/federation/feed.js'
import { type FedNode, fedNode, ind, versions } from './helpers.js'

const MEDIA = 'application/taxii+json;version=2.1'
const USER = 'sluice-bravo'
const PASSWORD = 'correct-horse-battery'

interface Entry {
  object: Record<string, unknown>
  dateAdded: string
}

/** A spec-shaped TAXII 2.1 server over one in-memory collection. `useNext: false` pages with added_after only. */
function specServer(options: { useNext: boolean; maxPage: number }) {
  const entries: Entry[] = []
  let clock = Date.parse('2026-01-10T00:00:00.000Z')
  const requests: string[] = []
  const send = (
    res: import('node:http').ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'Content-Type': MEDIA, ...headers }).end(JSON.stringify(body))
  }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://spec.invalid')
    requests.push(url.pathname + url.search)
    if (req.headers.authorization !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) {
      return send(
        res,
        401,
        { title: 'Unauthorized', http_status: '401' },
        { 'WWW-Authenticate': 'Basic realm="taxii"' },
      )
    }
    if (!String(req.headers.accept ?? '').includes('application/taxii+json'))
      return send(res, 406, { title: 'Not Acceptable', http_status: '406' })
    const path = url.pathname
    if (path === '/taxii2/')
      return send(res, 200, { title: 'Spec server', default: '/api1/', api_roots: ['/api1/'] })
    if (path === '/api1/')
      return send(res, 200, { title: 'API root', versions: [MEDIA], max_content_length: 1_000_000 })
    if (path === '/api1/collections/')
      return send(res, 200, {
        collections: [
          {
            id: 'c0ffee00-0000-4000-8000-000000000001',
            title: 'Spec collection',
            can_read: true,
            can_write: false,
            media_types: [MEDIA.replace('taxii', 'stix')],
          },
        ],
      })
    const m = /^\/api1\/collections\/c0ffee00-0000-4000-8000-000000000001\/objects\/$/.exec(path)
    if (!m) return send(res, 404, { title: 'Not found', http_status: '404' })
    const q = url.searchParams
    const addedAfter = q.get('added_after')
    const version = q.get('match[version]') ?? 'last'
    const limit = Math.min(Number(q.get('limit') ?? options.maxPage), options.maxPage)
    let matching = entries.filter((e) => !addedAfter || Date.parse(e.dateAdded) > Date.parse(addedAfter))
    if (version !== 'all') {
      const latest = new Map<string, Entry>()
      for (const e of matching) {
        const id = e.object.id as string
        const prev = latest.get(id)
        if (!prev || String(e.object.modified) > String(prev.object.modified)) latest.set(id, e)
      }
      matching = matching.filter((e) => latest.get(e.object.id as string) === e)
    }
    let offset = 0
    const next = q.get('next')
    if (next !== null) {
      if (!options.useNext || !/^o\d+$/.test(next))
        return send(res, 400, { title: 'Bad next', http_status: '400' })
      offset = Number(next.slice(1))
    }
    const page = matching.slice(offset, offset + limit)
    const more = offset + limit < matching.length
    const headers: Record<string, string> =
      page.length > 0
        ? {
            'X-TAXII-Date-Added-First': page[0]!.dateAdded,
            'X-TAXII-Date-Added-Last': page.at(-1)!.dateAdded,
          }
        : {}
    const body = {
      more,
      ...(more && options.useNext ? { next: `o${offset + limit}` } : {}),
      ...(page.length > 0 ? { objects: page.map((e) => e.object) } : {}),
    }
    return send(res, 200, body, headers)
  })
  return {
    server,
    requests,
    add(objects: Record<string, unknown>[]) {
      for (const object of objects) {
        clock += 7
        entries.push({ object, dateAdded: new Date(clock).toISOString() })
      }
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
  }
}

let bravo: FedNode
beforeAll(async () => {
  bravo = await fedNode('bravo')
  await bravo.t.node.services.policy.addPartner(
    { id: 'spec-partner', name: 'Spec partner (fictional)', kind: 'other' },
    'test',
  )
})
afterAll(async () => bravo.t.stop())

describe.each([
  { useNext: true, maxPage: 8 },
  { useNext: false, maxPage: 5 },
])('a feed from an independent TAXII 2.1 server (next: $useNext)', (options) => {
  it('receives every version, resumes, and reports no ledger', async () => {
    const spec = specServer(options)
    const base = await spec.listen()
    try {
      const n = options.useNext ? 1000 : 2000
      spec.add(Array.from({ length: 17 }, (_, i) => ind(n + i)))
      spec.add([ind(n, 'green', { modified: '2026-01-07T00:00:00.000Z' })])
      const feed = await defineFeed(
        bravo.ctx,
        {
          id: `spec-${options.useNext}`,
          url: `${base}/api1/`,
          collection: 'c0ffee00-0000-4000-8000-000000000001',
          key: `${USER}:${PASSWORD}`,
          auth: 'basic',
          into: bravo.collectionId,
          partner: 'spec-partner',
          pageSize: 10,
        },
        'test',
      )
      const first = await pollFeed(bravo.ctx, feed)
      expect(first.health.lastError).toBeUndefined()
      expect(first.health.counts.added).toBe(18)
      expect(first.ledger.status).toBe('unavailable')
      const mine = (await versions(bravo)).filter(
        (v) =>
          v.startsWith('indicator--') &&
          Number.parseInt(v.slice(11, 19), 16) >= n &&
          Number.parseInt(v.slice(11, 19), 16) < n + 100,
      )
      expect(mine).toHaveLength(18)
      expect(
        spec.requests.every((r) => !r.includes('/objects/') || r.includes('match%5Bversion%5D=all')),
      ).toBe(true)

      spec.add([ind(n + 50), ind(n + 51)])
      const before = spec.requests.length
      const second = await pollFeed(bravo.ctx, feed)
      expect(second.health.counts.added).toBe(20)
      expect(second.health.counts.unchanged ?? 0).toBe(0)
      expect(spec.requests.slice(before).filter((r) => r.includes('/objects/'))).toHaveLength(1)
      expect((await bravo.store.provenance([ind(n + 50).id]))[0]).toMatchObject({
        partnerId: 'spec-partner',
        feedId: feed.id,
      })
    } finally {
      spec.server.close()
    }
  })
})

it("reports a wrong password as a failure with the server's reason", async () => {
  const spec = specServer({ useNext: true, maxPage: 5 })
  const base = await spec.listen()
  try {
    const feed = await defineFeed(
      bravo.ctx,
      {
        id: 'spec-badauth',
        url: `${base}/api1/`,
        collection: 'c0ffee00-0000-4000-8000-000000000001',
        key: `${USER}:wrong`,
        auth: 'basic',
        into: bravo.collectionId,
        partner: 'spec-partner',
      },
      'test',
    )
    const state = await pollFeed(bravo.ctx, feed)
    expect(state.health.lastError?.message).toMatch(/401: Unauthorized/)
  } finally {
    spec.server.close()
  }
})
