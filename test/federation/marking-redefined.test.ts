/**
 * A marking-definition has one meaning on a node. One that comes back by a feed with other content (the
 * node's own, with the caveats it was served with, or a partner redefining it) is not stored, and counts
 * as bounced: the node's own stands.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { pollFeed } from '../../src/federation/feed.js'
import { IEP_EXTENSION_ID } from '../../src/policy/markings.js'
import { TLP2_MARKING_IDS } from '../../src/policy/tlp.js'
import { type FedNode, fedNode, feed, ind, put, share } from './helpers.js'

let alpha: FedNode
let bravo: FedNode

const MARKING = 'marking-definition--5b1c0000-0000-4000-8000-0000000000b1'
const withTlp = (tlp: string) => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id: MARKING,
  created: '2026-01-05T08:00:00.000Z',
  name: 'Fictional IEP policy',
  object_marking_refs: [TLP2_MARKING_IDS.clear],
  extensions: { [IEP_EXTENSION_ID]: { extension_type: 'property-extension', tlp } },
})

beforeAll(async () => {
  ;[alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
  await put(alpha, [withTlp('red'), ind(1, 'green', { object_marking_refs: [MARKING] })])
  // bravo holds the same id saying WHITE, and shares it with alpha
  await put(bravo, [withTlp('white'), ind(2)])
  await share(alpha, bravo)
})
afterAll(async () => Promise.all([alpha, bravo].map((n) => n.t.stop())))

it("bounces a feed's other content for a marking id the node holds, keeping its own", async () => {
  const fromBravo = await feed(alpha, bravo, await share(bravo, alpha))
  const state = await pollFeed(alpha.ctx, fromBravo)
  expect(state.health.counts).toMatchObject({ added: 1, bounced: 1 })
  expect(state.health.counts.rejected).toBeUndefined()
  const held = await alpha.store.latestVersions([MARKING])
  expect(held.map((v) => JSON.parse(v.json).extensions[IEP_EXTENSION_ID].tlp)).toEqual(['red'])
})
