/**
 * A policy view's id is 48 bits of its text's SHA-256, so two texts could share one. A clash must never hand
 * a version someone else's view (it would be decided as that text says): the store detects it on insert and
 * keeps the version without a view, which the gate judges from its text. The clash is made here by writing
 * another text under the id first, through each adapter's own connection.
 */
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KnownViews, policyViewId } from '../../src/store/policy-view-id.js'
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { IncomingObject, Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'
import { storedIndicator } from './fixtures/objects.js'

const COLLECTION = '6f1f0d2e-8f7e-4d55-9b43-2f5a4f1c9e01'
const VIEW = JSON.stringify({ type: 'indicator', labels: ['fictional-smuggling-route'] })

const indicator = (n: number): IncomingObject => ({ ...storedIndicator(n), policyView: { view: VIEW } })

async function occupy(store: Store, location: string, id: number, text: string): Promise<void> {
  if (location.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: location })
    await client.connect()
    await client.query('INSERT INTO policy_views (id, text) VALUES ($1, $2)', [id, text])
    await client.end()
  } else {
    ;(store as SqliteStore).db.prepare('INSERT INTO policy_views (id, text) VALUES (?, ?)').run(id, text)
  }
}

describe.each(STORES)('$name store: a policy view id held by another text', (factory) => {
  let store: Store
  let location: string
  let dispose: () => Promise<void>
  beforeEach(async () => {
    const opened = await factory.open()
    ;({ store, location, dispose } = opened)
    await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
    await store.createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'Routes', mediaTypes: [] })
  })
  afterEach(async () => dispose())

  it('stores the version without a view and leaves the other text as it was', async () => {
    const id = policyViewId(VIEW)
    await occupy(store, location, id, '{"type":"identity"}')

    expect((await store.putObjects(COLLECTION, [indicator(1)]))[0]!.result).toBe('added')
    const { items } = await store.queryObjects({ collectionId: COLLECTION, limit: 5, gateFacts: true })
    expect(items[0]!.gate!.viewId).toBeNull()
    expect((await store.policyViews([id])).get(id)).toBe('{"type":"identity"}')
  })

  it('shares the id of a view already stored with the same text', async () => {
    await occupy(store, location, policyViewId(VIEW), VIEW)
    await store.putObjects(COLLECTION, [indicator(2)])
    const { items } = await store.queryObjects({ collectionId: COLLECTION, limit: 5, gateFacts: true })
    expect(items[0]!.gate!.viewId).toBe(policyViewId(VIEW))
  })
})

describe('KnownViews', () => {
  it('tells a known id holding another text from one holding this text', () => {
    const known = new KnownViews()
    expect(known.verdict(7, 'a')).toBe('unknown')
    known.add(7, 'a')
    expect(known.verdict(7, 'a')).toBe('held')
    expect(known.verdict(7, 'b')).toBe('clash')
  })
})
