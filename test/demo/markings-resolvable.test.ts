/**
 * Every marking on what a demo partner receives is one it can resolve: built in, or a marking-definition it
 * received too. Otherwise a receiving node (a Sluice feed among them) rejects the object as unresolvable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { BUILTIN_MARKINGS } from '../../src/policy/markings.js'
import { WELL_KNOWN_TLP_IDS } from '../../src/policy/tlp.js'
import type { StixObject } from '../../src/stix/object.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let t: TestNode
let partnerKeys: { partner: string; key: string }[]
beforeAll(async () => {
  t = await startTestNode({ federation: false })
  partnerKeys = (await seedDemo(t.node.services)).partnerKeys
})
afterAll(() => t.stop())

async function taxii<T>(path: string, key: string): Promise<T> {
  const res = await t.get(path, key)
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

async function received(key: string): Promise<StixObject[]> {
  const out: StixObject[] = []
  const { collections = [] } = await taxii<{ collections?: { id: string }[] }>('/intel/collections/', key)
  for (const { id } of collections) {
    let next: string | undefined
    do {
      const query = next ? `?next=${encodeURIComponent(next)}` : ''
      const page = await taxii<{ objects?: StixObject[]; next?: string }>(
        `/intel/collections/${id}/objects/${query}`,
        key,
      )
      out.push(...(page.objects ?? []))
      next = page.next
    } while (next)
  }
  return out
}

function markingRefs(o: StixObject): string[] {
  const granular = (o.granular_markings as { marking_ref?: string }[] | undefined) ?? []
  return [
    ...((o.object_marking_refs as string[] | undefined) ?? []),
    ...granular.flatMap((g) => (g.marking_ref ? [g.marking_ref] : [])),
  ]
}

it('gives each partner the definition of every marking on what it receives', async () => {
  let checked = 0
  for (const { partner, key } of partnerKeys) {
    const objects = await received(key)
    const definitions = new Set(objects.filter((o) => o.type === 'marking-definition').map((o) => o.id))
    const unresolvable = new Set(
      objects
        .flatMap(markingRefs)
        .filter((id) => !BUILTIN_MARKINGS.has(id) && !WELL_KNOWN_TLP_IDS.has(id) && !definitions.has(id)),
    )
    expect([...unresolvable], partner).toEqual([])
    checked += objects.filter((o) => markingRefs(o).some((id) => definitions.has(id))).length
  }
  // some partner receives objects under the demo's own caveats, so the check above is not vacuous
  expect(checked).toBeGreaterThan(0)
})
