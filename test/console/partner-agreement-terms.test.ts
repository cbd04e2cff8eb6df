import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_CAVEATS } from '../../src/demo/markings.js'
import { seedDemo } from '../../src/demo/seed.js'
import type { PartnerPage } from '../../src/services/console-types.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

/*
 * The partner page names every term of an agreement: each one withholds objects, so a term left out would
 * make the agreement read as more generous than it is.
 */

let t: TestNode
let adminKey: string

async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.url}/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

beforeAll(async () => {
  t = await startTestNode()
  adminKey = (await seedDemo(t.node.services)).adminKey
  await call('admin/partners', { id: 'terms', name: 'Terms Bureau', kind: 'police' })
})

afterAll(async () => {
  await t?.stop()
})

describe('an agreement on the partner page', () => {
  it('carries every term it sets, with markings labelled', async () => {
    await call('admin/agreements', {
      partner: 'terms',
      max_tlp: 'amber',
      default_tlp: 'green',
      required_labels: ['shareable'],
      forbidden_labels: ['internal'],
      required_markings: [DEMO_CAVEATS.IEP_INTERNAL],
      forbidden_markings: [DEMO_CAVEATS.H0],
      admiralty_reliability: ['A'],
      evaluation_source: ['A', 'B'],
      evaluation_information: ['1'],
      ungraded: 'deny',
      valid_from: '2026-01-01T00:00:00.000Z',
      valid_until: '2040-01-01T00:00:00.000Z',
    })
    const [a] = (await call<PartnerPage>('console-api/partners/terms?preview=later')).agreements
    expect(a).toMatchObject({
      default_tlp: 'green',
      required_labels: ['shareable'],
      forbidden_labels: ['internal'],
      required_markings: [
        { id: DEMO_CAVEATS.IEP_INTERNAL, label: 'IEP permitted actions: internally visible actions' },
      ],
      forbidden_markings: [{ id: DEMO_CAVEATS.H0, label: 'Handling code H0' }],
      admiralty: { axes: [{ axis: 'reliability', accepted: ['A'] }], ungraded: 'deny' },
      evaluation_4x4: {
        axes: [
          { axis: 'source', accepted: ['A', 'B'] },
          { axis: 'information', accepted: ['1'] },
        ],
        ungraded: 'deny',
      },
      valid_from: '2026-01-01T00:00:00.000Z',
      valid_until: '2040-01-01T00:00:00.000Z',
    })
  })

  it('leaves out the terms a plain agreement does not set', async () => {
    const { id } = await call<{ id: string }>('admin/agreements', { partner: 'terms', max_tlp: 'clear' })
    const page = await call<PartnerPage>('console-api/partners/terms?preview=later')
    const plain = page.agreements.find((a) => a.id === id)!
    expect(plain).toMatchObject({
      required_labels: [],
      forbidden_labels: [],
      required_markings: [],
      forbidden_markings: [],
    })
    for (const term of ['default_tlp', 'admiralty', 'evaluation_4x4', 'valid_from', 'valid_until'])
      expect(plain).not.toHaveProperty(term)
  })
})
