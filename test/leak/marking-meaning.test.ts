/**
 * What a marking means must not be changed by whoever can write one collection, nor read more loosely than
 * the provider wrote it: regressions for an audit's findings. A second content for a marking-definition id,
 * posted to another collection, used to become the meaning node-wide (last copy won), so a TLP:RED IEP
 * marking could be relaxed to WHITE from a scratch collection; an IEP `tlp` of "TLP-RED" was read as no
 * TLP; a grade off its scale passed grade filters; and a caveat's own definition was served marked with
 * itself, which STIX forbids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GRADING_EXTENSION_ID } from '../../src/policy/grading.js'
import { IEP_EXTENSION_ID } from '../../src/policy/markings.js'
import { TLP2_MARKING_IDS } from '../../src/policy/tlp.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let t: TestNode
let routes: string
let scratch: string
let greenKey: string

const CREATED = '2026-02-01T00:00:00.000Z'
const iep = (id: string, body: Record<string, unknown>) => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id,
  created: CREATED,
  name: 'Fictional IEP policy',
  extensions: { [IEP_EXTENSION_ID]: { extension_type: 'property-extension', ...body } },
})
const indicator = (n: number, extra: Record<string, unknown>) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--8a1e0000-0000-4000-8000-00000000000${n}`,
  created: CREATED,
  modified: CREATED,
  pattern: "[domain-name:value = 'fictional-harbour.example']",
  pattern_type: 'stix',
  valid_from: CREATED,
  ...extra,
})
const RED_IEP = 'marking-definition--8a1e0000-0000-4000-8000-0000000000a1'
const CAVEAT = 'marking-definition--8a1e0000-0000-4000-8000-0000000000a2'

async function post(collection: string, objects: unknown[]) {
  const res = await t.post(`/intel/collections/${collection}/objects/`, { objects })
  expect(res.status).toBe(202)
  return (await res.json()) as { failures?: { id: string; message: string }[]; success_count: number }
}
const asGreen = (collection: string, id: string) =>
  t.get(`/intel/collections/${collection}/objects/${id}/`, greenKey)

beforeAll(async () => {
  t = await startTestNode()
  const { store, policy } = t.node.services
  routes = (await createCollection(store, { apiRoot: 'intel', title: 'Routes' })).id
  scratch = (await createCollection(store, { apiRoot: 'intel', title: 'Scratch' })).id
  await policy.addPartner({ id: 'alpha', name: 'Alpha Harbour Police', kind: 'police' }, 'test')
  const caveat = {
    ...iep(CAVEAT, { permitted_actions: 'internally-visible-actions', tlp: 'white' }),
    object_marking_refs: [TLP2_MARKING_IDS.clear],
  }
  expect((await post(routes, [caveat])).success_count).toBe(1)
  await policy.putAgreement(
    { partner: 'alpha', collections: [routes, scratch], maxTlp: 'green', caveats: [CAVEAT] },
    'test',
  )
  greenKey = (await createPrincipal(store, { name: 'Alpha desk', role: 'partner', partnerId: 'alpha' }))
    .apiKey
})
afterAll(async () => t?.stop())

describe('a marking-definition id has one meaning on the node', () => {
  it('refuses another content for it in another collection, and the meaning stays', async () => {
    const red = iep(RED_IEP, { tlp: 'red' })
    const marked = indicator(1, { object_marking_refs: [RED_IEP] })
    expect((await post(routes, [red, marked])).success_count).toBe(2)
    expect((await asGreen(routes, marked.id)).status).toBe(404)
    const relaxed = await post(scratch, [iep(RED_IEP, { tlp: 'white' })])
    expect(relaxed.success_count).toBe(0)
    expect(relaxed.failures?.[0]?.message).toContain(
      `marking-definition ${RED_IEP} is already held with other content`,
    )
    expect((await asGreen(routes, marked.id)).status).toBe(404)
    // the same content in another collection is no second meaning
    expect((await post(scratch, [red])).success_count).toBe(1)
  })

  it('refuses an IEP value outside the extension, which would otherwise read as absent', async () => {
    const status = await post(routes, [
      iep('marking-definition--8a1e0000-0000-4000-8000-0000000000a3', { tlp: 'TLP-RED' }),
    ])
    expect(status.success_count).toBe(0)
    expect(status.failures?.[0]?.message).toContain('tlp must be one of red, amber, green, white')
  })

  it('refuses a grade off its scale, which would otherwise pass grade filters as ungraded', async () => {
    const graded = indicator(2, {
      object_marking_refs: [TLP2_MARKING_IDS.green],
      extensions: {
        [GRADING_EXTENSION_ID]: { extension_type: 'property-extension', information_evaluation_4x4: 9 },
      },
    })
    const status = await post(routes, [graded])
    expect(status.success_count).toBe(0)
    expect(status.failures?.[0]?.message).toContain('information_evaluation_4x4 must be one of 1, 2, 3, 4')
  })
})

it("serves a caveat's own definition without marking it with itself", async () => {
  const served = await asGreen(routes, CAVEAT)
  expect(served.status).toBe(200)
  const [definition] = ((await served.json()) as { objects: { object_marking_refs?: string[] }[] }).objects
  expect(definition?.object_marking_refs).toEqual([TLP2_MARKING_IDS.clear])
  // everything else served under the agreement carries it
  const other = indicator(3, { object_marking_refs: [TLP2_MARKING_IDS.green] })
  expect((await post(routes, [other])).success_count).toBe(1)
  const [marked] = (
    (await (await asGreen(routes, other.id)).json()) as { objects: { object_marking_refs: string[] }[] }
  ).objects
  expect(marked?.object_marking_refs).toEqual([TLP2_MARKING_IDS.green, CAVEAT])
})
