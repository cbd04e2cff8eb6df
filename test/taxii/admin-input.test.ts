import { connect } from 'node:net'
/**
 * The admin API refuses what it cannot honour exactly, naming the field: a suspension body with a misspelt,
 * mistyped or empty narrowing used to be issued as a whole-partner suspension.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { PolicyChangedError } from '../../src/store/errors.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'

let t: TestNode
/** A feed definition the node accepts, for bodies that change one field of it. */
const FEED = {
  url: 'https://peer.invalid/taxii2/intel/',
  collection: 'c',
  key: 'k',
  partner: 'isles',
  into: 'routes',
}

beforeAll(async () => {
  t = await startTestNode()
  await createCollection(t.node.store, { apiRoot: 'intel', title: 'Routes', alias: 'routes' })
  await t.node.services.policy.addPartner(
    { id: 'isles', name: 'Isles Coast Guard', kind: 'coast-guard' },
    'test',
  )
})
afterAll(async () => t?.stop())

/** Writes `request` as is on a connection of its own and returns all the node sent before closing it. */
function exchange(request: string): Promise<string> {
  const { port } = new URL(t.url)
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request))
    let text = ''
    socket.on('data', (d) => (text += d))
    socket.on('close', () => resolve(text))
    socket.on('error', reject)
  })
}

async function error(res: Response) {
  expect(res.headers.get('content-type')).toBe(TAXII)
  return (await res.json()) as {
    title: string
    description?: string
    error_code?: string
    http_status: string
  }
}

async function refused(path: string, body: unknown) {
  const res = await t.post(path, body)
  expect(res.status).toBe(400)
  return (await error(res)).description
}

const orders = async () => (await t.node.services.policy.history()).orders

describe('POST /admin/orders/suspend', () => {
  const base = { partner: 'isles', reason: 'leak inquiry' }

  it.each([
    [{ scope: { collections: ['routes'] } }, 'unknown field "scope"'],
    [{ collection: ['routes'] }, 'unknown field "collection"'],
    [{ above_tlp: 5 }, 'above_tlp must be a non-empty string'],
    [{ above_tlp: '' }, 'above_tlp must be a non-empty string'],
    [{ collections: [] }, 'collections must be a non-empty list of non-empty strings'],
    [{ object_types: [] }, 'object_types must be a non-empty list of non-empty strings'],
    [{ markings: 'marking-definition--x' }, 'markings must be a non-empty list of non-empty strings'],
    [{ labels: [''] }, 'labels must be a non-empty list of non-empty strings'],
    [{ collections: null }, 'collections must be a non-empty list of non-empty strings'],
    [{ reference: ['r'] }, 'reference must be a non-empty string'],
    // a narrowing that can match nothing would suspend nothing while it reads as in force
    [
      { object_types: ['indicators'] },
      'object type "indicators" is neither a STIX 2.1 type nor that of any object on this node; did you mean "indicator"?',
    ],
    [{ object_types: ['Not A Type'] }, 'object type "Not A Type" is not a STIX type name'],
    [{ markings: ['tlp:red'] }, 'marking "tlp:red" is not a marking-definition id'],
    [
      { markings: ['marking-definition--00000000-0000-4000-8000-00000000beef'] },
      'no marking-definition "marking-definition--00000000-0000-4000-8000-00000000beef" is known to this node',
    ],
    [{ effective_from: '2026-02-30T00:00:00Z' }, '2026-02-30T00:00:00Z is not on the calendar'],
    [{ effective_from: '2026-06-31T09:00:00.000Z' }, '2026-06-31T09:00:00.000Z is not on the calendar'],
    // the policy would read it, but the console's views (JavaScript dates) would not
    [
      { effective_from: '2026-03-01T23:59:60Z' },
      '2026-03-01T23:59:60Z names a leap second; give the second before or after it',
    ],
    [{ effective_from: 'tomorrow' }, 'must be an RFC 3339 UTC timestamp'],
    [
      { effective_from: '9999-12-31T23:59:59.999999Z' },
      'is outside the span this node can record (1684-07-28 to 2255-06-05)',
    ],
    // the span is what a double holds in microseconds, not whole years
    [{ effective_from: '2255-09-01T00:00:00Z' }, 'is outside the span this node can record'],
    // `policy history` prints both; a forged line there would read as another order
    [{ reference: 'MO-7\n2026-01-01 RESUME all' }, 'the reference must be one line of printable characters'],
    [{ reason: 'inquiry \u202e' }, 'a reason must be printable text'],
    [{ reason: 'inquiry\u0000' }, 'a reason must be printable text'],
  ])('refuses %j naming the field, and issues nothing', async (extra, message) => {
    const before = (await orders()).length
    expect(await refused('/admin/orders/suspend', { ...base, ...extra })).toContain(message)
    expect(await orders()).toHaveLength(before)
  })

  it('takes a reason of several lines, as the console text box gives it', async () => {
    const res = await t.post('/admin/orders/suspend', {
      ...base,
      reason: 'leak inquiry\r\nsee the minister’s note',
    })
    expect(res.status).toBe(201)
    const order = (await res.json()) as { id: string; reason: string }
    expect(order.reason).toBe('leak inquiry\nsee the minister’s note')
    expect((await t.post(`/admin/orders/${order.id}/resume`, { reason: 'closed' })).status).toBe(201)
  })

  it('refuses a field given twice rather than act on the last one', async () => {
    const before = (await orders()).length
    const res = await fetch(`${t.url}/admin/orders/suspend`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.adminKey}`, 'Content-Type': 'application/json' },
      body: '{"partner":"isles","reason":"x","partner":"someone-else"}',
    })
    expect(res.status).toBe(400)
    expect((await error(res)).description).toBe('the field "partner" is given more than once')
    expect(await orders()).toHaveLength(before)
  })

  it('lists the fields it takes when refusing an unknown one', async () => {
    expect(await refused('/admin/orders/suspend', { ...base, scope: {} })).toBe(
      'unknown field "scope"; this request takes partner, collections, object_types, markings, labels, above_tlp, effective_from, reference, reason',
    )
  })

  it('still issues a narrowed suspension from a well-formed body', async () => {
    const res = await t.post('/admin/orders/suspend', {
      ...base,
      collections: ['routes'],
      above_tlp: 'AMBER',
    })
    expect(res.status).toBe(201)
    const order = (await res.json()) as { scope: Record<string, unknown> }
    expect(Object.keys(order.scope).sort()).toEqual(['above_tlp', 'collections'])
  })
})

describe('the other admin bodies', () => {
  it('POST /admin/partners names the bad field, not the derived id', async () => {
    expect(await refused('/admin/partners', { name: 5 })).toBe('name must be a non-empty string')
    expect(await refused('/admin/partners', {})).toBe('name is required')
    expect(await refused('/admin/partners', { name: 'Lake Customs', kidn: 'customs' })).toContain(
      'unknown field "kidn"',
    )
  })

  it('POST /admin/agreements refuses unknown, mistyped and empty fields', async () => {
    const base = { partner: 'isles', max_tlp: 'green' }
    expect(await refused('/admin/agreements', { ...base, collection: ['routes'] })).toContain(
      'unknown field "collection"',
    )
    expect(await refused('/admin/agreements', { ...base, collections: [] })).toBe(
      'collections must be "*" or a non-empty list of non-empty strings',
    )
    expect(await refused('/admin/agreements', { ...base, withdrawn: 'yes' })).toBe(
      'withdrawn must be true or false',
    )
    expect(await refused('/admin/agreements', { ...base, max_tlp: 3 })).toBe(
      'max_tlp must be a non-empty string',
    )
    expect(
      await refused('/admin/agreements', {
        ...base,
        collections: ['routes'],
        valid_until: '2026-11-31T00:00:00Z',
      }),
    ).toBe('valid-until 2026-11-31T00:00:00Z is not on the calendar (no such day, hour, minute or second)')
    expect(
      await refused('/admin/agreements', {
        ...base,
        collections: ['routes'],
        object_types: ['vessel-track'],
      }),
    ).toContain('(a custom type not yet stored must start with x-)')
    expect(
      await refused('/admin/agreements', {
        ...base,
        collections: ['routes'],
        caveats: ['marking-definition--00000000-0000-4000-8000-00000000beef'],
      }),
    ).toContain('is known to this node: import it first, or use a TLP id')
    expect((await t.node.services.policy.history()).agreements).toHaveLength(0)
    expect((await t.post('/admin/agreements', { ...base, collections: ['routes'] })).status).toBe(201)
  })

  it('POST /admin/agreements: a new version keeps its partner when none is named; a new agreement needs one', async () => {
    expect(await refused('/admin/agreements', { collections: ['routes'], max_tlp: 'green' })).toBe(
      'a new agreement needs its partner',
    )
    const made = (await (
      await t.post('/admin/agreements', { partner: 'isles', collections: ['routes'], max_tlp: 'green' })
    ).json()) as { id: string }
    const amended = await t.post('/admin/agreements', {
      id: made.id,
      collections: ['routes'],
      max_tlp: 'amber',
    })
    expect(amended.status).toBe(201)
    expect(await amended.json()).toMatchObject({
      id: made.id,
      version: 2,
      partner_id: 'isles',
      max_tlp: 'amber',
    })
    expect(
      await refused('/admin/agreements', {
        id: 'agreement--nope',
        collections: ['routes'],
        max_tlp: 'amber',
      }),
    ).toBe('no agreement "agreement--nope"; see GET /admin/agreements')
  })

  it('POST /admin/orders/{id}/resume refuses unknown fields', async () => {
    const order = (await (
      await t.post('/admin/orders/suspend', { partner: 'isles', reason: 'to lift' })
    ).json()) as { id: string }
    expect(await refused(`/admin/orders/${order.id}/resume`, { reason: 'done', at: 'now' })).toContain(
      'unknown field "at"',
    )
    expect((await orders()).some((o) => o.kind === 'resumption' && o.lifts === order.id)).toBe(false)
  })

  it('an unknown order, partner or object named in the path is a 404; named in a body, bad input', async () => {
    const notFound = async (res: Response) => {
      expect(res.status).toBe(404)
      return (await error(res)).description
    }
    expect(await notFound(await t.post('/admin/orders/order--nope/resume', { reason: 'r' }))).toBe(
      'no suspension order "order--nope"; see GET /admin/orders',
    )
    expect(await notFound(await t.post('/console-api/impact/resume/order--nope', {}))).toBe(
      'no suspension order "order--nope"',
    )
    expect(await notFound(await t.get('/console-api/partners/nobody'))).toContain('no partner "nobody"')
    expect(
      await notFound(
        await t.get('/console-api/objects/indicator--0b9f5e2a-9a55-4c1e-8f3d-2a6b7c8d9e0f/graph'),
      ),
    ).toContain('is available to you')
    expect(await refused('/admin/orders/suspend', { partner: 'nobody', reason: 'r' })).toContain(
      'no partner "nobody"',
    )
  })

  it('points an API client at the API, not at a CLI command, to see what exists', async () => {
    expect(await refused('/admin/orders/suspend', { partner: 'nobody', reason: 'r' })).toBe(
      'no partner "nobody"; see GET /admin/partners',
    )
    expect(
      await refused('/admin/orders/suspend', { partner: 'isles', reason: 'r', collections: ['nowhere'] }),
    ).toBe('no collection "nowhere"; see GET /{api-root}/collections/')
    expect(await refused('/federation/feeds', { ...FEED, partner: 'nobody' })).toBe(
      'no partner "nobody"; see GET /admin/partners',
    )
  })

  it('POST /admin/principals refuses unknown and mistyped fields', async () => {
    expect(await refused('/admin/principals', { name: 'Desk', role: 'analyst', roles: ['x'] })).toContain(
      'unknown field "roles"',
    )
    expect(await refused('/admin/principals', { name: 'Desk', role: 'analyst', write: [] })).toBe(
      'write must be a non-empty list of non-empty strings',
    )
  })
})

describe('names and what a refused body leaves behind', () => {
  const principals = async () => (await t.node.store.listPrincipals()).map((p) => p.name)

  it('POST /admin/principals stores nothing when a collection or partner it names does not exist', async () => {
    expect(
      await refused('/admin/principals', { name: 'Ghost writer', role: 'analyst', write: ['no-such'] }),
    ).toContain('no collection "no-such"')
    expect(
      await refused('/admin/principals', { name: 'Ghost desk', role: 'partner', partner: 'nobody' }),
    ).toContain('no partner "nobody"')
    expect(
      await refused('/admin/principals', { name: 'Ghost auditor', role: 'auditor', partner: 'nobody' }),
    ).toContain('no partner "nobody"')
    expect(await principals()).not.toEqual(expect.arrayContaining([expect.stringMatching(/^Ghost/)]))
    const made = await t.post('/admin/principals', {
      name: 'Route writer',
      role: 'analyst',
      write: ['routes'],
    })
    expect(made.status).toBe(201)
    // snake_case like every other admin answer, and no key material but the one-time key
    const body = (await made.json()) as { principal: Record<string, unknown>; api_key: string }
    expect(Object.keys(body.principal).sort()).toEqual(['created_at', 'id', 'name', 'role'])
    expect(body.api_key).toMatch(/^sluice_/)
    expect(await principals()).toContain('Route writer')
  })

  it.each([
    ['a newline, which forges a line in every list', 'Lake\nCustoms'],
    ['a right-to-left override, which makes a name read as another', 'Lake \u202eCustoms'],
    ['a first-strong isolate', 'Lake \u2068Customs'],
    ['a NUL', 'Lake\u0000Customs'],
    ['a zero-width space, which makes "Lake Customs" look like it', 'Lake Customs\u200b'],
    ['a word joiner', 'Lake\u2060Customs'],
  ])('refuses a partner or principal name with %s', async (_, name) => {
    expect(await refused('/admin/partners', { id: 'lake', name })).toBe(
      'the partner name must be one line of printable characters',
    )
    expect(await refused('/admin/principals', { name, role: 'analyst' })).toBe(
      'the principal name must be one line of printable characters',
    )
    expect((await t.node.services.policy.history()).partners.map((p) => p.id)).not.toContain('lake')
  })

  it('refuses a name or reason holding a lone surrogate, which no UTF-8 reader would show alike', async () => {
    expect(await refused('/admin/partners', { id: 'lake', name: 'Lake \ud800Customs' })).toBe(
      'the partner name is not well-formed Unicode (it holds a lone surrogate)',
    )
    expect(await refused('/admin/orders/suspend', { partner: 'isles', reason: 'cut \udc00' })).toBe(
      'a reason is not well-formed Unicode (it holds a lone surrogate)',
    )
    // a pair is one character, and a name may use the joiners a script needs
    const made = await t.post('/admin/partners', { id: 'lake', name: 'Lake 🚢 Customs \u200c' })
    expect(made.status).toBe(201)
  })

  it('refuses a collection alias that is not a URL-safe name, whoever creates it', async () => {
    for (const alias of ['a/b', 'two words', ''])
      await expect(
        createCollection(t.node.store, { apiRoot: 'intel', title: 'Bad alias', alias }),
      ).rejects.toThrow(`the alias "${alias}" must be 1-64 letters`)
    expect((await t.node.store.listCollections()).map((c) => c.title)).not.toContain('Bad alias')
  })

  it('gives each partner its own id and name, since commands name a partner by either', async () => {
    // "Isles Coast Guard" is partner "isles"; a second partner by that name would capture its orders
    expect(await refused('/admin/partners', { id: 'isles-2', name: 'Isles Coast Guard' })).toBe(
      '"Isles Coast Guard" already names partner "isles"; each partner needs its own id and name',
    )
    expect(await refused('/admin/partners', { id: 'harbour', name: 'isles' })).toBe(
      '"isles" already names partner "isles"; each partner needs its own id and name',
    )
    expect(await refused('/admin/partners', { id: 'isles', name: 'Other Isles' })).toBe(
      'partner "isles" already exists',
    )
    // the identity tells which objects a partner created, which never go back to it
    const isles = (await t.node.services.policy.history()).partners.find((p) => p.id === 'isles')!
    expect(
      await refused('/admin/partners', {
        id: 'isles-twin',
        name: 'Isles Twin',
        identity_id: isles.identity_id,
      }),
    ).toBe(`the identity ${isles.identity_id} is already partner "isles"'s; each partner has its own`)
    expect(await refused('/admin/partners', { name: 'Ωμέγα' })).toBe(
      'no partner id can be made from the name "Ωμέγα"; give one (2-63 lowercase letters, digits or hyphens)',
    )
    const partners = (await t.node.services.policy.history()).partners
    expect(partners.filter((p) => p.id === 'isles' || p.name === 'Isles Coast Guard')).toHaveLength(1)
    expect((await t.post('/admin/partners', { id: 'omega', name: 'Ωμέγα' })).status).toBe(201)
  })
})

describe('POST bodies are declared as JSON', () => {
  const send = (path: string, body: string, type?: string) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.adminKey}`, ...(type ? { 'Content-Type': type } : {}) },
      body,
    })
  const order = JSON.stringify({ partner: 'isles', reason: 'forged by a web page' })

  it.each([
    ['text/plain', 'text/plain'],
    ['a urlencoded form', 'application/x-www-form-urlencoded'],
    ['a multipart form', 'multipart/form-data; boundary=x'],
    ['no Content-Type', undefined],
  ])(
    'refuses a change sent as %s, which a cross-site form could send, and issues nothing',
    async (_, type) => {
      const before = (await orders()).length
      const res = await send('/admin/orders/suspend', order, type)
      expect(res.status).toBe(415)
      expect(await error(res)).toMatchObject({
        description: 'send the body as Content-Type: application/json',
        error_code: 'unsupported-media-type',
        http_status: '415',
      })
      expect(await orders()).toHaveLength(before)
    },
  )

  it('grants no CORS preflight, so a cross-site page cannot send a JSON body at all', async () => {
    const res = await fetch(`${t.url}/admin/orders/suspend`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://evil.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, authorization',
      },
    })
    expect(res.ok).toBe(false)
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('refuses a form type even with an empty body, and takes JSON types with parameters', async () => {
    expect((await send('/federation/feeds', '', 'application/x-www-form-urlencoded')).status).toBe(415)
    const before = (await orders()).length
    for (const type of [
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/taxii+json;version=2.1',
    ])
      expect((await send('/admin/orders/suspend', order, type)).status, type).toBe(201)
    expect(await orders()).toHaveLength(before + 3)
  })
})

describe('console previews and federation bodies', () => {
  it('POST /console-api/impact/suspend takes the order scope and nothing else', async () => {
    expect(
      await refused('/console-api/impact/suspend', { partner: 'isles', collection: ['routes'] }),
    ).toContain('unknown field "collection"')
    expect(await refused('/console-api/impact/suspend', { partner: 'isles', labels: [] })).toBe(
      'labels must be a non-empty list of non-empty strings',
    )
    const res = await t.post('/console-api/impact/suspend', { partner: 'isles', collections: ['routes'] })
    expect(res.ok).toBe(true)
  })

  it('POST /federation/feeds refuses a page size that is not a whole number, and defines nothing', async () => {
    expect(await refused('/federation/feeds', { ...FEED, page_size: '50' })).toBe(
      'page_size must be a whole number',
    )
    expect(await refused('/federation/feeds', { ...FEED, intoo: 'routes' })).toContain(
      'unknown field "intoo"',
    )
    expect(await (await t.get('/federation/feeds')).json()).toEqual([])
  })

  it('POST /federation/withdrawals refuses a partner list given as one string', async () => {
    expect(
      await refused('/federation/withdrawals', { object_id: 'indicator--x', reason: 'r', partners: 'isles' }),
    ).toBe('partners must be a non-empty list of non-empty strings')
  })

  it('POST /federation/withdrawals refuses an object this node does not hold, and records nothing', async () => {
    for (const revoke of [false, true]) {
      const res = await t.post('/federation/withdrawals', {
        object_id: 'indicator--00000000-0000-4000-8000-00000000dead',
        reason: 'mistyped',
        partners: ['isles'],
        revoke,
      })
      expect(res.status).toBe(404)
      expect((await error(res)).description).toBe(
        'no object indicator--00000000-0000-4000-8000-00000000dead at this node',
      )
    }
    const listed = (await (await t.get('/federation/withdrawals')).json()) as { withdrawals: unknown[] }
    expect(listed.withdrawals).toEqual([])
  })

  it('an action without a body refuses one with fields', async () => {
    expect(await refused('/federation/feeds/none/poll', { now: true })).toContain('unknown field "now"')
  })
})

describe('admin list filters', () => {
  it('GET /admin/agreements?partner= takes a name like the other filters and refuses an unknown partner', async () => {
    const byName = await t.get('/admin/agreements?partner=Isles%20Coast%20Guard')
    expect(byName.status).toBe(200)
    expect(((await byName.json()) as unknown[]).length).toBeGreaterThan(0)
    const unknown = await t.get('/admin/agreements?partner=nobody')
    expect(unknown.status).toBe(400)
    expect((await error(unknown)).description).toContain('no partner "nobody"')
  })
})

describe('GET /admin/approvals?status=', () => {
  let four: TestNode
  beforeAll(async () => {
    four = await startTestNode({ fourEyes: true })
  })
  afterAll(async () => four?.stop())

  it('answers a known status', async () => {
    expect((await four.get('/admin/approvals?status=pending')).status).toBe(200)
  })

  it('refuses an unknown status, naming the allowed ones', async () => {
    const res = await four.get('/admin/approvals?status=bogus')
    expect(res.status).toBe(400)
    expect((await error(res)).description).toBe('status must be one of pending, approved, rejected')
  })
})

describe('errors outside the routes', () => {
  it.each(['/admin/nowhere', '/ledger/nowhere', '/console-api/nowhere', '/search/nowhere', '/admin'])(
    '%s answers a TAXII 404',
    async (path) => {
      const res = await t.get(path)
      expect(res.status).toBe(404)
      expect(await error(res)).toEqual({
        title: 'Not found',
        description: expect.stringMatching(/^no [a-z-]+ endpoint at this path$/),
        error_code: 'no-endpoint',
        http_status: '404',
      })
    },
  )

  it('HEAD on a TAXII read is refused with Allow, and discloses nothing to the ledger', async () => {
    const { store } = t.node
    const collection = (await store.listCollections()).find((c) => c.alias === 'routes')!.id
    await t.post(`/intel/collections/${collection}/objects/`, {
      objects: [
        {
          type: 'intrusion-set',
          spec_version: '2.1',
          id: 'intrusion-set--5e0d1c2b-3a49-4f58-9e67-7d8c9b0a1f2e',
          created: '2026-01-05T08:00:00.000Z',
          modified: '2026-01-05T08:00:00.000Z',
          name: 'Fictional harbour ring',
          object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
        },
      ],
    })
    // a partner of its own: the suspension tests above leave isles suspended
    const { policy } = t.node.services
    await policy.addPartner({ id: 'lakes', name: 'Lakes Customs', kind: 'customs' }, 'test')
    await policy.putAgreement({ partner: 'lakes', collections: [collection], maxTlp: 'green' }, 'test')
    const partner = { name: 'lakes reader', role: 'partner', partnerId: 'lakes' } as const
    const { apiKey } = await createPrincipal(store, partner)
    const objects = `${t.url}/intel/collections/${collection}/objects/`
    const size = async () =>
      ((await (await t.get('/ledger/checkpoint?log=partner:lakes')).json()) as { size: number }).size
    const asPartner = (method: string) =>
      fetch(objects, { method, headers: { Authorization: `Bearer ${apiKey}`, Accept: TAXII } })
    const before = await size()
    expect((await asPartner('GET')).status).toBe(200)
    // the GET is recorded, so this is the log a HEAD would grow if it disclosed
    const afterGet = await size()
    expect(afterGet).toBeGreaterThan(before)
    const head = await asPartner('HEAD')
    expect(head.status).toBe(405)
    expect(head.headers.get('allow')).toBe('GET, POST')
    expect(head.headers.get('x-taxii-date-added-first')).toBeNull()
    expect(await size()).toBe(afterGet)
    // what discloses nothing answers HEAD, as the README says
    for (const path of ['/healthz', '/metrics', '/console/'])
      expect(
        (
          await fetch(`${t.url}${path}`, {
            method: 'HEAD',
            headers: { Authorization: `Bearer ${t.adminKey}` },
          })
        ).status,
        path,
      ).toBe(200)
  })

  it('a change another process keeps beating to the store answers a 503 to retry, having changed nothing', async () => {
    const store = t.node.store
    const append = store.appendPolicy.bind(store)
    let attempts = 0
    store.appendPolicy = async () => {
      attempts++
      throw new PolicyChangedError()
    }
    const before = (await t.get('/admin/orders?partner=isles').then((r) => r.json())) as unknown[]
    try {
      const res = await t.post('/admin/orders/suspend', { partner: 'isles', reason: 'contested' })
      expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1'])
      expect(await error(res)).toMatchObject({
        error_code: 'policy-busy',
        description: expect.stringMatching(/^the policy kept changing .*nothing was changed: try again$/),
      })
      expect(attempts).toBe(10)
    } finally {
      store.appendPolicy = append
    }
    expect(await t.get('/admin/orders?partner=isles').then((r) => r.json())).toEqual(before)
  })

  it('a wrong method answers a TAXII 405 with Allow', async () => {
    const wrong = await fetch(`${t.url}/admin/orders/suspend`, {
      headers: { Authorization: `Bearer ${t.adminKey}` },
    })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
    expect((await error(wrong)).error_code).toBe('method-not-allowed')
  })

  it('over-long headers answer a TAXII 431 instead of an empty body', async () => {
    const res = await fetch(`${t.url}/taxii2/?q=${'a'.repeat(20_000)}`)
    expect(res.status).toBe(431)
    expect(await error(res)).toEqual({
      title: 'Request header fields too large',
      description: expect.stringMatching(/^the request line and headers are limited to \d+ bytes$/),
      error_code: 'headers-too-large',
      http_status: '431',
    })
  })

  it('over-long headers on a HEAD answer the 431 without its body', async () => {
    const reply = await exchange(
      `HEAD /taxii2/?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: node.invalid\r\nAccept: ${TAXII}\r\n\r\n`,
    )
    expect(reply).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
    expect(reply).toMatch(/\r\nContent-Length: [1-9]\d*\r\n/)
    expect(reply.endsWith('\r\n\r\n')).toBe(true)
  })

  it('bytes after a request that asked to close are not answered as another request', async () => {
    // a client that sends a body with a HEAD and no length (Node's does) leaves those bytes unframed
    for (const path of ['/healthz', '/taxii2/']) {
      const reply = await exchange(
        `HEAD ${path} HTTP/1.1\r\nHost: node.invalid\r\nAccept: ${TAXII}\r\nConnection: close\r\n\r\n{"objects": [`,
      )
      expect(reply.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1)
      expect(reply.endsWith('\r\n\r\n')).toBe(true)
    }
  })

  it('bytes refused while an answer is pending end the connection after that answer, not before it', async () => {
    for (const close of ['', 'Connection: close\r\n']) {
      const reply = await exchange(
        `GET /taxii2/ HTTP/1.1\r\nHost: node.invalid\r\nAccept: ${TAXII}\r\nAuthorization: Bearer ${t.adminKey}\r\n${close}\r\nnot http at all\r\n\r\n`,
      )
      expect(reply.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200'])
      expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toHaveProperty('title')
    }
  })

  it('a CONNECT answers a TAXII 501 instead of a dropped connection', async () => {
    const reply = await exchange('CONNECT partner.example:443 HTTP/1.1\r\nHost: partner.example:443\r\n\r\n')
    const [head, body] = reply.split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/)
    expect(head).toContain(`Content-Type: ${TAXII}`)
    expect(JSON.parse(body!)).toEqual({
      title: 'Not implemented',
      description: 'CONNECT is not supported: this node is not a proxy',
      error_code: 'not-implemented',
      http_status: '501',
    })
  })

  it('a method HTTP does not define answers 501, while one it defines but the resource refuses is 405', async () => {
    const unknown = await exchange(`FOO /taxii2/ HTTP/1.1\r\nHost: node.invalid\r\nAccept: ${TAXII}\r\n\r\n`)
    const [head, body] = unknown.split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/)
    expect(head).toContain(`Content-Type: ${TAXII}`)
    expect(JSON.parse(body!)).toMatchObject({ error_code: 'not-implemented', http_status: '501' })
    const known = await exchange(
      `PUT /taxii2/ HTTP/1.1\r\nHost: node.invalid\r\nAccept: ${TAXII}\r\nAuthorization: Bearer ${t.adminKey}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    )
    expect(known).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/)
    expect(known).toMatch(/\r\nallow: GET\r\n/i)
  })
})

describe('names an order or agreement may use', () => {
  const TLP_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'

  it('takes predefined and x- types, a type an object on the node has, and well-known marking ids', async () => {
    const res = await t.post(
      '/intel/collections/routes/objects/',
      {
        type: 'bundle',
        id: 'bundle--2f0d4a8e-6c1b-4e5f-9a3d-7b8c9d0e1f2a',
        objects: [
          {
            type: 'vessel-track',
            spec_version: '2.1',
            id: 'vessel-track--6a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
            created: '2026-01-05T08:00:00.000Z',
            modified: '2026-01-05T08:00:00.000Z',
          },
        ],
      },
      undefined,
      { 'Content-Type': TAXII, Accept: TAXII },
    )
    expect(res.status).toBe(202)
    const issued = await t.post('/admin/orders/suspend', {
      partner: 'isles',
      reason: 'narrowed',
      object_types: ['indicator', 'x-fictional-cargo', 'vessel-track'],
      markings: [TLP_RED],
    })
    expect(issued.status).toBe(201)
  })

  it('refuses an empty label given to the service directly, as the CLI would pass it', async () => {
    await expect(
      t.node.services.policy.suspend({ partner: 'isles', reason: 'r', issuer: 'test', labels: [''] }),
    ).rejects.toThrow('a label must not be empty')
  })

  it('refuses a label that would break the line it is listed on, or run on for pages', async () => {
    const before = (await orders()).length
    expect(
      await refused('/admin/orders/suspend', { partner: 'isles', reason: 'r', labels: ['vessel\ntracking'] }),
    ).toBe('a label must be one line of printable characters')
    expect(
      await refused('/admin/orders/suspend', { partner: 'isles', reason: 'r', labels: ['x'.repeat(201)] }),
    ).toBe('a label is longer than 200 characters')
    await expect(
      t.node.services.policy.putAgreement(
        { partner: 'isles', collections: '*', maxTlp: 'green', forbiddenLabels: ['lab\u001b[2Jel'] },
        'test',
      ),
    ).rejects.toThrow('a label must be one line of printable characters')
    expect((await orders()).length).toBe(before)
  })

  it('refuses a list that names one entry twice', async () => {
    const { policy } = t.node.services
    await expect(
      policy.suspend({ partner: 'isles', reason: 'r', issuer: 'test', collections: ['routes', 'routes'] }),
    ).rejects.toThrow('collections names routes twice')
    await expect(
      policy.putAgreement(
        { partner: 'isles', collections: '*', maxTlp: 'green', types: ['indicator', 'indicator'] },
        'test',
      ),
    ).rejects.toThrow('types names indicator twice')
  })
})

describe('query parameters on the JSON APIs', () => {
  const status = async (path: string) => {
    const res = await t.get(path)
    return { status: res.status, ...((await res.json()) as { description?: string }) }
  }

  it.each([
    // given twice: acting on the first answers a question the caller did not ask
    ['/admin/orders?partner=isles&partner=lakes', 'the query parameter "partner" is given more than once'],
    [
      '/admin/agreements?partner=isles&partner=isles',
      'the query parameter "partner" is given more than once',
    ],
    ['/ledger/checkpoint?log=global&log=partner:isles', 'the query parameter "log" is given more than once'],
    [
      '/admin/policy/preview?partner=isles&partner=lakes',
      'the query parameter "partner" is given more than once',
    ],
    [
      '/search/match?collection=routes&collection=other&pattern=x',
      'the query parameter "collection" is given more than once',
    ],
    // empty: read as "no filter", it answered about every partner
    ['/admin/orders?partner=', 'partner is empty; give one'],
    ['/admin/agreements?partner=%20', 'partner is empty; give one'],
    ['/admin/keys?principal=', 'principal is empty; give one'],
    ['/admin/certificates?principal=', 'principal is empty; give one'],
    ['/admin/policy/explain?partner=&object=indicator--x', 'partner is empty; give one'],
  ])('refuses %s', async (path, description) => {
    expect(await status(path)).toMatchObject({ status: 400, description })
  })

  it('takes a parameter a route reads several of, and a known preview mode only', async () => {
    expect((await t.get('/federation/provenance?object=indicator--a&object=indicator--b')).status).toBe(200)
    expect(await status('/console-api/partners/isles?preview=latre')).toMatchObject({
      status: 400,
      description: 'preview must be one of later',
    })
    expect((await t.get('/console-api/partners/isles?preview=later')).status).toBe(200)
  })
})

describe('federation definitions name their fields as both interfaces do', () => {
  it('refuses a bad url or interval without naming a CLI flag', async () => {
    expect(await refused('/federation/feeds', { ...FEED, url: 'not a url' })).toBe(
      'the url "not a url" is not a URL',
    )
    expect(await refused('/federation/feeds', { ...FEED, every: 'often' })).toBe(
      'every must be an interval such as 500ms, 30s, 5m or 1h',
    )
    expect(await refused('/federation/feeds', { ...FEED, every: '1ms' })).toBe('every must be at least 100ms')
    expect(
      await refused('/federation/feeds', { ...FEED, url: 'https://desk:secret@taxii.isles.example/intel/' }),
    ).toBe(
      'the URL must not carry a user or password: give the credential as the key (auth basic takes user:password)',
    )
  })
})
