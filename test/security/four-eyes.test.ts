import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let node: TestNode
const key: Record<string, string> = {}

beforeAll(async () => {
  node = await startTestNode({ fourEyes: true })
  const { policy } = node.node.services
  await policy.addPartner({ id: 'lake-customs', name: 'Lake Customs (fictional)' }, 'test')
  await createCollection(node.node.store, { apiRoot: 'intel', title: 'Routes', alias: 'routes' })
  await createCollection(node.node.store, { apiRoot: 'intel', title: 'Finance', alias: 'finance' })
  for (const [name, role] of [
    ['first', 'officer'],
    ['second', 'officer'],
    ['analyst', 'analyst'],
    ['auditor', 'auditor'],
  ] as const) {
    key[name] = (await createPrincipal(node.node.store, { name: `Officer ${name}`, role })).apiKey
  }
})
afterAll(() => node.stop())

async function call(who: string, method: 'GET' | 'POST', path: string, body: unknown = {}) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key[who] ?? node.adminKey}`, 'Content-Type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: (await res.json()) as any }
}

const orders = async () => (await node.node.services.policy.history()).orders

describe('four-eyes rule', () => {
  it('a suspension takes effect at once; lifting it waits for a second officer', async () => {
    const suspension = await call('first', 'POST', '/admin/orders/suspend', {
      partner: 'lake-customs',
      reason: 'leak inquiry',
    })
    expect(suspension.status).toBe(201)
    expect(suspension.body.kind).toBe('suspension')

    const lift = await call('first', 'POST', `/admin/orders/${suspension.body.id}/resume`, {
      reason: 'inquiry closed',
    })
    expect(lift.status).toBe(201)
    expect(lift.body.status).toBe('pending-approval')
    const approval = lift.body.approval
    expect(approval).toMatchObject({
      kind: 'resume',
      status: 'pending',
      requested_by: { name: 'Officer first', role: 'officer' },
    })
    expect((await orders()).some((o) => o.kind === 'resumption')).toBe(false)

    const self = await call('first', 'POST', `/admin/approvals/${approval.id}/approve`)
    expect(self.status).toBe(403)
    expect(self.body.description).toMatch(/second officer/)
    const analyst = await call('analyst', 'POST', `/admin/approvals/${approval.id}/approve`)
    expect(analyst.status).toBe(403)
    expect(analyst.body.description).toBe('this needs the admin or officer role')
    expect(
      (await call('auditor', 'GET', '/admin/approvals?status=pending')).body.map((a: { id: string }) => a.id),
    ).toEqual([approval.id])

    const approved = await call('second', 'POST', `/admin/approvals/${approval.id}/approve`)
    expect(approved.status).toBe(201)
    expect(approved.body).toMatchObject({
      status: 'approved',
      decided_by: { name: 'Officer second' },
      result: { kind: 'resumption', lifts: suspension.body.id },
    })
    const resumption = (await orders()).find((o) => o.kind === 'resumption')!
    expect(resumption.issuer).toBe('Officer first (approved by Officer second)')

    const again = await call('second', 'POST', `/admin/approvals/${approval.id}/approve`)
    expect(again.status).toBe(409)
  })

  it('two approvals racing apply the change once', async () => {
    const suspension = await call('first', 'POST', '/admin/orders/suspend', {
      partner: 'lake-customs',
      reason: 'second inquiry',
    })
    const lift = await call('first', 'POST', `/admin/orders/${suspension.body.id}/resume`, { reason: 'done' })
    const id = lift.body.approval.id
    const results = await Promise.all([
      call('second', 'POST', `/admin/approvals/${id}/approve`),
      call('admin', 'POST', `/admin/approvals/${id}/approve`),
    ])
    expect(results.map((r) => r.status).sort()).toEqual([201, 409])
    expect(
      (await orders()).filter((o) => o.kind === 'resumption' && o.lifts === suspension.body.id),
    ).toHaveLength(1)
  })

  it('a new agreement waits; a rejected one never takes effect', async () => {
    const asked = await call('first', 'POST', '/admin/agreements', {
      partner: 'lake-customs',
      collections: ['routes'],
      max_tlp: 'green',
    })
    expect(asked.body.status).toBe('pending-approval')
    expect((await node.node.services.policy.history()).agreements).toHaveLength(0)
    const rejected = await call('second', 'POST', `/admin/approvals/${asked.body.approval.id}/reject`)
    expect(rejected.body.status).toBe('rejected')
    expect((await node.node.services.policy.history()).agreements).toHaveLength(0)
  })

  it('narrowing an agreement is immediate; widening it waits', async () => {
    const asked = await call('first', 'POST', '/admin/agreements', {
      partner: 'lake-customs',
      collections: ['routes'],
      max_tlp: 'amber',
    })
    const created = await call('second', 'POST', `/admin/approvals/${asked.body.approval.id}/approve`)
    const id = created.body.result.id as string
    expect(created.body.result.version).toBe(1)

    const narrowed = await call('first', 'POST', '/admin/agreements', {
      id,
      partner: 'lake-customs',
      collections: ['routes'],
      max_tlp: 'green',
    })
    expect(narrowed.status).toBe(201)
    expect(narrowed.body.version).toBe(2)

    const widened = await call('first', 'POST', '/admin/agreements', {
      id,
      partner: 'lake-customs',
      collections: ['routes', 'finance'],
      max_tlp: 'green',
    })
    expect(widened.body.status).toBe('pending-approval')
    expect(widened.body.approval.summary).toBe(`widen agreement ${id} of partner lake-customs`)
    const done = await call('second', 'POST', `/admin/approvals/${widened.body.approval.id}/approve`)
    expect(done.body.result).toMatchObject({
      id,
      version: 3,
      recorded_by: 'Officer first (approved by Officer second)',
    })

    const withdrawn = await call('first', 'POST', '/admin/agreements', {
      id,
      partner: 'lake-customs',
      collections: ['routes'],
      max_tlp: 'green',
      withdrawn: true,
    })
    expect(withdrawn.body.withdrawn).toBe(true)
  })

  it('holds every term that widens, not only the ones named first: a lower default TLP, an ungraded admission', async () => {
    const asked = await call('first', 'POST', '/admin/agreements', {
      partner: 'lake-customs',
      collections: ['finance'],
      max_tlp: 'green',
      admiralty_reliability: ['A'],
      ungraded: 'deny',
    })
    const id = (await call('second', 'POST', `/admin/approvals/${asked.body.approval.id}/approve`)).body
      .result.id
    for (const change of [
      { default_tlp: 'clear' },
      { ungraded: 'allow' },
      { admiralty_reliability: ['A', 'B'] },
    ]) {
      const widened = await call('first', 'POST', '/admin/agreements', {
        id,
        collections: ['finance'],
        max_tlp: 'green',
        admiralty_reliability: ['A'],
        ungraded: 'deny',
        ...change,
      })
      expect([JSON.stringify(change), widened.body.status]).toEqual([
        JSON.stringify(change),
        'pending-approval',
      ])
    }
    expect((await node.node.services.policy.history()).agreements.filter((a) => a.id === id)).toHaveLength(1)
  })
})
