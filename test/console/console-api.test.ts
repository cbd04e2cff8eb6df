import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import type {
  FlowsMatrix,
  ObjectDetail,
  ObjectGraph,
  ObjectPage,
  OrderImpact,
  PartnerPage,
  PartnerPreview,
} from '../../src/services/console-types.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'

let t: TestNode
let keys: Awaited<ReturnType<typeof seedDemo>>
let staticDir: string
const key = (partner: string) => keys.partnerKeys.find((k) => k.partner === partner)!.key

async function api<T>(
  path: string,
  k = keys.adminKey,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.url}/console-api/${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${k}`, 'Content-Type': 'application/json', ...init.headers },
  })
  return { status: res.status, body: (await res.json()) as T }
}

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'sluice-console-'))
  mkdirSync(join(staticDir, 'assets'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>')
  writeFileSync(join(staticDir, 'assets', 'app-123.js'), 'console.log(1)')
  process.env.SLUICE_CONSOLE_DIR = staticDir
  t = await startTestNode()
  keys = await seedDemo(t.node.services)
})

afterAll(async () => {
  await t?.stop()
  delete process.env.SLUICE_CONSOLE_DIR
  rmSync(staticDir, { recursive: true, force: true })
})

describe('console API', () => {
  it('tells who is signed in', async () => {
    expect((await api('me')).body).toMatchObject({ role: 'admin' })
    expect((await api('me', key('isles'))).body).toMatchObject({
      role: 'partner',
      partner: { id: 'isles', name: 'Isles Coast Guard' },
    })
    expect((await api('me', 'not-a-key')).status).toBe(401)
  })

  it("lists the standard's STIX types for the search filter, the same to everyone", async () => {
    const types = (await api<string[]>('types')).body
    expect(types).toEqual([...types].sort())
    for (const t of [
      'attack-pattern',
      'indicator',
      'ipv4-addr',
      'relationship',
      'marking-definition',
      'x509-certificate',
    ])
      expect(types).toContain(t)
    expect(types).not.toContain('bundle')
    expect((await api<string[]>('types', key('isles'))).body).toEqual(types)
  })

  it('shows the flows matrix; a partner sees only its own row', async () => {
    const { body } = await api<FlowsMatrix>('flows')
    expect(body.rows.map((r) => r.partner.id)).toEqual(['northland', 'isles', 'southern', 'imac'])
    const isles = body.rows.find((r) => r.partner.id === 'isles')!
    const status = (alias: string) =>
      isles.cells.find((c) => c.collectionId === body.collections.find((x) => x.alias === alias)!.id)!.status
    expect([status('maritime-routes'), status('networks')]).toEqual(['allowed', 'no-agreement'])
    const own = await api<FlowsMatrix>('flows', key('isles'))
    expect(own.body.rows.map((r) => r.partner.id)).toEqual(['isles'])
    // nothing about collections its agreement does not cover
    expect(own.body.collections.map((c) => c.alias)).toEqual(['maritime-routes'])
    expect(own.body.rows[0]!.cells.map((c) => c.collectionId)).toEqual([own.body.collections[0]!.id])
  })

  it("a partner's policy counter moves with its own policy only, not with other partners' orders", async () => {
    const counter = async () => (await api<FlowsMatrix>('flows', key('imac'))).body.policyVersion
    const before = await counter()
    const { policy } = t.node.services
    const other = await policy.suspend({ partner: 'northland', reason: 'unrelated', issuer: 'duty officer' })
    expect(await counter()).toBe(before)
    await policy.resume({ order: other.id, reason: 'done', issuer: 'duty officer' })
    expect(await counter()).toBe(before)
    const own = await policy.suspend({ partner: 'imac', reason: 'own', issuer: 'duty officer' })
    expect(await counter()).toBeGreaterThan(before)
    await policy.resume({ order: own.id, reason: 'done', issuer: 'duty officer' })
  })

  it('counts disclosures after a partner reads over TAXII', async () => {
    const routes = (await api<FlowsMatrix>('flows')).body.collections.find(
      (c) => c.alias === 'maritime-routes',
    )!
    const res = await t.get(`/intel/collections/${routes.id}/objects/`, key('isles'))
    expect(res.status).toBe(200)
    const served = ((await res.json()) as { objects?: unknown[] }).objects?.length ?? 0
    expect(served).toBeGreaterThan(0)
    const row = (await api<FlowsMatrix>('flows')).body.rows.find((r) => r.partner.id === 'isles')!
    expect(row.cells.find((c) => c.collectionId === routes.id)!.disclosures24h).toBe(served)
    expect(row.disclosuresSinceCheckpoint).toBe(served)
  })

  it('refuses an order narrowed to above TLP:RED (nothing is above it), in the preview and the order', async () => {
    const draft = { partner: 'isles', above_tlp: 'red', reason: 'nothing' }
    for (const path of ['/console-api/impact/suspend', '/admin/orders/suspend']) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(draft),
      })
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { description: string }).description).toContain('nothing is above red')
    }
  })

  it('previews a backdated order by what it changes from now, and says it is backdated', async () => {
    // before any agreement existed: judged then, nothing would change
    const draft = { partner: 'isles', effective_from: '2020-01-01T10:00:00.000Z' }
    const { status, body } = await api<OrderImpact>('impact/suspend', keys.adminKey, {
      method: 'POST',
      body: JSON.stringify(draft),
    })
    expect(status).toBe(201)
    expect(body.partners.find((p) => p.partner.id === 'isles')!.lost).toBeGreaterThan(0)
    expect(body.summary).toMatch(
      /^Backdated to 2020-01-01T10:00:00\.000Z: what was served since then went out without it\. From now: Isles Coast Guard loses access to \d+ objects/,
    )
  })

  it('says so when a narrowing matches nothing the partner receives now, as a misspelt label does', async () => {
    const preview = async (draft: object) =>
      (
        await api<OrderImpact>('impact/suspend', keys.adminKey, {
          method: 'POST',
          body: JSON.stringify(draft),
        })
      ).body.summary
    expect(await preview({ partner: 'isles', labels: ['Source-Sensitive-typo'] })).toBe(
      'No partner would receive anything different. Nothing Isles Coast Guard receives now matches this narrowing (a label is compared exactly, case included): it applies only to what arrives later and matches it.',
    )
    expect(await preview({ partner: 'isles', object_types: ['x-never-stored'] })).toMatch(
      /Nothing Isles Coast Guard receives now matches this narrowing: it applies only/,
    )
    expect(await preview({ partner: 'isles', collections: ['maritime-routes'] })).not.toMatch(/Nothing/)
  })

  it('previews an order before it is issued, then the matrix follows the real order', async () => {
    const draft = { partner: 'isles', collections: ['maritime-routes'], above_tlp: 'clear' }
    const { status, body } = await api<OrderImpact>('impact/suspend', keys.adminKey, {
      method: 'POST',
      body: JSON.stringify(draft),
    })
    expect(status).toBe(201)
    const isles = body.partners.find((p) => p.partner.id === 'isles')!
    expect(isles.lost).toBeGreaterThan(0)
    expect(body.partners.filter((p) => p.partner.id !== 'isles').every((p) => !p.affected)).toBe(true)
    expect(body.summary).toMatch(
      /^Isles Coast Guard loses access to \d+ objects in 1 collection;.* unaffected\.$/,
    )
    expect(
      (await api('impact/suspend', key('isles'), { method: 'POST', body: JSON.stringify(draft) })).status,
    ).toBe(403)

    const issued = await fetch(`${t.url}/admin/orders/suspend`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...draft, reason: 'source protection' }),
    })
    expect(issued.status).toBe(201)
    const order = (await issued.json()) as { id: string }
    const matrix = (await api<FlowsMatrix>('flows')).body
    const routes = matrix.collections.find((c) => c.alias === 'maritime-routes')!
    const cell = matrix.rows
      .find((r) => r.partner.id === 'isles')!
      .cells.find((c) => c.collectionId === routes.id)!
    expect(cell).toMatchObject({ status: 'partial', orders: [order.id] })

    const resume = await api<OrderImpact>(`impact/resume/${order.id}`, keys.adminKey, {
      method: 'POST',
      body: '{}',
    })
    expect(resume.body.partners.find((p) => p.partner.id === 'isles')!.gained).toBe(isles.lost)
  })

  it('serves the partner page to admins and to that partner only, without withheld counts for the partner', async () => {
    const admin = await api<PartnerPage>('partners/isles')
    expect(admin.body.agreements).toHaveLength(1)
    expect(admin.body.orders[0]).toMatchObject({
      status: 'active',
      scope: 'collections maritime-routes; above TLP:CLEAR',
    })
    expect(admin.body.preview!.denied).toBeGreaterThan(0)
    expect(admin.body.disclosures.hourly).toHaveLength(48)
    const own = await api<PartnerPage>('partners/isles', key('isles'))
    expect(own.body.preview!.denied).toBe(0)
    expect(own.body.preview!.deniedByReason).toEqual({})
    expect((await api('partners/northland', key('isles'))).status).toBe(403)
  })

  it("a partner's own page shows its orders without their reason or scope", async () => {
    const order = await t.node.services.policy.suspend({
      partner: 'isles',
      collections: [(await t.node.store.listCollections()).find((c) => c.alias === 'maritime-routes')!.id],
      reason: 'internal: source at risk',
      issuer: 'duty officer',
    })
    try {
      const own = (await api<PartnerPage>('partners/isles', key('isles'))).body.orders.find(
        (o) => o.id === order.id,
      )!
      expect(own).toMatchObject({ scope: 'narrowed sharing (scope withheld)', issuer: 'duty officer' })
      expect(own).not.toHaveProperty('reason')
      const asAdmin = (await api<PartnerPage>('partners/isles')).body.orders.find((o) => o.id === order.id)!
      expect(asAdmin).toMatchObject({
        scope: 'collections maritime-routes',
        reason: 'internal: source at risk',
      })
    } finally {
      await t.node.services.policy.resume({ order: order.id, reason: 'test over', issuer: 'duty officer' })
    }
  })

  /** An order about Isles from the duty officer, unless told otherwise: the lift tests below issue several. */
  const suspendIsles = (o: { reason: string; at?: string; issuer?: string }) =>
    t.node.services.policy.suspend({ partner: 'isles', issuer: 'duty officer', ...o })
  const lift = (o: { order: string; reason: string; at?: string; issuer?: string }) =>
    t.node.services.policy.resume({ issuer: 'duty officer', ...o })

  it('shows who lifted an order and why; the partner sees who, not why', async () => {
    const order = await suspendIsles({ reason: 'audit of the channel' })
    const resumption = await lift({
      order: order.id,
      reason: 'internal: audit closed',
      issuer: 'deputy director',
    })
    const find = async (k?: string) =>
      (await api<PartnerPage>('partners/isles', k)).body.orders.find((o) => o.id === order.id)!
    const asAdmin = await find()
    expect(asAdmin.status).toBe('lifted')
    expect(asAdmin.lift).toEqual({
      order: resumption.id,
      issuer: 'deputy director',
      reason: 'internal: audit closed',
      scheduled: false,
    })
    const own = await find(key('isles'))
    expect(own.lift).toEqual({ order: resumption.id, issuer: 'deputy director', scheduled: false })
  })

  it('shows a cancelled order as never in force, and a backdated one with when reads began to obey it', async () => {
    const start = new Date(Date.now() + 3_600_000).toISOString()
    const scheduled = await suspendIsles({ at: start, reason: 'planned' })
    await lift({ order: scheduled.id, at: start, reason: 'called off' })
    const backdated = await suspendIsles({ at: '2026-01-01T00:00:00Z', reason: 'given by telephone' })
    try {
      const orders = (await api<PartnerPage>('partners/isles')).body.orders
      const cancelled = orders.find((o) => o.id === scheduled.id)!
      expect(cancelled.status).toBe('cancelled')
      expect(cancelled).not.toHaveProperty('lifted_at')
      const late = orders.find((o) => o.id === backdated.id)!
      expect(late).toMatchObject({ status: 'active', backdated_until: backdated.recorded_at })
      expect(orders.find((o) => o.id === scheduled.id)).not.toHaveProperty('backdated_until')
    } finally {
      await lift({ order: backdated.id, reason: 'over' })
    }
  })

  it('marks a lift that is still to come as scheduled', async () => {
    const order = await suspendIsles({ reason: 'drill' })
    const later = new Date(Date.now() + 3_600_000).toISOString()
    await lift({ order: order.id, reason: 'drill ends', at: later })
    try {
      const view = (await api<PartnerPage>('partners/isles')).body.orders.find((o) => o.id === order.id)!
      expect(view).toMatchObject({ status: 'active', lifted_at: later, lift: { scheduled: true } })
    } finally {
      await lift({ order: order.id, reason: 'drill over' })
    }
  })

  it('serves the page without its preview on request, and the preview on its own with the same rules', async () => {
    const full = (await api<PartnerPage>('partners/isles')).body
    const later = (await api<PartnerPage>('partners/isles?preview=later')).body
    expect(later.preview).toBeUndefined()
    expect(later.agreements).toEqual(full.agreements)
    const { at: _fullAt, ...fullCounts } = full.preview!
    const preview = (await api<PartnerPreview>('partners/isles/preview')).body
    const { at: _at, ...counts } = preview
    expect(counts).toEqual(fullCounts)
    expect(preview.denied).toBeGreaterThan(0)
    const own = (await api<PartnerPreview>('partners/isles/preview', key('isles'))).body
    expect(own).toMatchObject({ denied: 0, deniedByReason: {}, total: own.allowed + own.redacted })
    expect(own.allowed).toBe(preview.allowed)
    expect((await api('partners/northland/preview', key('isles'))).status).toBe(403)
  })

  it('searches objects page by page, and a partner only finds what it may receive', async () => {
    const first = (await api<ObjectPage>('objects?limit=25')).body
    expect(first.items).toHaveLength(25)
    expect(first.next).toBeDefined()
    const second = (await api<ObjectPage>(`objects?limit=25&cursor=${first.next}`)).body
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id)
    const sets = (await api<ObjectPage>('objects?limit=100&type=intrusion-set')).body
    expect(sets.items.length).toBeGreaterThan(0)
    expect(sets.items.every((r) => r.type === 'intrusion-set')).toBe(true)
    const text = (await api<ObjectPage>('objects?limit=25&q=heron')).body
    expect(text.items.length).toBeGreaterThan(0)

    // Isles has maritime-routes only, and is now cut to TLP:CLEAR there
    const isles = (await api<ObjectPage>('objects?limit=200', key('isles'))).body
    expect(isles.items.length).toBeGreaterThan(0)
    expect(isles.items.every((r) => r.markings.every((m) => m.tlp === undefined || m.tlp === 'clear'))).toBe(
      true,
    )
    expect((await api('objects?limit=7')).status).toBe(400)
  })

  it('shows an object with its versions, who receives it and its neighbourhood', async () => {
    const [set] = (await api<ObjectPage>('objects?limit=25&type=intrusion-set')).body.items
    const detail = (await api<ObjectDetail>(`objects/${encodeURIComponent(set!.id)}`)).body
    expect(detail.versions.length).toBeGreaterThan(0)
    expect(detail.decisions?.map((d) => d.partner)).toEqual(['northland', 'isles', 'southern', 'imac'])
    const graph = (await api<ObjectGraph>(`objects/${encodeURIComponent(set!.id)}/graph`)).body
    expect(graph.nodes[0]!.id).toBe(set!.id)
    expect(graph.edges.length).toBeGreaterThan(0)
    expect((await api(`objects/${encodeURIComponent(set!.id)}`, key('isles'))).status).toBe(404)
  })

  it('serves the static console with SPA fallback and no way out of its directory', async () => {
    const page = await fetch(`${t.url}/console/flows`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const js = await fetch(`${t.url}/console/assets/app-123.js`)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    const missing = await fetch(`${t.url}/console/assets/missing.js`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-length')).toBe(String(Buffer.byteLength(await missing.text())))
    const headMissing = await fetch(`${t.url}/console/assets/missing.js`, { method: 'HEAD' })
    expect([headMissing.status, headMissing.headers.get('content-length')]).toEqual([404, '10'])
    for (const path of [
      '/console/..%2f..%2fpackage.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/..%5c..%5cpackage.json',
    ]) {
      const res = await fetch(`${t.url}${path}`)
      expect(await res.text()).not.toContain('"name"')
    }
    expect((await fetch(`${t.url}/console`, { redirect: 'manual' })).status).toBe(308)
    const post = await fetch(`${t.url}/console/`, { method: 'POST' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    expect(await post.text()).toMatch(/^POST is not supported .*use GET or HEAD\n$/)
    // the TAXII API is not shadowed
    expect(
      (
        await fetch(`${t.url}/taxii2/`, {
          headers: { Accept: TAXII, Authorization: `Bearer ${keys.adminKey}` },
        })
      ).status,
    ).toBe(200)
  })
})
