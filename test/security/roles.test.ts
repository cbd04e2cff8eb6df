import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROLES } from '../../src/auth/roles.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { PrincipalRole } from '../../src/store/types.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { indicator } from '../taxii/fixtures.js'

let node: TestNode
const keys = {} as Record<PrincipalRole, string>
let collectionId: string

beforeAll(async () => {
  node = await startTestNode()
  const { policy } = node.node.services
  await policy.addPartner({ id: 'river-patrol', name: 'River Patrol (fictional)' }, 'test')
  const collection = await createCollection(node.node.store, {
    apiRoot: 'intel',
    title: 'Routes',
    alias: 'routes',
  })
  collectionId = collection.id
  await policy.putAgreement({ partner: 'river-patrol', collections: '*', maxTlp: 'amber' }, 'test')
  for (const role of ROLES) {
    const created = await createPrincipal(node.node.store, {
      name: `Test ${role}`,
      role,
      ...(role === 'partner' ? { partnerId: 'river-patrol' } : {}),
    })
    keys[role] = created.apiKey
    if (role === 'analyst')
      await node.node.store.setGrant({
        principalId: created.principal.id,
        collectionId,
        canRead: true,
        canWrite: true,
      })
  }
})
afterAll(() => node.stop())

const json = { Accept: 'application/json', 'Content-Type': 'application/json' }
async function call(role: PrincipalRole, method: 'GET' | 'POST', path: string, body?: unknown) {
  const headers =
    path.startsWith('/intel') || path.startsWith('/taxii2') ? { Accept: TAXII, 'Content-Type': TAXII } : json
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...headers, Authorization: `Bearer ${keys[role]}` },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: (await res.json().catch(() => ({}))) as any }
}

/** Each endpoint and the roles it admits; every other role must get 403 naming these. */
const MATRIX: { method: 'GET' | 'POST'; path: string; allowed: PrincipalRole[]; body?: unknown }[] = [
  { method: 'GET', path: '/taxii2/', allowed: ['admin', 'analyst', 'partner'] },
  { method: 'GET', path: '/intel/collections/', allowed: ['admin', 'analyst', 'partner'] },
  { method: 'GET', path: '/admin/partners', allowed: ['admin', 'officer', 'auditor'] },
  { method: 'GET', path: '/admin/agreements', allowed: ['admin', 'officer', 'auditor'] },
  { method: 'GET', path: '/admin/orders', allowed: ['admin', 'officer', 'auditor'] },
  { method: 'GET', path: '/admin/policy/preview?partner=river-patrol', allowed: ['admin', 'officer'] },
  { method: 'GET', path: '/admin/principals', allowed: ['admin'] },
  { method: 'GET', path: '/admin/keys', allowed: ['admin'] },
  { method: 'GET', path: '/admin/approvals', allowed: ['admin', 'officer', 'auditor'] },
  { method: 'GET', path: '/ledger/logs', allowed: ['admin', 'auditor', 'partner'] },
  { method: 'GET', path: '/ledger/checkpoint', allowed: ['admin', 'auditor', 'partner'] },
  { method: 'GET', path: '/metrics', allowed: ['admin', 'auditor'] },
]

describe('roles', () => {
  for (const row of MATRIX) {
    it(`${row.method} ${row.path} admits ${row.allowed.join(', ')} and names them to everyone else`, async () => {
      for (const role of ROLES) {
        const res = await call(role, row.method, row.path, row.body)
        if (row.allowed.includes(role)) expect([role, res.status]).toEqual([role, 200])
        else {
          expect([role, res.status]).toEqual([role, 403])
          // "admin", "admin or officer", "admin, officer or auditor"
          const named =
            row.allowed.length <= 2
              ? row.allowed.join(' or ')
              : `${row.allowed.slice(0, -1).join(', ')} or ${row.allowed.at(-1)}`
          expect(res.body.description).toBe(`this needs the ${named} role`)
          expect(res.body.error_code).toBe('role-required')
        }
      }
    })
  }

  it('an officer issues and lifts orders and changes agreements; an analyst and an auditor cannot', async () => {
    for (const role of ['analyst', 'auditor', 'partner'] as const) {
      const res = await call(role, 'POST', '/admin/orders/suspend', {
        partner: 'river-patrol',
        reason: 'test',
      })
      expect(res.status).toBe(403)
      expect(res.body.description).toBe('this needs the admin or officer role')
    }
    const order = await call('officer', 'POST', '/admin/orders/suspend', {
      partner: 'river-patrol',
      reason: 'pending review',
    })
    expect(order.status).toBe(201)
    expect(order.body.issuer).toBe('Test officer')
    const lifted = await call('officer', 'POST', `/admin/orders/${order.body.id}/resume`, {
      reason: 'review done',
    })
    expect(lifted.status).toBe(201)
    expect(lifted.body.kind).toBe('resumption')
    const agreement = await call('officer', 'POST', '/admin/agreements', {
      partner: 'river-patrol',
      collections: '*',
      max_tlp: 'green',
    })
    expect(agreement.status).toBe(201)
    expect(
      (await call('analyst', 'POST', '/admin/agreements', { partner: 'river-patrol', max_tlp: 'red' }))
        .status,
    ).toBe(403)
  })

  it('an analyst reads and imports within its grants', async () => {
    const posted = await call('analyst', 'POST', `/intel/collections/${collectionId}/objects/`, {
      objects: [indicator(901)],
    })
    expect(posted.status).toBe(202)
    expect(posted.body.success_count).toBe(1)
    const read = await call('analyst', 'GET', `/intel/collections/${collectionId}/objects/`)
    expect(read.status).toBe(200)
    expect(read.body.objects.map((o: { id: string }) => o.id)).toContain(indicator(901).id)
  })

  it('an auditor reads the whole ledger and policy history but no intelligence', async () => {
    const logs = await call('auditor', 'GET', '/ledger/logs')
    expect(logs.body.map((l: { logId: string }) => l.logId)).toContain('global')
    expect((await call('auditor', 'GET', '/ledger/entries?log=global&start=0&end=5')).status).toBe(200)
    expect((await call('auditor', 'GET', '/admin/orders')).status).toBe(200)
    const taxii = await call('auditor', 'GET', `/intel/collections/${collectionId}/objects/`)
    expect(taxii.status).toBe(403)
    expect(taxii.body.description).toBe('this needs the admin, analyst or partner role')
  })

  it('a partner still sees only its own log', async () => {
    expect((await call('partner', 'GET', '/ledger/entries?log=global')).status).toBe(403)
    expect((await call('partner', 'GET', '/ledger/entries?log=partner:river-patrol')).status).toBe(200)
  })

  it('the admin API creates principals of every role and refuses unknown ones', async () => {
    const made = await call('admin', 'POST', '/admin/principals', { name: 'New officer', role: 'officer' })
    expect(made.status).toBe(201)
    expect(made.body.principal.role).toBe('officer')
    const bad = await call('admin', 'POST', '/admin/principals', { name: 'x', role: 'wizard' })
    expect(bad.status).toBe(400)
    expect(bad.body.description).toBe('role must be one of admin, officer, analyst, auditor, partner')
  })

  it("a partner principal named by its partner's name speaks for that partner's id", async () => {
    const made = await call('admin', 'POST', '/admin/principals', {
      name: 'River desk',
      role: 'partner',
      partner: 'River Patrol (fictional)',
    })
    expect(made.status).toBe(201)
    expect(made.body.principal.partner_id).toBe('river-patrol')
    const res = await fetch(`${node.url}/ledger/entries?log=partner:river-patrol`, {
      headers: { Authorization: `Bearer ${made.body.api_key}` },
    })
    expect(res.status).toBe(200)
  })
})
