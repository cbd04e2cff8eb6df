/**
 * Policy changes are derived from the history (an agreement's next version number, a partner id not yet
 * taken, a suspension not yet lifted). Made concurrently, by requests of one node or by two processes on
 * one store (a CLI beside the server, two servers on PostgreSQL), each must see the others' changes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { PolicyService } from '../../src/services/policy-service.js'
import type { Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'

describe.each(STORES)('$name store: concurrent policy changes', (factory) => {
  let store: Store
  let dispose: () => Promise<void>
  // two services on one store stand for two processes: each has its own queue and cache
  let one: PolicyService
  let two: PolicyService
  let collection: string

  beforeEach(async () => {
    ;({ store, dispose } = await factory.open())
    one = new PolicyService(store)
    two = new PolicyService(store)
    await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
    collection = (await createCollection(store, { apiRoot: 'intel', title: 'Races (fictional)' })).id
    await one.addPartner({ id: 'delta-police', name: 'Delta Police (fictional)' }, 'test')
  })
  afterEach(async () => dispose())

  it('numbers racing amendments of one agreement 1, 2, 3… with none lost', async () => {
    const { id } = await one.putAgreement(
      { partner: 'delta-police', collections: [collection], maxTlp: 'green' },
      't',
    )
    const levels = ['clear', 'green', 'amber', 'red'] as const
    // each amendment says something none of the others does: one repeating the terms in force is refused
    const until = (i: number) => `2030-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? one : two).putAgreement(
          { id, collections: [collection], maxTlp: levels[i % 4]!, validUntil: until(i) },
          `officer ${i}`,
        ),
      ),
    )
    const versions = (await new PolicyService(store).history()).agreements.map((a) => a.version)
    expect(versions).toEqual(Array.from({ length: 17 }, (_, i) => i + 1))
    expect(results.map((a) => a.version).sort((a, b) => a - b)).toEqual(versions.slice(1))
  })

  it('lets one of two racing partners with the same id in, and refuses the other', async () => {
    const outcomes = await Promise.allSettled([
      one.addPartner({ id: 'echo-customs', name: 'Echo Customs (fictional)' }, 'a'),
      two.addPartner({ id: 'echo-customs', name: 'Echo Customs Service (fictional)' }, 'b'),
    ])
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    const partners = (await new PolicyService(store).history()).partners.filter(
      (p) => p.id === 'echo-customs',
    )
    expect(partners).toHaveLength(1)
  })

  it('records one lift of a suspension when two officers lift it at once', async () => {
    const order = await one.suspend({ partner: 'delta-police', reason: 'inquiry', issuer: 'duty officer' })
    const outcomes = await Promise.allSettled([
      one.resume({ order: order.id, reason: 'closed', issuer: 'officer a' }),
      two.resume({ order: order.id, reason: 'closed', issuer: 'officer b' }),
    ])
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    const lifts = (await new PolicyService(store).history()).orders.filter((o) => o.kind === 'resumption')
    expect(lifts).toHaveLength(1)
  })
})
