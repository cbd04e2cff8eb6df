import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { loadCorpus } from '../../src/services/corpus.js'
import { draftSuspension, orderImpact, storeImpact } from '../../src/services/order-impact.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

/*
 * The preview read batch by batch from the store (skipping collections and types the touched partner cannot
 * receive at all) must say exactly what deciding over the whole corpus in memory says.
 */

let t: TestNode

beforeAll(async () => {
  t = await startTestNode()
  await seedDemo(t.node.services)
})

afterAll(async () => {
  await t?.stop()
})

describe('order impact from the store', () => {
  // after seeding: the demo's agreements take effect when they are recorded
  const now = () => new Date().toISOString()
  const drafts: [string, Parameters<typeof draftSuspension>[0]][] = [
    ['isles, whole node', { partner: 'isles' }],
    ['northland, one type', { partner: 'northland', object_types: ['relationship'] }],
    ['isles, above TLP:CLEAR', { partner: 'isles', above_tlp: 'clear' }],
    ['every partner, a label', { partner: 'southern', labels: ['money-laundering'] }],
  ]

  it.each(drafts)('matches the in-memory computation: %s', async (_name, draft) => {
    const { store, policy } = t.node.services
    const history = await policy.history()
    const at = now()
    const partner = history.partners.find((p) => p.id === draft.partner) ?? history.partners[0]!
    const order = draftSuspension(draft, partner.id, at)
    const streamed = await storeImpact(store, history, [order], at)
    const inMemory = orderImpact(history, [order], await loadCorpus(store), at)
    expect(streamed).toEqual(inMemory)
    if (draft.partner === 'isles') expect(streamed.partners.some((p) => p.affected)).toBe(true)
  })

  it('reads nothing when no partner is touched (a resumption of an unknown order)', async () => {
    const { store, policy } = t.node.services
    const history = await policy.history()
    const impact = await storeImpact(store, history, [], now())
    expect(impact.partners.every((p) => !p.affected)).toBe(true)
    expect(impact.total).toBe((await loadCorpus(store)).versions.length)
  })
})
