/**
 * Proof that nothing leaks (issue 3): random partners, agreements, orders and objects are loaded into a real
 * node, and EVERY read path a partner has is compared, over HTTP, with the independent reference model
 * (test/policy/reference-model.ts): TAXII collection listing and collection GET, objects (default, all, first,
 * a version timestamp, match[type], match[id], added_after), object by id, versions, manifest, paging with
 * `more` / `next` and the X-TAXII-Date-Added headers, the pattern search, and the partner's own ledger log.
 *
 * Hidden things must be indistinguishable from missing ones: a hidden collection answers exactly like a
 * collection that does not exist, a hidden object exactly like an unknown id (status, headers and body).
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Answer, readAnswer } from '../helpers/answer.js'
import { TAXII } from '../helpers/node.js'
import {
  type AgreementVersionSpec,
  agreementVersionSpecArb,
  type Expected,
  endpointContext,
  type Harness,
  type LoadedPartner,
  loadWorld,
  type ModelQuery,
  modelCollections,
  modelRead,
  modelVisibleVersions,
  type OrderSpec,
  orderSpecArb,
  putAgreementVersion,
  putOrder,
  rotate,
  startHarness,
  stopHarness,
  type World,
  worldArb,
} from '../helpers/policy-world.js'
import { modelDecide } from '../policy/reference-model.js'

const MISSING_COLLECTION = '00000000-dead-4000-8000-000000000000'
const stats = {
  searches: 0,
  searchMatches: 0,
  denyReasons: {} as Record<string, number>,
  timing: { load: 0, check: 0, http: 0 },
  effects: { allow: 0, redact: 0, deny: 0 },
  runs: 0,
  requests: 0,
  versionsCompared: 0,
  hiddenProbes: 0,
  partnersChecked: 0,
  midWalkOrders: 0,
}

async function get(h: Harness, path: string, key: string): Promise<Answer> {
  stats.requests++
  const t0 = performance.now()
  const res = await fetch(`${h.t.url}${path}`, { headers: { Accept: TAXII, Authorization: `Bearer ${key}` } })
  const answer = await readAnswer(res)
  stats.timing.http += performance.now() - t0
  return answer
}

/** Answers to probes of things that do not exist, per partner key and path (they never change). */
const missingAnswers = new Map<string, Answer>()

/** A hidden thing must answer exactly like a missing thing: same status, same headers, same bytes. */
async function expectSameAnswer(
  h: Harness,
  hiddenPath: string,
  missingPath: string,
  key: string,
  why: string,
) {
  stats.hiddenProbes++
  const hidden = await get(h, hiddenPath, key)
  const cacheKey = `${key} ${missingPath}`
  let missing = missingAnswers.get(cacheKey)
  if (!missing) {
    missing = await get(h, missingPath, key)
    missingAnswers.set(cacheKey, missing)
  }
  expect(missing.status, `${why}: the missing probe ${missingPath}`).toBe(404)
  expect(
    { status: hidden.status, headers: hidden.headers, text: hidden.text },
    `${why}: ${hiddenPath} vs ${missingPath}`,
  ).toEqual({
    status: missing.status,
    headers: missing.headers,
    text: missing.text,
  })
}

const enc = encodeURIComponent
const sha = (s: string) => createHash('sha256').update(s).digest('hex')

/** What the partner was served during one case: `id|modified` → hashes of the exact bytes, and how many. */
class Served {
  readonly hashes = new Map<string, Set<string>>()
  count = 0
  add(objects: any[]) {
    for (const o of objects) {
      const key = `${o.id}|${o.modified ?? 'null'}`
      const set = this.hashes.get(key) ?? new Set()
      // The node serialises with JSON.stringify; re-serialising the parsed object gives the same bytes.
      set.add(sha(JSON.stringify(o)))
      this.hashes.set(key, set)
      this.count++
    }
  }
}

function queryString(q: ModelQuery): string {
  const parts: string[] = []
  if (q.versions)
    parts.push(`match[version]=${q.versions.map((v) => (typeof v === 'string' ? v : v.at)).join(',')}`)
  if (q.ids) parts.push(`match[id]=${q.ids.join(',')}`)
  if (q.types) parts.push(`match[type]=${q.types.join(',')}`)
  if (q.addedAfter) parts.push(`added_after=${enc(q.addedAfter)}`)
  return parts.join('&')
}

/**
 * Walks every page of `path` with page size `limit` and compares with `expected` (in sequence order): page
 * contents, `more` (true exactly when something visible follows), `next`, and the date-added headers.
 */
async function walk(
  h: Harness,
  key: string,
  path: string,
  query: string,
  limit: number,
  expected: Expected[],
  kind: 'objects' | 'manifest',
  served: Served,
  where: string,
  between?: (page: number) => Promise<Expected[] | 'hidden' | undefined>,
) {
  let i = 0
  let next: string | undefined
  for (let page = 0; ; page++) {
    if (between && page > 0) {
      const changed = await between(page)
      if (changed === 'hidden') {
        await expectSameAnswer(
          h,
          `${path}?next=${enc(next!)}&limit=${limit}`,
          path.replace(/collections\/[^/]+\//, `collections/${MISSING_COLLECTION}/`) +
            `?next=${enc(next!)}&limit=${limit}`,
          key,
          `${where}: the collection became hidden mid-walk`,
        )
        return
      }
      if (changed) {
        const lastSeq = expected[i - 1]!.row.seq
        expected = [...expected.slice(0, i), ...changed.filter((e) => e.row.seq > lastSeq)]
      }
    }
    const url =
      page === 0
        ? `${path}?${query}${query ? '&' : ''}limit=${limit}`
        : `${path}?next=${enc(next!)}&limit=${limit}`
    const a = await get(h, url, key)
    const at = `${where} ${kind} page ${page} (${url})`
    expect(a.status, `${at}: ${a.text}`).toBe(200)
    const want = expected.slice(i, i + limit)
    const items: any[] = a.body.objects ?? []
    if (kind === 'objects') {
      expect(
        items.map((o) => `${o.id}|${o.modified ?? ''}`),
        `${at}: the (id, modified) served`,
      ).toEqual(want.map((e) => `${e.row.id}|${e.row.object.modified ?? ''}`))
      expect(items, `${at}: redactions and caveats`).toEqual(want.map((e) => e.object))
      served.add(items)
    } else {
      expect(items, `${at}: manifest records`).toEqual(
        want.map((e) => ({
          id: e.row.id,
          date_added: e.row.dateAdded,
          version: e.row.version ?? e.row.dateAdded,
          media_type: 'application/stix+json;version=2.1',
        })),
      )
    }
    stats.versionsCompared += want.length
    const more = i + limit < expected.length
    expect(a.body.more, `${at}: more must be true exactly when a visible version follows`).toBe(more)
    expect(typeof a.body.next === 'string', `${at}: next iff more`).toBe(more)
    expect(a.headers['x-taxii-date-added-first'], `${at}: X-TAXII-Date-Added-First`).toBe(
      want[0]?.row.dateAdded,
    )
    expect(a.headers['x-taxii-date-added-last'], `${at}: X-TAXII-Date-Added-Last`).toBe(
      want[want.length - 1]?.row.dateAdded,
    )
    if (!more) return
    next = a.body.next
    i += limit
  }
}

/** A deterministic pick from a list, driven by the case (so a failure replays). */
const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length === 0 ? undefined : list[Math.abs(n) % list.length]

interface CheckOptions {
  light?: boolean
}

async function checkPartner(
  h: Harness,
  world: World,
  partner: LoadedPartner,
  now: string,
  options: CheckOptions = {},
) {
  stats.partnersChecked++
  const key = partner.key
  const served = new Served()
  const where = `case ${world.caseNo} partner ${partner.id}`
  const visible = modelCollections(world.history, partner.id, now, h.collections)
  for (const r of world.rows) {
    const d = modelDecide(
      world.history,
      partner.id,
      { collectionId: r.collectionId, object: r.object },
      now,
      endpointContext(world.rows),
    )
    stats.effects[d.effect]++
    if (d.effect === 'deny')
      for (const k of new Set(d.reasons.map((r) => r.split('|')[0]!)))
        (stats.denyReasons as any)[k] = ((stats.denyReasons as any)[k] ?? 0) + 1
  }

  // Collection listing: exactly the collections the model lets the partner know of.
  const listing = await get(h, '/intel/collections/', key)
  expect(listing.status).toBe(200)
  const listed: any[] = listing.body.collections ?? []
  expect(listed.map((c) => c.id).sort(), `${where}: collection listing`).toEqual([...visible].sort())
  if (listed.length === 0)
    expect(listing.body, `${where}: an empty listing has no collections key`).toEqual({})
  for (const c of listed)
    expect({ can_read: c.can_read, can_write: c.can_write }).toEqual({ can_read: true, can_write: false })

  const seed = world.caseNo
  for (const [ci, c] of world.collections.entries()) {
    const base = `/intel/collections/${c}`
    const missing = `/intel/collections/${MISSING_COLLECTION}`
    const rows = world.rows.filter((r) => r.collectionId === c)
    const someId = pick(rows, seed + ci)?.id ?? world.unknownId
    if (!visible.has(c)) {
      await expectSameAnswer(h, `${base}/`, `${missing}/`, key, `${where}: hidden collection ${c}`)
      if (!options.light || rows.length > 0) {
        await expectSameAnswer(
          h,
          `${base}/objects/`,
          `${missing}/objects/`,
          key,
          `${where}: objects of hidden ${c}`,
        )
        await expectSameAnswer(
          h,
          `${base}/objects/${someId}/`,
          `${missing}/objects/${someId}/`,
          key,
          `${where}: object in hidden ${c}`,
        )
      }
      if (!options.light) {
        await expectSameAnswer(
          h,
          `${base}/manifest/`,
          `${missing}/manifest/`,
          key,
          `${where}: manifest of hidden ${c}`,
        )
        await expectSameAnswer(
          h,
          `${base}/objects/${someId}/versions/`,
          `${missing}/objects/${someId}/versions/`,
          key,
          `${where}: versions in hidden ${c}`,
        )
        await expectSameAnswer(
          h,
          `/search/match?collection=${c}&pattern=${enc("[ipv4-addr:value = '198.51.100.1']")}`,
          `/search/match?collection=${MISSING_COLLECTION}&pattern=${enc("[ipv4-addr:value = '198.51.100.1']")}`,
          key,
          `${where}: pattern search in hidden ${c}`,
        )
      }
      continue
    }
    const coll = await get(h, `${base}/`, key)
    expect(coll.status).toBe(200)
    expect({ id: coll.body.id, can_read: coll.body.can_read, can_write: coll.body.can_write }).toEqual({
      id: c,
      can_read: true,
      can_write: false,
    })

    const read = (q: ModelQuery) => modelRead(world, partner.id, c, q, now)
    const limit = 1 + ((seed + ci) % 3)
    await walk(h, key, `${base}/objects/`, '', limit, read({}), 'objects', served, where)
    await walk(
      h,
      key,
      `${base}/objects/`,
      'match[version]=all',
      limit,
      read({ versions: ['all'] }),
      'objects',
      served,
      where,
    )
    if (!options.light) {
      // Two more filter shapes per collection, rotating with the case, so every shape is covered many times.
      const variants: (() => Promise<void>)[] = [
        () =>
          walk(
            h,
            key,
            `${base}/manifest/`,
            'match[version]=all',
            limit + 1,
            read({ versions: ['all'] }),
            'manifest',
            served,
            where,
          ),
        () => walk(h, key, `${base}/manifest/`, '', limit, read({}), 'manifest', served, where),
        () =>
          walk(
            h,
            key,
            `${base}/objects/`,
            'match[version]=first',
            limit,
            read({ versions: ['first'] }),
            'objects',
            served,
            where,
          ),
        async () => {
          const ts = pick(
            rows.filter((r) => r.version !== undefined),
            seed * 3 + ci,
          )?.version
          const q: ModelQuery = { versions: ts ? [{ at: ts }, 'first'] : ['first'] }
          await walk(h, key, `${base}/objects/`, queryString(q), limit, read(q), 'objects', served, where)
        },
        async () => {
          const after = pick(rows, seed * 7 + ci)?.dateAdded ?? '2025-01-01T00:00:00.000000Z'
          const q: ModelQuery = { versions: ['all'], addedAfter: after }
          await walk(h, key, `${base}/objects/`, queryString(q), limit, read(q), 'objects', served, where)
        },
        async () => {
          const q: ModelQuery = {
            types: [pick(rows, seed * 5 + ci)?.type ?? 'indicator', 'sighting'],
            versions: ['last', 'first'],
          }
          await walk(h, key, `${base}/objects/`, queryString(q), limit, read(q), 'objects', served, where)
        },
        async () => {
          const q: ModelQuery = {
            ids: [...new Set(rows.map((r) => r.id))].slice(0, 2).concat(world.unknownId),
            versions: ['all'],
          }
          await walk(h, key, `${base}/objects/`, queryString(q), limit, read(q), 'objects', served, where)
        },
      ]
      const first = (seed * 3 + ci * 5 + Number.parseInt(partner.id.slice(-1), 10)) % variants.length
      await variants[first]!()
      await variants[(first + 1 + (seed % (variants.length - 1))) % variants.length]!()
    }

    // Object by id and versions: a visible object answers 200 with exactly its visible versions; a hidden or
    // absent one answers exactly like an id that was never stored.
    const probeIds = [...new Set([...rows.map((r) => r.id), pick(world.ids, seed)!])].slice(
      0,
      options.light ? 4 : 3,
    )
    for (const [n, id] of probeIds.entries()) {
      for (const versions of (seed + n) % 2 === 0 ? [undefined] : ['all' as const]) {
        const q: ModelQuery = versions ? { ids: [id], versions: [versions] } : { ids: [id] }
        const want = read(q)
        const suffix = versions ? `?match[version]=${versions}` : ''
        if (want.length === 0) {
          await expectSameAnswer(
            h,
            `${base}/objects/${id}/${suffix}`,
            `${base}/objects/${world.unknownId}/${suffix}`,
            key,
            `${where}: hidden object ${id}`,
          )
        } else {
          const a = await get(h, `${base}/objects/${id}/${suffix}`, key)
          expect(a.status, `${where}: object ${id}`).toBe(200)
          expect(a.body.objects, `${where}: object ${id}${suffix}`).toEqual(want.map((e) => e.object))
          expect(a.body.more).toBe(false)
          expect(a.headers['x-taxii-date-added-first']).toBe(want[0]!.row.dateAdded)
          expect(a.headers['x-taxii-date-added-last']).toBe(want[want.length - 1]!.row.dateAdded)
          served.add(a.body.objects)
          stats.versionsCompared += want.length
        }
      }
      const all = read({ ids: [id], versions: ['all'] })
      if (all.length === 0) {
        await expectSameAnswer(
          h,
          `${base}/objects/${id}/versions/`,
          `${base}/objects/${world.unknownId}/versions/`,
          key,
          `${where}: versions of hidden ${id}`,
        )
      } else {
        const a = await get(h, `${base}/objects/${id}/versions/`, key)
        expect(a.status).toBe(200)
        expect(a.body.versions, `${where}: versions of ${id}`).toEqual(
          all.map((e) => e.row.version ?? e.row.dateAdded),
        )
        expect(a.body.more).toBe(false)
      }
    }

    // Pattern search over observed-data: only visible observed-data, and only visible SCOs, can match; the
    // number scanned is the number of visible observed-data (a count of hidden ones would leak).
    if (!options.light && rows.some((r) => r.type === 'observed-data')) {
      // Look for the value of an SCO some observed-data here points at (visible or not), so matches happen.
      const referenced = rows
        .filter((r) => r.type === 'observed-data')
        .flatMap((r) => (r.object.object_refs as string[]) ?? [])
      const sco = world.rows.find((r) => r.id === pick(referenced, seed + ci))
      const value = (sco?.object.value as string | undefined) ?? `198.51.100.${seed % 8}`
      const a = await get(
        h,
        `/search/match?collection=${c}&pattern=${enc(`[ipv4-addr:value = '${value}']`)}`,
        key,
      )
      expect(a.status, `${where}: search ${a.text}`).toBe(200)
      const observed = read({ types: ['observed-data'] })
      const scos = new Map<string, any>()
      for (const r of world.rows) {
        if (r.type !== 'ipv4-addr') continue
        const v = modelRead(world, partner.id, r.collectionId, { ids: [r.id] }, now)
        for (const e of v) scos.set(e.row.id, e.object)
      }
      const matches = observed.filter((e) =>
        ((e.object.object_refs as string[] | undefined) ?? []).some((ref) => scos.get(ref)?.value === value),
      )
      stats.searches++
      stats.searchMatches += matches.length
      expect(a.body.scanned, `${where}: observed-data scanned`).toBe(observed.length)
      expect(a.body.objects, `${where}: pattern matches`).toEqual(matches.map((e) => e.object))
      expect(a.body.matched_as_set).toBe(matches.length > 0)
      for (const b of a.body.binding) expect(matches.map((e) => e.row.id)).toContain(b)
      served.add(a.body.objects)
      stats.versionsCompared += matches.length
    }
  }

  // The partner's own log: one disclosure entry per object served, each for a version the model lets it see,
  // hashing exactly the bytes it received; nothing else disclosed.
  if (!options.light) {
    const log = await get(h, '/ledger/entries?start=0&end=1000', key)
    expect(log.status).toBe(200)
    const disclosures = (log.body as any[]).filter((e) => e.entry.kind === 'disclosure').map((e) => e.entry)
    expect(disclosures.length, `${where}: one ledger entry per object served`).toBe(served.count)
    for (const d of disclosures) {
      const k = `${d.objectId}|${d.objectModified ?? 'null'}`
      expect(d.partnerId).toBe(partner.id)
      expect(served.hashes.get(k), `${where}: ledger records ${k}, which was never served`).toBeDefined()
      expect([...served.hashes.get(k)!]).toContain(d.contentSha256)
    }
    const visibleVersions = modelVisibleVersions(world, partner.id, visible, now)
    for (const k of served.hashes.keys()) expect(visibleVersions.has(k), `${where}: served ${k}`).toBe(true)
    // Another partner's log is refused the same way whether that partner exists or not.
    const other = world.partners.find((p) => p.id !== partner.id)
    if (other) {
      const a = await get(h, `/ledger/entries?log=partner:${other.id}`, key)
      const b = await get(h, `/ledger/entries?log=partner:no-such-partner-${world.caseNo}`, key)
      expect(a.status).toBe(403)
      expect(a.text).toBe(b.text)
    }
  }
}

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await stopHarness(h)
  console.info(`[no-leak] ${JSON.stringify(stats)}`)
})

const RICH_RUNS = Number(process.env.LEAK_RICH_RUNS ?? 40)
const LIGHT_RUNS = Number(process.env.LEAK_LIGHT_RUNS ?? 300)
const MIDWALK_RUNS = Number(process.env.LEAK_MIDWALK_RUNS ?? 100)

describe('no read path discloses what the reference model withholds', () => {
  it('every read path, every partner, three collections: zero divergence', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb(), async (spec) => {
        stats.runs++
        await rotate(h, 20)
        let t0 = performance.now()
        const world = await loadWorld(h, spec)
        stats.timing.load += performance.now() - t0
        t0 = performance.now()
        const now = new Date().toISOString()
        for (const p of world.partners) await checkPartner(h, world, p, now)
        stats.timing.check += performance.now() - t0
      }),
      { numRuns: RICH_RUNS },
    )
  }, 600_000)

  it('many small worlds: listing, objects, object by id and versions', async () => {
    await fc.assert(
      fc.asyncProperty(
        worldArb({ collections: 1, partners: 1, minLineages: 1, maxLineages: 4 }),
        async (spec) => {
          stats.runs++
          await rotate(h, 150)
          const world = await loadWorld(h, spec, 'store')
          const now = new Date().toISOString()
          await checkPartner(h, world, world.partners[0]!, now, { light: true })
        },
      ),
      { numRuns: LIGHT_RUNS },
    )
  }, 600_000)
})

type Change =
  | { kind: 'suspend'; order: OrderSpec }
  | { kind: 'resume'; which: number }
  | { kind: 'amend'; version: AgreementVersionSpec; which: number }

/** One partner that can read collection 0 at first (a broad agreement first), most objects in collection 0. */
const midWalkWorldArb = worldArb({ collections: 2, partners: 1, minLineages: 4, maxLineages: 9 }).map(
  (spec) => {
    const broad: AgreementVersionSpec = {
      collections: '*',
      types: '*',
      maxTlp: 'red',
      caveats: [],
      requiredLabels: [],
      forbiddenLabels: [],
      requiredMarkings: [],
      forbiddenMarkings: [],
      validity: 'none',
      at: 'past',
      withdrawn: false,
    }
    const p = spec.partners[0]!
    return {
      ...spec,
      partners: [
        {
          agreements: [[broad], ...p.agreements.slice(0, 1)],
          orders: p.orders.filter((o) => o.scope !== undefined).slice(0, 1),
        },
      ],
      lineages: spec.lineages.map((l, i) => ({ ...l, collection: i % 4 === 3 ? 1 : 0 })),
    }
  },
)

describe('an order takes effect on the very next request', () => {
  it('a change issued between two pages of one next walk governs the second page', async () => {
    const changeArb: fc.Arbitrary<Change> = fc.oneof(
      {
        arbitrary: orderSpecArb(2).map((order) => ({
          kind: 'suspend' as const,
          order: { ...order, resume: undefined },
        })),
        weight: 4,
      },
      { arbitrary: fc.nat().map((which) => ({ kind: 'resume' as const, which })), weight: 1 },
      {
        arbitrary: fc
          .tuple(agreementVersionSpecArb(2), fc.nat())
          .map(([version, which]) => ({ kind: 'amend' as const, version, which })),
        weight: 2,
      },
    )
    await fc.assert(
      fc.asyncProperty(
        midWalkWorldArb,
        changeArb,
        fc.integer({ min: 1, max: 2 }),
        async (spec, change, limit) => {
          stats.runs++
          await rotate(h, 60)
          const world = await loadWorld(h, spec, 'store')
          const partner = world.partners[0]!
          const c = world.collections[0]!
          const before = new Date().toISOString()
          if (!modelCollections(world.history, partner.id, before, h.collections).has(c)) return
          const served = new Served()
          let changed = false
          // Runs once, before the second page: the change, then what the model says the rest of the walk holds.
          const between = async (): Promise<Expected[] | 'hidden' | undefined> => {
            if (changed) return undefined
            changed = true
            await applyChange(h, world, partner, change)
            stats.midWalkOrders++
            const now = new Date().toISOString()
            if (!modelCollections(world.history, partner.id, now, h.collections).has(c)) return 'hidden'
            return modelRead(world, partner.id, c, { versions: ['all'] }, now)
          }
          const where = `case ${world.caseNo} mid-walk ${change.kind}`
          await walk(
            h,
            partner.key,
            `/intel/collections/${c}/objects/`,
            'match[version]=all',
            limit,
            modelRead(world, partner.id, c, { versions: ['all'] }, before),
            'objects',
            served,
            where,
            between,
          )
        },
      ),
      { numRuns: MIDWALK_RUNS },
    )
  }, 600_000)
})

async function applyChange(h: Harness, world: World, partner: LoadedPartner, change: Change) {
  const history = world.history as unknown as { agreements: any[]; orders: any[] }
  const base = Date.now()
  if (change.kind === 'suspend') {
    history.orders.push(...(await putOrder(h, partner.id, change.order, world.collections, base)))
  } else if (change.kind === 'resume') {
    const lifted = new Set(history.orders.filter((o) => o.kind === 'resumption').map((o) => o.lifts))
    const open = history.orders.filter(
      (o) => o.kind === 'suspension' && !lifted.has(o.id) && Date.parse(o.effective_from) <= base,
    )
    const target = pick(open, change.which)
    if (!target) {
      // nothing to lift: suspend everything instead
      history.orders.push(
        ...(await putOrder(
          h,
          partner.id,
          { scope: undefined, at: 'now', resume: undefined },
          world.collections,
          base,
        )),
      )
      return
    }
    const lift = await h.t.node.services.policy.resume({
      order: target.id,
      reason: 'lifted mid-walk',
      issuer: 'Fictional duty officer',
    })
    history.orders.push(lift)
  } else {
    const ids = [...new Set(history.agreements.map((a) => a.id))]
    const id = pick(ids, change.which)
    const versions = history.agreements.filter((a) => a.id === id)
    const put = await putAgreementVersion(
      h,
      partner.id,
      change.version,
      world.collections,
      base,
      id,
      versions.length + 1,
      versions.at(-1),
    )
    if (put) history.agreements.push(put)
  }
}
