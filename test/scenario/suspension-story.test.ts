/**
 * The situation Sluice exists for (issue 3, "Scenario tests"; shared/DEMO.md), over HTTP: one node shares with
 * partners A, B, C; an order suspends A entirely and another narrows B to one collection at TLP:CLEAR; C is
 * unaffected; A's next request returns nothing; the orders are lifted and the flow returns; the order history
 * shows exactly when each change took effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_CAVEATS } from '../../src/demo/world.js'
import { TLP1, TLP2 } from '../helpers/policy-world.js'
import { modelDecide, modelRedact } from '../policy/reference-model.js'
import {
  A,
  adminPost,
  B,
  C,
  COLLECTION,
  countOf,
  D,
  get,
  MISSING_COLLECTION,
  type Pull,
  pull,
  resume,
  type Story,
  startStory,
  stopStory,
  suspend,
  versionsOf,
} from './story.js'

let s: Story
const day1 = new Map<string, Pull>()
let orderA: any
let orderB: any
let resumeA: any
let resumeB: any
/** A's last request that was served before the order, and first one after it. */
const aTimes: { lastServed?: string; firstEmpty?: string; lastEmpty?: string; firstServedAgain?: string } = {}

beforeAll(async () => {
  s = await startStory()
})
afterAll(async () => stopStory(s))

const LEVEL: Record<string, number> = {
  [TLP1.white]: 0,
  [TLP2.clear]: 0,
  [TLP1.green]: 1,
  [TLP2.green]: 1,
  [TLP1.amber]: 2,
  [TLP2.amber]: 2,
  [TLP2.amberStrict]: 3,
  [TLP1.red]: 4,
  [TLP2.red]: 4,
}
/** The object's TLP rank from well-known TLP ids (none: AMBER, as orders read unmarked objects). */
const tlpRank = (o: any): number => {
  const ranks = ((o.object_marking_refs ?? []) as string[])
    .map((m) => LEVEL[m])
    .filter((r): r is number => r !== undefined)
  return ranks.length > 0 ? Math.max(...ranks) : 2
}

/** A hidden thing answers exactly like a missing one. */
async function expectLikeMissing(path: string, missingPath: string, key: string) {
  const hidden = await get(s, path, key)
  const missing = await get(s, missingPath, key)
  expect(hidden.status, path).toBe(404)
  expect({ status: hidden.status, headers: hidden.headers, text: hidden.text }).toEqual({
    status: missing.status,
    headers: missing.headers,
    text: missing.text,
  })
  return hidden
}

describe('the suspension story', () => {
  it('day 1: every partner receives the flows its agreement allows, with its caveats', async () => {
    for (const p of [A, B, C, D] as const) day1.set(p, await pull(s, p, 40))
    aTimes.lastServed = day1.get(A)!.endedAt
    expect(day1.get(A)!.collections).toEqual([COLLECTION['maritime-routes'], COLLECTION.networks].sort())
    expect(day1.get(B)!.collections).toEqual([COLLECTION['maritime-routes']])
    expect(day1.get(C)!.collections).toEqual([COLLECTION.networks, COLLECTION['financial-flows']].sort())
    expect(day1.get(D)!.collections).toEqual(Object.values(COLLECTION).sort())
    for (const p of [A, B, C, D]) expect(countOf(day1.get(p)!), `${p} receives something`).toBeGreaterThan(10)
    // Northland's agreement binds it to H0 and IEP "internally visible actions": on everything it receives,
    // but a caveat's own definition, which STIX forbids marking with itself
    const caveats = [DEMO_CAVEATS.H0, DEMO_CAVEATS.IEP_INTERNAL]
    for (const list of day1.get(A)!.objects.values()) {
      for (const o of list)
        expect(o.object_marking_refs).toEqual(expect.arrayContaining(caveats.filter((c) => c !== o.id)))
    }
    // Isles (up to GREEN) gets nothing above GREEN; a RED-marked description inside a GREEN object is removed.
    for (const o of day1.get(B)!.objects.get(COLLECTION['maritime-routes'])!)
      expect(tlpRank(o)).toBeLessThanOrEqual(1)
  })

  it("day 3: an order suspends A entirely; A's very next request returns nothing", async () => {
    orderA = await suspend(s, {
      partner: A,
      reason: 'ministerial order pending review',
      reference: 'MIN-ORD-0042 (fictional)',
    })
    const order = orderA.body
    expect(order).toMatchObject({
      kind: 'suspension',
      partner_id: A,
      issuer: 'Demo duty officer',
      reason: 'ministerial order pending review',
    })
    expect(order.scope).toBeUndefined()
    // Effective at once: no restart, no cache to expire.
    expect(order.effective_from >= orderA.before && order.effective_from <= orderA.after).toBe(true)

    const key = s.keys[A]
    const listing = await get(s, '/intel/collections/', key)
    aTimes.firstEmpty = listing.sentAt
    expect(listing.status).toBe(200)
    expect(listing.body).toEqual({})
    const seen = day1.get(A)!
    for (const c of seen.collections) {
      const missing = `/intel/collections/${MISSING_COLLECTION}`
      const base = `/intel/collections/${c}`
      await expectLikeMissing(`${base}/`, `${missing}/`, key)
      await expectLikeMissing(`${base}/objects/`, `${missing}/objects/`, key)
      await expectLikeMissing(`${base}/manifest/`, `${missing}/manifest/`, key)
      const known = seen.objects.get(c)![0]
      await expectLikeMissing(`${base}/objects/${known.id}/`, `${missing}/objects/${known.id}/`, key)
      await expectLikeMissing(
        `${base}/objects/${known.id}/versions/`,
        `${missing}/objects/${known.id}/versions/`,
        key,
      )
      const pattern = encodeURIComponent("[ipv4-addr:value = '198.51.100.7']")
      const search = await get(s, `/search/match?collection=${c}&pattern=${pattern}`, key, 'application/json')
      const searchMissing = await get(
        s,
        `/search/match?collection=${MISSING_COLLECTION}&pattern=${pattern}`,
        key,
        'application/json',
      )
      expect(search.status).toBe(404)
      expect(search.text).toBe(searchMissing.text)
    }
    // The other partners do not notice.
    for (const p of [B, C, D] as const)
      expect(versionsOf(await pull(s, p)), p).toEqual(versionsOf(day1.get(p)!))
  })

  it('same day: an order narrows B to maritime-routes at TLP:CLEAR; C is unaffected', async () => {
    orderB = await suspend(s, {
      partner: B,
      collections: ['maritime-routes'],
      above_tlp: 'clear',
      reason: 'source protection: a route under active surveillance',
    })
    expect(orderB.body.scope).toEqual({ collections: [COLLECTION['maritime-routes']], above_tlp: 'clear' })

    const now = await pull(s, B)
    expect(now.collections, 'the narrowed collection stays listed').toEqual([COLLECTION['maritime-routes']])
    const got = now.objects.get(COLLECTION['maritime-routes'])!
    const before = day1.get(B)!.objects.get(COLLECTION['maritime-routes'])!
    expect(got.length, 'B still receives its TLP:CLEAR objects').toBeGreaterThan(0)
    expect(got.length, 'and nothing above CLEAR').toBeLessThan(before.length)
    for (const o of got) {
      expect(tlpRank(o), `${o.id} is TLP:CLEAR`).toBe(0)
      // no property marked above CLEAR survives
      for (const g of o.granular_markings ?? [])
        expect(LEVEL[g.marking_ref] ?? 0, `${o.id} ${g.selectors}`).toBe(0)
    }
    // Every CLEAR object B had on day 1 still arrives, and nothing else: the reference model agrees object by object.
    const history = await s.t.node.services.policy.history()
    const instant = new Date().toISOString()
    const expected = before
      .filter((o) => tlpRank(o) === 0)
      .map((o) => o.id)
      .sort()
    expect(got.map((o) => o.id).sort()).toEqual(expected)
    for (const o of got) {
      const [stored] = await s.t.node.store.latestVersions([o.id])
      const original = JSON.parse(stored!.json)
      const d = modelDecide(
        history,
        B,
        { collectionId: COLLECTION['maritime-routes'], object: original },
        instant,
      )
      expect(d.effect).not.toBe('deny')
      expect(o).toEqual(modelRedact(original, d))
    }
    // A still receives nothing; C and the Analysis Centre are untouched.
    expect((await get(s, '/intel/collections/', s.keys[A])).body).toEqual({})
    for (const p of [C, D] as const) expect(versionsOf(await pull(s, p)), p).toEqual(versionsOf(day1.get(p)!))
  })

  it('the orders are lifted and the flow returns, unchanged', async () => {
    const last = await get(s, '/intel/collections/', s.keys[A])
    aTimes.lastEmpty = last.sentAt
    expect(last.body).toEqual({})
    resumeA = await resume(s, orderA.body.id, 'review complete: sharing restored')
    resumeB = await resume(s, orderB.body.id, 'surveillance operation closed')
    expect(resumeA.body).toMatchObject({ kind: 'resumption', lifts: orderA.body.id })
    const a = await pull(s, A)
    aTimes.firstServedAgain = a.startedAt
    expect(versionsOf(a)).toEqual(versionsOf(day1.get(A)!))
    for (const [c, list] of a.objects) expect(list).toEqual(day1.get(A)!.objects.get(c))
    const b = await pull(s, B)
    for (const [c, list] of b.objects) expect(list).toEqual(day1.get(B)!.objects.get(c))
    for (const p of [C, D] as const) expect(versionsOf(await pull(s, p))).toEqual(versionsOf(day1.get(p)!))
    // Lifting twice is refused.
    const again = await adminPost(s, `/admin/orders/${orderA.body.id}/resume`, { reason: 'twice' })
    expect(again.status).toBe(400)
  })

  it('the history shows exactly when each change took effect', async () => {
    const res = await fetch(`${s.t.url}/admin/orders?partner=${A}`, {
      headers: { Authorization: `Bearer ${s.admin}` },
    })
    expect(res.status).toBe(200)
    const history = (await res.json()) as any[]
    expect(history).toHaveLength(2)
    const [suspension, resumption] = history
    expect(suspension).toMatchObject({
      status: 'lifted',
      liftedBy: resumeA.body.id,
      liftedAt: resumeA.body.effective_from,
      order: {
        id: orderA.body.id,
        kind: 'suspension',
        effective_from: orderA.body.effective_from,
        reason: 'ministerial order pending review',
        reference: 'MIN-ORD-0042 (fictional)',
      },
    })
    expect(resumption).toMatchObject({
      status: 'resumption',
      order: { id: resumeA.body.id, lifts: orderA.body.id },
    })
    // The recorded instants sit where A's own requests say they must.
    const from = orderA.body.effective_from as string
    const to = resumeA.body.effective_from as string
    expect(aTimes.lastServed! < from).toBe(true)
    expect(from <= aTimes.firstEmpty!).toBe(true)
    expect(aTimes.lastEmpty! < to).toBe(true)
    expect(to <= aTimes.firstServedAgain!).toBe(true)

    // "Policy at instant T" around the edges: everything up to the order, nothing inside, everything after.
    const preview = async (at: string) => {
      const r = await fetch(`${s.t.url}/admin/policy/preview?partner=${A}&at=${encodeURIComponent(at)}`, {
        headers: { Authorization: `Bearer ${s.admin}` },
      })
      expect(r.status).toBe(200)
      return (await r.json()) as { total: number; allowed: number; redacted: number; denied: number }
    }
    const justBefore = (t: string) => new Date(Date.parse(t) - 1).toISOString()
    const open = await preview(justBefore(from))
    expect(open.allowed + open.redacted).toBeGreaterThan(0)
    const closedAtStart = await preview(from)
    expect(closedAtStart.allowed + closedAtStart.redacted).toBe(0)
    const closedAtEnd = await preview(justBefore(to))
    expect(closedAtEnd.allowed + closedAtEnd.redacted).toBe(0)
    const reopened = await preview(to)
    expect(reopened.allowed + reopened.redacted).toBe(open.allowed + open.redacted)

    // B's narrowing is on record with its scope, and C has no orders at all.
    const bRes = await fetch(`${s.t.url}/admin/orders?partner=${B}`, {
      headers: { Authorization: `Bearer ${s.admin}` },
    })
    const bHistory = (await bRes.json()) as any[]
    expect(bHistory.map((h) => h.status)).toEqual(['lifted', 'resumption'])
    expect(bHistory[0].order.scope).toEqual({
      collections: [COLLECTION['maritime-routes']],
      above_tlp: 'clear',
    })
    expect(bHistory[0].liftedAt).toBe(resumeB.body.effective_from)
    const cRes = await fetch(`${s.t.url}/admin/orders?partner=${C}`, {
      headers: { Authorization: `Bearer ${s.admin}` },
    })
    expect(await cRes.json()).toEqual([])
  })
})
