import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { type SearchQuery, searchObjects } from '../../src/services/console-intel.js'
import { knownMarkings } from '../../src/services/console-markings.js'
import type { ObjectPage, ObjectRow } from '../../src/services/console-types.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { searchSession } from './search-session.js'

/*
 * The intelligence search at bounded cost: with a window far smaller than the node, a selective search
 * returns short pages and a cursor, and following the cursors finds exactly what an unbounded search finds,
 * for an administrator and for a partner (whose view goes through the gate on every page).
 */

let t: TestNode
let keys: Awaited<ReturnType<typeof seedDemo>>

beforeAll(async () => {
  t = await startTestNode()
  keys = await seedDemo(t.node.services)
})

afterAll(async () => {
  await t?.stop()
})

const open = (partnerId?: string) => searchSession(t, partnerId)

async function everyPage(
  query: Omit<SearchQuery, 'limit'>,
  limit: number,
  window: number,
  partnerId?: string,
): Promise<{ rows: ObjectRow[]; pages: ObjectPage[] }> {
  const known = knownMarkings(await t.node.services.policy.history())
  const rows: ObjectRow[] = []
  const pages: ObjectPage[] = []
  let cursor: string | undefined
  for (let i = 0; i < 10_000; i++) {
    const page = await searchObjects(
      t.node.services.store,
      await open(partnerId),
      known,
      { ...query, limit, ...(cursor ? { cursor } : {}) },
      window,
    )
    expect(page.items.length).toBeLessThanOrEqual(limit)
    expect(page.scanned).toBeLessThanOrEqual(window)
    pages.push(page)
    rows.push(...page.items)
    if (!page.next) return { rows, pages }
    cursor = page.next
  }
  throw new Error('the search never ends')
}

const ids = (rows: ObjectRow[]) => rows.map((r) => r.id).sort()

describe('intelligence search with a bounded window', () => {
  const cases: [string, Omit<SearchQuery, 'limit'>][] = [
    ['text', { q: 'HERON' }],
    ['type', { type: 'intrusion-set' }],
    ['label', { label: 'money-laundering' }],
    ['marking', { marking: 'TLP:AMBER' }],
    ['text and type', { q: 'port', type: 'location' }],
    ['nothing matches', { q: 'no such words in any object' }],
  ]

  it.each(cases)('finds the same objects as an unbounded search: %s', async (name, query) => {
    const all = await everyPage(query, 200, 1_000_000)
    if (name !== 'nothing matches') expect(all.rows.length).toBeGreaterThan(0)
    const bounded = await everyPage(query, 25, 40)
    expect(ids(bounded.rows)).toEqual(ids(all.rows))
    // and the same as filtering everything the viewer sees by hand
    const everything = (await everyPage({}, 200, 1_000_000)).rows
    const byHand = everything.filter(
      (r) =>
        (!query.type || r.type === query.type) &&
        (!query.label || r.labels.includes(query.label)) &&
        (!query.marking || r.markings.some((m) => m.label === query.marking)),
    )
    if (!query.q) expect(ids(all.rows)).toEqual(ids(byHand))
    else expect(ids(byHand)).toEqual(expect.arrayContaining(ids(all.rows)))
  })

  it('reports how much it searched, up to the total, and says so on the last page', async () => {
    const { pages } = await everyPage({ q: 'heron' }, 25, 40)
    expect(pages.length).toBeGreaterThan(2)
    const total = pages[0]!.total
    expect(total).toBeGreaterThan(40)
    let before = 0
    for (const p of pages) {
      expect(p.total).toBe(total)
      expect(p.searched).toBeGreaterThanOrEqual(before)
      before = p.searched
    }
    expect(pages.at(-1)!.searched).toBe(total)
    expect(pages.slice(0, -1).every((p) => p.searched < total)).toBe(true)
  })

  it('a partner finds through the gate exactly what it may receive, page after page', async () => {
    const isles = 'isles'
    const all = await everyPage({}, 200, 1_000_000, isles)
    expect(all.rows.length).toBeGreaterThan(0)
    const bounded = await everyPage({ q: 'a' }, 25, 30, isles)
    const byHand = (await everyPage({ q: 'a' }, 200, 1_000_000, isles)).rows
    expect(ids(bounded.rows)).toEqual(ids(byHand))
    expect(new Set(ids(all.rows))).toEqual(new Set([...ids(all.rows), ...ids(bounded.rows)]))
    // the admin sees more than the partner
    const admin = await everyPage({}, 200, 1_000_000)
    expect(admin.rows.length).toBeGreaterThan(all.rows.length)
  })

  it('tells a partner nothing about versions withheld from it: every count is over what it was shown', async () => {
    for (const query of [{}, { q: 'a' }, { type: 'intrusion-set' }] as Omit<SearchQuery, 'limit'>[]) {
      const { rows, pages } = await everyPage(query, 25, 30, 'isles')
      let shown = 0
      for (const p of pages) {
        shown += p.items.length
        expect(p.scanned).toBe(p.items.length)
        expect(p.searched).toBe(shown)
        expect(p.total).toBe(shown)
      }
      expect(pages.at(-1)!.total).toBe(rows.length)
    }
    // the cursor is sealed: whoever holds it reads neither the node's count nor its position
    const first = (await everyPage({}, 25, 30, 'isles')).pages[0]!
    expect(() => JSON.parse(Buffer.from(first.next!, 'base64url').toString('utf8'))).toThrow()
  })

  it('refuses a cursor it did not issue', async () => {
    const known = knownMarkings(await t.node.services.policy.history())
    await expect(
      searchObjects(t.node.services.store, await open(), known, { limit: 25, cursor: 'bm9wZQ' }),
    ).rejects.toThrow(/cursor/)
    expect(keys.adminKey).toBeTruthy()
  })
})
