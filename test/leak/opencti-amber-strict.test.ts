/**
 * Issue 3 asks the node to read all three TLP identifier families, and docs/POLICY.md lists OpenCTI's
 * AMBER+STRICT id (marking-definition--826578e1-…) as well known (the policy reads it as AMBER+STRICT whatever
 * object claims the id). Ingest does not know it: an object carrying only that id is refused as
 * "unresolved-marking" unless OpenCTI's own marking-definition is posted first (src/ingest/known-markings.ts
 * accepts BUILTIN_MARKINGS only, which holds the TLP 1.0/2.0 and H0–H3 ids but not OpenCTI's).
 *
 * Fixed (regression test); the fix chosen: let knownMarkings accept every id of WELL_KNOWN_TLP_IDS (src/policy/tlp.ts) as well as
 * BUILTIN_MARKINGS.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { OPENCTI_AMBER_STRICT } from '../helpers/policy-world.js'

let t: TestNode
beforeAll(async () => {
  t = await startTestNode()
})
afterAll(async () => t?.stop())

it('accepts an object marked with the OpenCTI AMBER+STRICT id, like the TLP 1.0 and 2.0 ids', async () => {
  const { id } = await createCollection(t.node.store, { apiRoot: 'intel', title: 'Fictional imports' })
  const object = {
    type: 'intrusion-set',
    spec_version: '2.1',
    id: 'intrusion-set--0c7c0000-0000-4000-8000-000000000001',
    created: '2025-06-01T00:00:00.000Z',
    modified: '2025-06-01T00:00:00.000Z',
    name: 'Fictional imported network',
    object_marking_refs: [OPENCTI_AMBER_STRICT],
  }
  const res = await t.post(`/intel/collections/${id}/objects/`, { objects: [object] })
  const status = (await res.json()) as { success_count: number; failure_count: number; failures?: unknown[] }
  expect(status.failures).toBeUndefined()
  expect(status.failure_count).toBe(0)
  expect(status.success_count).toBe(1)
})
