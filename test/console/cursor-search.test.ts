import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { type SearchQuery, searchObjects } from '../../src/services/console-intel.js'
import { knownMarkings } from '../../src/services/console-markings.js'
import type { ObjectPage } from '../../src/services/console-types.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { searchSession } from './search-session.js'

/*
 * The console search cursor carries a node-wide sequence number, and partners use the console search: the
 * cursor is sealed like the TAXII one, so a partner can neither read its position nor alter it, and it only
 * continues a search for the principal it was issued to.
 */

let t: TestNode
let keys: Awaited<ReturnType<typeof seedDemo>>
const partnerKey = (partner: string) => keys.partnerKeys.find((k) => k.partner === partner)!.key

beforeAll(async () => {
  t = await startTestNode()
  keys = await seedDemo(t.node.services)
})
afterAll(async () => t?.stop())

const open = (partnerId?: string) => searchSession(t, partnerId)

async function search(
  query: Omit<SearchQuery, 'limit'>,
  partnerId?: string,
  window = 30,
): Promise<ObjectPage> {
  const known = knownMarkings(await t.node.services.policy.history())
  return searchObjects(t.node.services.store, await open(partnerId), known, { limit: 25, ...query }, window)
}

describe('console search cursor', () => {
  it('shows a partner no position, count or JSON, and has one length whatever the position', async () => {
    const first = await search({}, 'isles')
    const second = await search({ cursor: first.next! }, 'isles')
    const lengths = new Set<number>()
    for (const next of [first.next!, second.next!]) {
      expect(next).toMatch(/^[A-Za-z0-9_-]+$/)
      const text = Buffer.from(next, 'base64url').toString('latin1')
      expect(() => JSON.parse(text)).toThrow()
      expect(text).not.toMatch(/"[csnm]":/)
      lengths.add(next.length)
    }
    expect(lengths.size).toBe(1)
  })

  it('continues a search page by page, for an administrator and for a partner', async () => {
    const walk = async (partner: string | undefined, window: number) => {
      const seen: string[] = []
      let cursor: string | undefined
      for (let i = 0; i < 1000; i++) {
        const page = await search(cursor ? { cursor } : {}, partner, window)
        seen.push(...page.items.map((r) => r.id))
        if (!page.next) return seen.sort()
        cursor = page.next
      }
      throw new Error('the search never ends')
    }
    for (const partner of [undefined, 'isles']) {
      const bounded = await walk(partner, 30)
      expect(bounded.length).toBeGreaterThan(25)
      expect(bounded).toEqual(await walk(partner, 1_000_000))
    }
  })

  it('refuses a cursor with any one byte flipped', async () => {
    const next = (await search({}, 'isles')).next!
    const bytes = Buffer.from(next, 'base64url')
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes)
      flipped[i]! ^= 0x01
      await expect(search({ cursor: flipped.toString('base64url') }, 'isles'), `byte ${i}`).rejects.toThrow(
        /cursor is not one this console issued/,
      )
    }
  })

  it('refuses a cursor issued to another principal', async () => {
    const admins = (await search({})).next!
    await expect(search({ cursor: admins }, 'isles')).rejects.toThrow(
      /cursor was issued to another principal/,
    )
    const isles = (await search({}, 'isles')).next!
    await expect(search({ cursor: isles }, 'northland')).rejects.toThrow(
      /cursor was issued to another principal/,
    )
    await expect(search({ cursor: isles })).rejects.toThrow(/cursor was issued to another principal/)
  })

  it('continues only the search it was issued for, whatever the page size', async () => {
    const first = await search({}, 'isles')
    expect(first.next).toBeDefined()
    const known = knownMarkings(await t.node.services.policy.history())
    const session = await open('isles')
    const again = await searchObjects(
      t.node.services.store,
      session,
      known,
      { cursor: first.next!, limit: 5 },
      30,
    )
    expect(again.items.length).toBeGreaterThan(0)
    for (const other of [{ type: 'indicator' }, { q: 'x' }, { collection: 'c' }, { label: 'l' }])
      await expect(search({ ...other, cursor: first.next! }, 'isles'), JSON.stringify(other)).rejects.toThrow(
        /cursor continues a search with other filters/,
      )
  })

  it('answers a bad cursor over the console API with a 400', async () => {
    const get = (path: string) =>
      fetch(`${t.url}/console-api/${path}`, { headers: { Authorization: `Bearer ${partnerKey('isles')}` } })
    const first = (await (await get('objects?limit=25')).json()) as ObjectPage
    expect(first.next).toBeDefined()
    expect((await get(`objects?limit=25&cursor=${first.next}`)).status).toBe(200)
    const forged = Buffer.from(JSON.stringify({ c: 0, s: 1, n: 0, m: 0 })).toString('base64url')
    expect((await get(`objects?limit=25&cursor=${forged}`)).status).toBe(400)
    const admins = (await search({})).next!
    expect((await get(`objects?limit=25&cursor=${admins}`)).status).toBe(400)
  })
})
