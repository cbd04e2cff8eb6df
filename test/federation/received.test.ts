import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { storeReceived } from '../../src/federation/received.js'
import { ingestOptions } from '../../src/ingest/options.js'
import { prepareObjects } from '../../src/ingest/prepare.js'
import { createCollection } from '../../src/services/collections.js'
import type { IncomingObject, Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'
import { indicator, T0 } from '../taxii/fixtures.js'

const ISLES = { feedId: 'from-isles', partnerId: 'isles' }
const LATER = '2026-01-06T08:00:00.000Z'

async function prepared(store: Store, objects: unknown[]): Promise<IncomingObject[]> {
  const { accepted, rejected } = await prepareObjects(objects, ingestOptions(store))
  if (rejected.length > 0) throw new Error(rejected[0]!.message)
  return accepted
}

describe.each(STORES)('received versions on $name', (factory) => {
  let store: Store
  let dispose: () => Promise<void>
  let routes: string
  let inbox: string

  beforeEach(async () => {
    ;({ store, dispose } = await factory.open())
    await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
    routes = (await createCollection(store, { apiRoot: 'intel', title: 'Maritime routes' })).id
    inbox = (await createCollection(store, { apiRoot: 'intel', title: 'Inbox' })).id
    await store.putObjects(routes, await prepared(store, [indicator(1), indicator(2)]))
  })
  afterEach(() => dispose())

  it('takes no provenance for its own version coming back into another collection', async () => {
    // a partner re-publishing what it received, pulled by a feed into an inbox collection
    const back = await prepared(store, [indicator(1), indicator(3)])
    const result = await storeReceived(store, inbox, back, ISLES, T0)
    expect(result.bounced).toBe(1)
    const records = await store.provenance([indicator(1).id, indicator(3).id])
    expect(records.map((r) => r.objectId)).toEqual([indicator(3).id])
    // stored in the inbox all the same: the collection holds what its feed brought
    const held = await store.queryObjects({ collectionId: inbox, versions: [{ kind: 'all' }], limit: 10 })
    expect(held.items.map((v) => v.id).sort()).toEqual([indicator(1).id, indicator(3).id].sort())
  })

  it('records a new version of its own object as received: the partner made it', async () => {
    const changed = await prepared(store, [indicator(1, LATER)])
    const result = await storeReceived(store, inbox, changed, ISLES, T0)
    expect(result.bounced).toBe(0)
    const records = await store.provenance([indicator(1).id])
    expect(records).toMatchObject([{ collectionId: inbox, version: LATER, partnerId: 'isles' }])
  })

  it('records a version received before into another collection as received here too', async () => {
    const fromIsles = await prepared(store, [indicator(3)])
    await storeReceived(store, inbox, fromIsles, ISLES, T0)
    const again = await storeReceived(
      store,
      routes,
      fromIsles,
      { feedId: 'from-imac', partnerId: 'imac' },
      T0,
    )
    expect(again.bounced).toBe(0)
    const records = await store.provenance([indicator(3).id])
    expect(records.map((r) => `${r.partnerId}@${r.collectionId}`).sort()).toEqual(
      [`imac@${routes}`, `isles@${inbox}`].sort(),
    )
  })
})
