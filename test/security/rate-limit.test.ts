/**
 * A partner over the node's rate limit gets a TAXII 429 with Retry-After on every API, before anything is
 * read or recorded; the limit is per partner (all its keys together), and nobody else's requests count
 * against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyRemote } from '../../src/cli/commands/ledger-verify.js'
import { partnerLogId } from '../../src/ledger/log-id.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { indicator } from '../taxii/fixtures.js'

let t: TestNode
let objects: string
const keys: Record<'alpha1' | 'alpha2' | 'beta', string> = { alpha1: '', alpha2: '', beta: '' }

beforeAll(async () => {
  t = await startTestNode({ taxii: { partnerRateLimit: { perSecond: 0.25, burst: 2 } } })
  const { policy, store } = t.node.services
  const collection = await createCollection(store, { apiRoot: 'intel', title: 'Rate (fictional)' })
  objects = `/intel/collections/${collection.id}/objects/`
  expect((await t.post(objects, { objects: [indicator(9101)] })).status).toBe(202)
  for (const id of ['alpha', 'beta']) {
    await policy.addPartner({ id, name: `Fictional ${id} customs`, kind: 'customs' }, 'test')
    await policy.putAgreement({ partner: id, collections: [collection.id], maxTlp: 'amber' }, 'test')
  }
  const principal = async (name: string, partnerId: string) =>
    (await createPrincipal(store, { name, role: 'partner', partnerId })).apiKey
  keys.alpha1 = await principal('alpha one', 'alpha')
  keys.alpha2 = await principal('alpha two', 'alpha')
  keys.beta = await principal('beta', 'beta')
})
afterAll(async () => t?.stop())

const disclosedToAlpha = async () => (await t.node.store.ledgerHead(partnerLogId('alpha'))).size

describe('the partner rate limit', () => {
  it('refuses the request past the burst with a TAXII 429, for every key of that partner and on every API', async () => {
    expect((await t.get(objects, keys.alpha1)).status).toBe(200)
    expect((await t.get(objects, keys.alpha2)).status).toBe(200)
    const recorded = await disclosedToAlpha()
    const refused = await t.get(objects, keys.alpha1)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('content-type')).toBe(TAXII)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await refused.json()).toEqual({
      title: 'Too many requests',
      description: expect.stringMatching(
        /^this partner's requests are over the node's rate limit; retry after \d+ s$/,
      ),
      error_code: 'rate-limited',
      http_status: '429',
    })
    const console = await fetch(`${t.url}/console-api/flows`, {
      headers: { Authorization: `Bearer ${keys.alpha2}` },
    })
    expect(console.status).toBe(429)
    expect(((await console.json()) as { error_code: string }).error_code).toBe('rate-limited')
    // refused before anything was read: the partner's log did not grow
    expect(await disclosedToAlpha()).toBe(recorded)
    // and counted, by partner, for the operator
    const metrics = await (
      await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${t.adminKey}` } })
    ).text()
    expect(metrics).toMatch(/^sluice_rate_limited_total\{partner="alpha"\} 2$/m)
    expect(metrics).not.toMatch(/^sluice_rate_limited_total\{partner="beta"\}/m)
  })

  it('counts nothing of another partner’s or an administrator’s requests', async () => {
    for (let i = 0; i < 2; i++) expect((await t.get(objects, keys.beta)).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await t.get(objects, t.adminKey)).status).toBe(200)
  })

  it('admits the partner again once it has waited the Retry-After it was given', async () => {
    const refused = await t.get(objects, keys.alpha1)
    expect(refused.status).toBe(429)
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000))
    expect((await t.get(objects, keys.alpha1)).status).toBe(200)
  })
})

describe('the partner’s own check under the limit', () => {
  let n: TestNode
  afterAll(async () => n?.stop())

  it('ledger verify waits out the 429s of its one request per object, and proves every object', async () => {
    n = await startTestNode({ taxii: { partnerRateLimit: { perSecond: 2, burst: 2 } } })
    const { policy, store } = n.node.services
    const collection = await createCollection(store, { apiRoot: 'intel', title: 'Verify (fictional)' })
    const path = `/intel/collections/${collection.id}/objects/`
    expect(
      (await n.post(path, { objects: [indicator(9201), indicator(9202), indicator(9203)] })).status,
    ).toBe(202)
    await policy.addPartner({ id: 'gamma', name: 'Fictional gamma police', kind: 'police' }, 'test')
    await policy.putAgreement({ partner: 'gamma', collections: [collection.id], maxTlp: 'amber' }, 'test')
    const { apiKey } = await createPrincipal(store, { name: 'gamma', role: 'partner', partnerId: 'gamma' })
    const received = await (await n.get(path, apiKey)).text()
    const report = await verifyRemote({
      url: n.url,
      apiKey,
      vkey: n.node.services.ledger.key.vkey,
      checkpoints: [],
      objects: received,
    })
    const proven = report.rows.filter((r) => r.status === 'proven')
    expect(report.rows.filter((r) => r.status !== 'proven')).toEqual([])
    expect(proven.length).toBeGreaterThanOrEqual(3)
  }, 30_000)
})
