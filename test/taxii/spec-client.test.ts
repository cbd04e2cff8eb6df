import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { STORES } from '../helpers/stores.js'
import { indicator } from './fixtures.js'
import { SpecClient } from './spec-client.js'

describe.each(STORES)('TAXII API on $name', (adapter) => {
  let t: TestNode
  beforeAll(async () => {
    t = await startTestNode({}, adapter)
    await createCollection(t.node.store, {
      apiRoot: 'intel',
      title: 'Financial flows',
      alias: 'financial-flows',
    })
  })
  afterAll(async () => t.stop())

  it('a client written from the spec discovers, posts, polls status and pages everything back', async () => {
    const client = new SpecClient(`${t.url}/taxii2/`, { user: 'analyst', password: t.adminKey })
    const discovery = await client.discover()
    const apiRoot = discovery.default!
    const [collection] = await client.collections(apiRoot)
    expect(collection!.can_write).toBe(true)
    const posted = Array.from({ length: 10 }, (_, i) => indicator(100 + i))
    const added = await client.add(apiRoot, collection!.id, posted)
    expect(added.status).toBe(202)
    const status = await client.request(`${apiRoot}status/${added.body.id}/`)
    expect(status.body.success_count).toBe(10)
    const back = await client.allObjects(apiRoot, collection!.id, '', 3)
    expect(back).toEqual(posted)
    const lastAdded = (
      await client.request(`${apiRoot}collections/${collection!.id}/objects/?limit=5`)
    ).headers.get('x-taxii-date-added-last')!
    const rest = await client.allObjects(apiRoot, collection!.id, `added_after=${lastAdded}`, 2)
    expect(rest).toEqual(posted.slice(5))
  })

  it('a reader paging while a writer posts sees every object exactly once', async () => {
    const client = new SpecClient(`${t.url}/taxii2/`, { user: 'analyst', password: t.adminKey })
    const apiRoot = (await client.discover()).default!
    const c = await createCollection(t.node.store, { apiRoot: 'intel', title: 'Interleaved' })
    const seen: string[] = []
    const written: string[] = []
    let next: string | undefined
    let addedAfter: string | undefined
    let more = true
    for (let round = 0; round < 8 || more; round++) {
      if (round < 8) {
        const batch = Array.from({ length: 3 }, (_, i) => indicator(1000 + round * 3 + i))
        await client.add(apiRoot, c.id, batch)
        written.push(...batch.map((b) => b.id))
      }
      // within a result set follow next; once it ends, poll on with added_after (spec §3.4.2)
      const params = new URLSearchParams({ limit: '2' })
      if (next) params.set('next', next)
      else if (addedAfter) params.set('added_after', addedAfter)
      const res = await client.request(`${apiRoot}collections/${c.id}/objects/?${params}`)
      const page = res.body
      seen.push(...(page.objects ?? []).map((o: any) => o.id))
      more = page.more === true
      next = page.next
      if (!next) addedAfter = res.headers.get('x-taxii-date-added-last') ?? addedAfter
      if (round > 100) break
    }
    expect(seen).toEqual(written)
  })
})
