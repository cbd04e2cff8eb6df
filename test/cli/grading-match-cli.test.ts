import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { grading } from '../../src/demo/grading.js'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

const T0 = '2026-01-05T08:00:00.000Z'
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const ip = {
  type: 'ipv4-addr',
  spec_version: '2.1',
  id: 'ipv4-addr--12592121-be4c-5a93-a813-5a5af16e50db',
  value: '198.51.100.7',
}
const otherIp = {
  type: 'ipv4-addr',
  spec_version: '2.1',
  id: 'ipv4-addr--39090fdc-366e-571f-ab5b-d05e2918f88f',
  value: '203.0.113.9',
}
const set = (id: string, name: string, code: string) => ({
  type: 'intrusion-set',
  spec_version: '2.1',
  id,
  created: T0,
  modified: T0,
  name,
  object_marking_refs: [GREEN],
  extensions: grading(code),
})
const observed = (id: string, ref: string) => ({
  type: 'observed-data',
  spec_version: '2.1',
  id,
  created: T0,
  modified: T0,
  first_observed: T0,
  last_observed: T0,
  number_observed: 1,
  object_refs: [ref],
  object_marking_refs: [GREEN],
})
const objects = [
  set('intrusion-set--0c3b0e52-1a35-4f7e-8a51-7d6f1e2b3c41', 'Saltpan brokers', 'B2'),
  set('intrusion-set--1d4c1f63-2b46-4a8f-9b62-8e7a2f3c4d52', 'Tidewater couriers', 'D4'),
  ip,
  otherIp,
  observed('observed-data--2e5d2a74-3c57-4b9a-8c73-9f8b3a4d5e63', ip.id),
  observed('observed-data--3f6e3b85-4d68-4cab-9d84-a09c4b5e6f74', otherIp.id),
]

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir, SLUICE_ISSUER: 'test officer' } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-grading-')
  await run('collections', 'create', '--title', 'Routes', '--alias', 'routes')
  writeFileSync(join(dir, 'objects.json'), JSON.stringify(objects))
  expect((await run('import', join(dir, 'objects.json'), '--collection', 'routes')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('an agreement filters on Admiralty grades; ungraded objects pass unless told otherwise', async () => {
  await run('partners', 'add', '--id', 'isles', '--name', 'Isles Coast Guard', '--kind', 'coast-guard')
  const bad = await run(
    'agreements',
    'add',
    '--partner',
    'isles',
    '--collections',
    'routes',
    '--max-tlp',
    'amber',
    '--admiralty-reliability',
    'Z',
  )
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain('--admiralty-reliability must be one of A, B, C, D, E, F; got "Z"')
  const added = await run(
    'agreements',
    'add',
    '--partner',
    'isles',
    '--collections',
    'routes',
    '--max-tlp',
    'amber',
    '--admiralty-reliability',
    'A,B',
  )
  expect(added.code).toBe(0)
  const preview = JSON.parse((await run('policy', 'preview', '--partner', 'isles', '--json')).stdout)
  // the D4 set is withheld; the B2 set, the observables and the observed-data pass
  expect(preview).toMatchObject({ total: 6, denied: 1, allowed: 5 })
  expect(Object.keys(preview.deniedByReason).some((r) => r.startsWith('grading'))).toBe(true)
})

it('sluice match lists the observed-data a pattern matches, and refuses a bad pattern', async () => {
  const matched = JSON.parse(
    (
      await run(
        'match',
        '--pattern',
        "[ipv4-addr:value = '198.51.100.7']",
        '--collection',
        'routes',
        '--json',
      )
    ).stdout,
  )
  expect(matched.scanned).toBe(2)
  expect(matched.matches.map((o: { id: string }) => o.id)).toEqual([objects[4]!.id])
  const bad = await run('match', '--pattern', '[ipv4-addr:value = ', '--collection', 'routes')
  expect(bad.code).toBe(2)
  expect(bad.stderr).toMatch(/^sluice: --pattern does not parse: .* \(column \d+\)\n$/)
  expect(bad.stderr.match(/does not parse/g)).toHaveLength(1)
})
