import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollFeed } from '../../src/federation/feed.js'
import { compiled } from '../../src/policy/decide.js'
import { policyAt } from '../../src/policy/snapshot.js'
import { TLP2_MARKING_IDS } from '../../src/policy/tlp.js'
import { loadCorpus } from '../../src/services/corpus.js'
import {
  draftSuspension,
  federationWithheld,
  orderImpact,
  previewSuspension,
} from '../../src/services/order-impact.js'
import { explainObject, previewPartner } from '../../src/services/policy-views.js'
import { T0, uuid } from '../taxii/fixtures.js'
import { type FedNode, fedNode, feed, ind, put, share } from './helpers.js'

// bravo pulls alpha's collection into its own and shares that collection back with alpha: the sharing policy
// allows alpha everything there, the federation rules withhold what came from alpha
// bravo's own analysis linking its indicator to one it received from alpha, and to one of its own
const relationship = (n: number, target: string) => ({
  type: 'relationship',
  spec_version: '2.1',
  id: `relationship--${uuid(n)}`,
  created: T0,
  modified: T0,
  relationship_type: 'related-to',
  source_ref: ind(3).id,
  target_ref: target,
  object_marking_refs: [TLP2_MARKING_IDS.green],
})
const INDICATES_RECEIVED = relationship(70, ind(1).id)
const INDICATES_OWN = relationship(71, ind(3).id)

let alpha: FedNode
let bravo: FedNode
let alphaReadsBravo: string
let beforeReceipt: string

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

beforeAll(async () => {
  ;[alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
  const fromAlpha = await feed(bravo, alpha, await share(alpha, bravo))
  alphaReadsBravo = await share(bravo, alpha)
  await put(alpha, [ind(1), ind(2)])
  await put(bravo, [ind(3), INDICATES_RECEIVED, INDICATES_OWN])
  await tick()
  beforeReceipt = new Date().toISOString()
  await tick()
  const state = await pollFeed(bravo.ctx, fromAlpha)
  expect(state.health.counts.added).toBe(2)
})
afterAll(async () => Promise.all([alpha, bravo].map((n) => n.t.stop())))

async function idsAlphaReads(): Promise<string[]> {
  const res = await bravo.t.get(`/intel/collections/${bravo.collectionId}/objects/`, alphaReadsBravo)
  expect(res.status).toBe(200)
  const body = (await res.json()) as { objects?: { id: string }[] }
  return (body.objects ?? []).map((o) => o.id).sort()
}

describe('explain and previews tell what a partner gets, federation rules included', () => {
  it('the read itself: alpha gets only what did not come from alpha', async () => {
    expect(await idsAlphaReads()).toEqual([ind(3).id, INDICATES_OWN.id].sort())
  })

  it('explain says a received object is withheld by the federation rules, and what the policy alone says', async () => {
    const now = new Date().toISOString()
    const { store, policy } = bravo.t.node.services
    const [back] = await explainObject(store, policy, 'alpha', ind(1).id, now)
    expect(back!.decision).toEqual({
      effect: 'deny',
      deniedBy: [{ kind: 'federation', message: 'received from this partner: it does not go back' }],
    })
    expect(back!.text).toMatch(/is WITHHELD from .*\(alpha\)/)
    expect(back!.text).toContain('[federation] received from this partner: it does not go back')
    expect(back!.text).toContain('the sharing policy alone would share it')
    const [own] = await explainObject(store, policy, 'alpha', ind(3).id, now)
    expect(own!.decision.effect).toBe('allow')
  })

  it('a relationship to an object the federation rules withhold is withheld with it, and explained so', async () => {
    expect(await idsAlphaReads()).not.toContain(INDICATES_RECEIVED.id)
    const { store, policy } = bravo.t.node.services
    const [sro] = await explainObject(store, policy, 'alpha', INDICATES_RECEIVED.id, new Date().toISOString())
    expect(sro!.decision).toEqual({
      effect: 'deny',
      deniedBy: [
        {
          kind: 'endpoint',
          id: ind(1).id,
          message: `its end ${ind(1).id} is withheld by the federation rules: received from this partner: it does not go back`,
        },
      ],
    })
    const [fine] = await explainObject(store, policy, 'alpha', INDICATES_OWN.id, new Date().toISOString())
    expect(fine!.decision.effect).toBe('allow')
  })

  it('preview counts the withheld objects under the federation reason, matching the read', async () => {
    const { store, policy } = bravo.t.node.services
    const counts = await previewPartner(store, policy, 'alpha', new Date().toISOString())
    const mine = counts.byCollection[bravo.collectionId]
    expect(mine).toEqual({ allowed: (await idsAlphaReads()).length, redacted: 0, denied: 3 })
    expect(counts.deniedByReason.federation).toBe(2)
    expect(counts.deniedByReason[`endpoint:${ind(1).id}`]).toBe(1)
  })

  it('an instant before the objects were received is explained with the facts recorded by then', async () => {
    const { store, policy } = bravo.t.node.services
    const [then] = await explainObject(store, policy, 'alpha', ind(1).id, beforeReceipt)
    expect(then!.decision.effect).toBe('allow')
  })

  it("an order's preview counts as lost only what the partner gets now, the store path as the reference", async () => {
    const services = bravo.t.node.services
    const now = new Date().toISOString()
    const impact = await previewSuspension(services, { partner: 'alpha' }, now)
    const forAlpha = impact.partners.find((p) => p.partner.id === 'alpha')!
    expect(forAlpha).toMatchObject({ visibleBefore: 2, visibleAfter: 0, lost: 2 })
    const history = await services.policy.history()
    const order = draftSuspension({ partner: 'alpha' }, 'alpha', now)
    const corpus = await loadCorpus(services.store)
    const withheld = await federationWithheld(
      services.store,
      compiled(policyAt(history, now)),
      ['alpha'],
      now,
    )
    const reference = orderImpact(
      history,
      [order],
      corpus,
      now,
      await withheld(corpus.versions.map((v) => v.object)),
    )
    expect(reference.partners.find((p) => p.partner.id === 'alpha')).toEqual(forAlpha)
  })
})
