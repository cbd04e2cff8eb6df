import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import type { ConsoleCan, ConsoleMe, FlowsMatrix, ObjectPage } from '../../src/services/console-types.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { PrincipalRole } from '../../src/store/types.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

/*
 * The console API's role matrix: officers and auditors see flows and partner pages, only officers (and
 * admins) preview orders, analysts browse intelligence only, a partner sees its own view, admins everything.
 */

let t: TestNode
const keys = {} as Record<PrincipalRole, string>
let orderId: string
/** An object each role may read, for the per-object routes. */
const objectFor = {} as Record<PrincipalRole, string>

async function call(path: string, key: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${t.url}/console-api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: await res.json() }
}

beforeAll(async () => {
  t = await startTestNode({ federation: false })
  const demo = await seedDemo(t.node.services)
  keys.admin = demo.adminKey
  keys.partner = demo.partnerKeys.find((k) => k.partner === 'isles')!.key
  for (const role of ['officer', 'auditor', 'analyst'] as const)
    keys[role] = (await createPrincipal(t.node.store, { name: `Test ${role}`, role })).apiKey
  // the analyst may read one collection: the gate then shows it what that grant allows
  const collections = (await call('flows', keys.admin)).json as FlowsMatrix
  const routes = collections.collections.find((c) => c.alias === 'maritime-routes')!
  const analyst = (await t.node.store.listPrincipals()).find((p) => p.name === 'Test analyst')!
  await t.node.store.setGrant({
    principalId: analyst.id,
    collectionId: routes.id,
    canRead: true,
    canWrite: false,
  })
  for (const role of ['admin', 'analyst', 'partner'] as const) {
    const page = (await call('objects?limit=25', keys[role])).json as ObjectPage
    objectFor[role] = page.items[0]!.id
  }
  for (const role of ['officer', 'auditor'] as const) objectFor[role] = objectFor.admin
  const issued = await fetch(`${t.url}/admin/orders/suspend`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ partner: 'southern', reason: 'role matrix test' }),
  })
  expect(issued.status).toBe(201)
  orderId = ((await issued.json()) as { id: string }).id
})

afterAll(async () => {
  await t?.stop()
})

type Case = [name: string, path: (role: PrincipalRole) => string, allowed: PrincipalRole[], body?: unknown]

const ALL: PrincipalRole[] = ['admin', 'officer', 'auditor', 'analyst', 'partner']
const CASES: Case[] = [
  ['who am I', () => 'me', ALL],
  ['flows matrix', () => 'flows', ['admin', 'officer', 'auditor', 'partner']],
  ['partner page', () => 'partners/isles', ['admin', 'officer', 'auditor', 'partner']],
  ['another partner’s page', () => 'partners/northland', ['admin', 'officer', 'auditor']],
  ['preview a suspension', () => 'impact/suspend', ['admin', 'officer'], { partner: 'isles' }],
  ['preview a resumption', () => `impact/resume/${orderId}`, ['admin', 'officer'], {}],
  ['collections', () => 'collections', ['admin', 'analyst', 'partner']],
  ['markings', () => 'markings', ['admin', 'analyst', 'partner']],
  ['STIX types for the search filter', () => 'types', ['admin', 'analyst', 'partner']],
  ['object search', () => 'objects?limit=25', ['admin', 'analyst', 'partner']],
  ['one object', (r) => `objects/${encodeURIComponent(objectFor[r])}`, ['admin', 'analyst', 'partner']],
  [
    'an object’s graph',
    (r) => `objects/${encodeURIComponent(objectFor[r])}/graph`,
    ['admin', 'analyst', 'partner'],
  ],
]

describe('console API role matrix', () => {
  for (const [name, path, allowed, body] of CASES) {
    for (const role of ALL) {
      const ok = allowed.includes(role)
      it(`${name}: ${role} → ${ok ? 'allowed' : '403'}`, async () => {
        const { status } = await call(path(role), keys[role], body)
        if (ok) expect([200, 201]).toContain(status)
        else expect(status).toBe(403)
      })
    }
  }

  it('GET /me says what each role may do, matching the matrix above', async () => {
    const expected: Record<PrincipalRole, ConsoleCan> = {
      admin: {
        readFlows: true,
        readPolicy: true,
        changePolicy: true,
        readIntel: true,
        readLedger: true,
        readFederation: true,
      },
      officer: {
        readFlows: true,
        readPolicy: true,
        changePolicy: true,
        readIntel: false,
        readLedger: false,
        readFederation: false,
      },
      auditor: {
        readFlows: true,
        readPolicy: true,
        changePolicy: false,
        readIntel: false,
        readLedger: true,
        readFederation: false,
      },
      analyst: {
        readFlows: false,
        readPolicy: false,
        changePolicy: false,
        readIntel: true,
        readLedger: false,
        readFederation: false,
      },
      partner: {
        readFlows: true,
        readPolicy: false,
        changePolicy: false,
        readIntel: true,
        readLedger: true,
        readFederation: false,
      },
    }
    for (const role of ALL) {
      const me = (await call('me', keys[role])).json as ConsoleMe
      expect({ role: me.role, can: me.can }).toEqual({ role, can: expected[role] })
    }
  })

  it('the APIs the console pages call besides /console-api follow the same flags', async () => {
    const get = async (path: string, role: PrincipalRole) =>
      (await fetch(`${t.url}${path}`, { headers: { Authorization: `Bearer ${keys[role]}` } })).status
    // the flows page lists orders for officers and auditors (read only for auditors: no order buttons)
    for (const role of ['admin', 'officer', 'auditor'] as const)
      expect(await get('/admin/orders', role)).toBe(200)
    expect(await get('/admin/orders', 'analyst')).toBe(403)
    // an auditor reads every ledger log; an officer has no ledger page
    expect(await get('/ledger/logs', 'auditor')).toBe(200)
    expect(await get('/ledger/logs', 'officer')).toBe(403)
    // the federation page is the administrator's
    expect(await get('/federation/feeds', 'admin')).toBe(200)
    for (const role of ['officer', 'auditor', 'analyst', 'partner'] as const)
      expect(await get('/federation/feeds', role)).toBe(403)
  })
})
