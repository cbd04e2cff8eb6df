/**
 * `first`, `last`, a timestamp and the versions endpoint must agree for a partner that may see only some
 * versions of an object: chosen among every stored version, `last` answered 404 while `versions/` listed an
 * older visible version, which told the partner a newer hidden one existed (docs/POLICY.md "Versions").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { explainObject } from '../../src/services/policy-views.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { TLP2 } from '../helpers/policy-world.js'

let t: TestNode
let collection: string
let key = ''
/** v1 TLP:GREEN, v2 TLP:AMBER: the newest is hidden from a GREEN reader. */
const RAISED = 'indicator--7e510000-0000-4000-8000-000000000001'
/** v1 TLP:AMBER, v2 TLP:GREEN: only the newest is visible. */
const LOWERED = 'indicator--7e510000-0000-4000-8000-000000000002'
/** v1 and v2 TLP:GREEN, v3 TLP:AMBER. */
const THIRD_RAISED = 'indicator--7e510000-0000-4000-8000-000000000003'
const V1 = '2026-03-01T00:00:00.000Z'
const V2 = '2026-03-02T00:00:00.000Z'
const V3 = '2026-03-03T00:00:00.000Z'

const indicator = (id: string, modified: string, tlp: string) => ({
  type: 'indicator',
  spec_version: '2.1',
  id,
  created: V1,
  modified,
  name: 'Fictional vessel beacon',
  pattern: "[ipv4-addr:value = '198.51.100.9']",
  pattern_type: 'stix',
  valid_from: V1,
  object_marking_refs: [tlp],
})

beforeAll(async () => {
  t = await startTestNode()
  const { policy, store } = t.node.services
  collection = (await createCollection(store, { apiRoot: 'intel', title: 'Fictional beacons' })).id
  const post = await t.post(`/intel/collections/${collection}/objects/`, {
    objects: [
      indicator(RAISED, V1, TLP2.green),
      indicator(RAISED, V2, TLP2.amber),
      indicator(LOWERED, V1, TLP2.amber),
      indicator(LOWERED, V2, TLP2.green),
      indicator(THIRD_RAISED, V1, TLP2.green),
      indicator(THIRD_RAISED, V2, TLP2.green),
      indicator(THIRD_RAISED, V3, TLP2.amber),
    ],
  })
  expect(((await post.json()) as { success_count: number }).success_count).toBe(7)
  await policy.addPartner(
    { id: 'fictional-green-reader', name: 'Fictional green reader', kind: 'police' },
    'test',
  )
  await policy.putAgreement(
    { partner: 'fictional-green-reader', collections: [collection], maxTlp: 'green' },
    'test',
  )
  key = (
    await createPrincipal(store, {
      name: 'green reader',
      role: 'partner',
      partnerId: 'fictional-green-reader',
    })
  ).apiKey
})
afterAll(async () => t?.stop())

const base = () => `/intel/collections/${collection}`
const served = async (path: string) => {
  const res = await t.get(path, key)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}
const modifieds = async (path: string) => {
  const { status, body } = await served(path)
  return status === 200 ? ((body.objects ?? []) as { modified: string }[]).map((o) => o.modified) : status
}

describe('version selectors for a partner that sees only some versions', () => {
  it('hides every version of an object whose newest version it may not see, on every endpoint', async () => {
    for (const id of [RAISED, THIRD_RAISED]) {
      for (const q of [
        '',
        '?match[version]=first',
        '?match[version]=last',
        '?match[version]=all',
        `?match[version]=${V1}`,
      ])
        expect(await modifieds(`${base()}/objects/${id}/${q}`), `${id} ${q}`).toBe(404)
      expect((await served(`${base()}/objects/${id}/versions/`)).status).toBe(404)
    }
  })

  it('answers a hidden object exactly like an unknown one', async () => {
    const unknown = 'indicator--7e510000-0000-4000-8000-0000000000ff'
    for (const q of ['?match[version]=first', '?match[version]=all', `?match[version]=${V1}`])
      expect(await served(`${base()}/objects/${RAISED}/${q}`)).toEqual(
        await served(`${base()}/objects/${unknown}/${q}`),
      )
  })

  it('chooses first, last and all among the versions it may see', async () => {
    expect(await modifieds(`${base()}/objects/${LOWERED}/?match[version]=first`)).toEqual([V2])
    expect(await modifieds(`${base()}/objects/${LOWERED}/?match[version]=last`)).toEqual([V2])
    expect(await modifieds(`${base()}/objects/${LOWERED}/?match[version]=all`)).toEqual([V2])
    // it knows the object: a version it may not see is answered as one that never existed, an empty envelope
    expect(await modifieds(`${base()}/objects/${LOWERED}/?match[version]=${V1}`)).toEqual([])
    expect(await served(`${base()}/objects/${LOWERED}/?match[version]=${V1}`)).toEqual(
      await served(`${base()}/objects/${LOWERED}/?match[version]=2026-02-01T00:00:00.000Z`),
    )
    expect((await served(`${base()}/objects/${LOWERED}/versions/`)).body.versions).toEqual([V2])
  })

  it('lists, in the collection, only objects whose newest version is visible, with the same versions', async () => {
    expect(await modifieds(`${base()}/objects/?match[version]=all`)).toEqual([V2])
    expect(await modifieds(`${base()}/objects/?match[version]=first`)).toEqual([V2])
    expect(await modifieds(`${base()}/objects/?match[version]=first,last`)).toEqual([V2])
    const manifest = (await served(`${base()}/manifest/?match[version]=all`)).body.objects as { id: string }[]
    expect(manifest.map((m) => m.id)).toEqual([LOWERED])
  })
})

describe('the console and explain follow the same rule', () => {
  it('the console object page lists the versions a TAXII read lists', async () => {
    const detail = async (id: string) => {
      const res = await t.get(`/console-api/objects/${id}`, key)
      if (res.status !== 200) return res.status
      return ((await res.json()) as { versions: { version: string }[] }).versions.map((v) => v.version)
    }
    expect(await detail(RAISED)).toBe(404)
    expect(await detail(THIRD_RAISED)).toBe(404)
    expect(await detail(LOWERED)).toEqual([V2])
  })

  it('explain calls an older visible version withheld while the newest is withheld, naming why', async () => {
    const { policy, store } = t.node.services
    const at = new Date().toISOString()
    const versions = await explainObject(store, policy, 'fictional-green-reader', THIRD_RAISED, at)
    expect(versions.map((v) => [v.version, v.decision.effect])).toEqual([
      [V3, 'deny'],
      [V2, 'deny'],
      [V1, 'deny'],
    ])
    for (const older of versions.slice(1)) {
      expect(older.decision.effect === 'deny' && older.decision.deniedBy.map((r) => r.kind)).toEqual([
        'version',
      ])
      expect(older.text).toContain(`its newest version in this collection (${V3}) is withheld`)
    }
    const lowered = await explainObject(store, policy, 'fictional-green-reader', LOWERED, at)
    expect(lowered.map((v) => [v.version, v.decision.effect])).toEqual([
      [V2, 'allow'],
      [V1, 'deny'],
    ])
    expect(lowered[1]!.decision.effect === 'deny' && lowered[1]!.decision.deniedBy[0]!.kind).toBe('tlp')
  })
})

describe('versions of objects without modified, named as the manifest names them (TAXII 2.1 §3.4.1)', () => {
  const MARKING = 'marking-definition--7e510000-0000-4000-8000-0000000000aa'
  const SCO = 'ipv4-addr--7e510000-0000-4000-8000-0000000000bb'

  beforeAll(async () => {
    const post = await t.post(`${base()}/objects/`, {
      objects: [
        {
          type: 'marking-definition',
          spec_version: '2.1',
          id: MARKING,
          created: '2026-04-01T00:00:00.120Z',
          name: 'Fictional handling note',
          definition_type: 'statement',
          definition: { statement: 'Fictional: for the exercise only' },
          object_marking_refs: [TLP2.green],
        },
        {
          type: 'ipv4-addr',
          spec_version: '2.1',
          id: SCO,
          value: '198.51.100.77',
          object_marking_refs: [TLP2.green],
        },
      ],
    })
    expect(((await post.json()) as { success_count: number }).success_count).toBe(2)
  })

  it.each([
    ['an admin', () => t.adminKey],
    ['a partner', () => key],
  ])('fetches each by the version the manifest gives it, as %s', async (_, who) => {
    const manifest = (await (
      await t.get(`${base()}/manifest/?match[id]=${MARKING},${SCO}`, who())
    ).json()) as {
      objects: { id: string; version: string }[]
    }
    expect(manifest.objects.map((o) => o.id).sort()).toEqual([SCO, MARKING].sort())
    for (const { id, version } of manifest.objects) {
      const byId = await t.get(
        `${base()}/objects/${id}/?match[version]=${encodeURIComponent(version)}`,
        who(),
      )
      expect(byId.status, `${id} ${version}`).toBe(200)
      expect(((await byId.json()) as { objects: { id: string }[] }).objects.map((o) => o.id)).toEqual([id])
      const listed = await t.get(`${base()}/objects/?match[version]=${encodeURIComponent(version)}`, who())
      expect(((await listed.json()) as { objects: { id: string }[] }).objects.map((o) => o.id)).toContain(id)
    }
    // the created of the marking-definition at another precision names the same version
    expect(
      (await t.get(`${base()}/objects/${MARKING}/?match[version]=2026-04-01T00:00:00.12Z`, who())).status,
    ).toBe(200)
  })
})
