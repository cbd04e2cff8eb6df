import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { policyAt, previewCounts } from '../../src/policy/index.js'
import { loadCorpus } from '../../src/services/corpus.js'
import {
  draftResumption,
  draftSuspension,
  orderImpact,
  storeImpact,
} from '../../src/services/order-impact.js'
import { previewPartner } from '../../src/services/policy-views.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

/*
 * The preview read batch by batch from the store (reading only what the touched partner can possibly see,
 * deciding each set of facts once) must say exactly what deciding every version over the whole corpus in
 * memory says; so must the partner preview.
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

  it('matches the in-memory computation for random suspensions and resumptions', async () => {
    const { store, policy } = t.node.services
    const history = await policy.history()
    const corpus = await loadCorpus(store)
    const types = [...new Set(corpus.versions.map((v) => v.object.type))]
    const markings = [...new Set(corpus.versions.flatMap((v) => v.object.object_marking_refs ?? []))]
    const labels = [
      ...new Set(corpus.versions.flatMap((v) => (v.object.labels as string[] | undefined) ?? [])),
    ]
    const collections = (await store.listCollections()).map((c) => c.id)
    const some = <T>(xs: T[]) =>
      fc.option(fc.subarray(xs, { minLength: 1, maxLength: Math.min(3, xs.length) }), {
        nil: undefined,
        freq: 2,
      })
    const draftArb = fc.record({
      partner: fc.constantFrom(...history.partners.map((p) => p.id)),
      collections: some(collections),
      object_types: some(types),
      markings: some(markings),
      labels: some(labels),
      above_tlp: fc.option(fc.constantFrom('clear', 'green', 'amber', 'amber+strict'), {
        nil: undefined,
        freq: 2,
      }),
    })
    await fc.assert(
      fc.asyncProperty(draftArb, fc.boolean(), async (spec, lift) => {
        const at = now()
        // exactOptionalPropertyTypes: leave out what the arbitrary left undefined
        const draft = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined))
        const order = draftSuspension({ ...draft, partner: spec.partner }, spec.partner, at)
        // a resumption: lift the drafted suspension as if it had been recorded a moment ago
        const base = lift
          ? {
              ...history,
              orders: [
                ...history.orders,
                {
                  ...order,
                  id: 'order--recorded',
                  effective_from: new Date(Date.parse(at) - 1000).toISOString(),
                },
              ],
            }
          : history
        const added = lift ? [draftResumption('order--recorded', at)] : [order]
        const streamed = await storeImpact(store, base, added, at)
        expect(streamed).toEqual(orderImpact(base, added, corpus, at))
      }),
      { numRuns: 100 },
    )
  })

  it('the partner preview counts exactly what previewCounts counts over the corpus, for every partner', async () => {
    const { store, policy } = t.node.services
    const history = await policy.history()
    const corpus = await loadCorpus(store)
    const at = now()
    for (const p of history.partners) {
      const want = previewCounts(policyAt(history, at), p.id, at, corpus.versions, corpus.contextFor)
      const { recordedLater, ...counts } = await previewPartner(store, policy, p.id, at)
      expect(JSON.stringify(counts)).toBe(JSON.stringify(want))
      expect(recordedLater).toEqual([])
    }
  })
})
