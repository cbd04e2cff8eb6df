import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

const identity = (id: string, name: string) => ({
  type: 'identity',
  spec_version: '2.1',
  id,
  created: '2026-01-05T08:00:00.000Z',
  modified: '2026-01-05T08:00:00.000Z',
  name,
  identity_class: 'organization',
})
const ROUTED = 'identity--1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b'
const TRACKED = 'identity--2c3d4e5f-6071-4829-9bac-1d2e3f4a5b6c'

let dir: string
let routes: string
let tracking: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir, SLUICE_ISSUER: 'test' } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-policy-labels-')
  routes = (
    await run('collections', 'create', '--title', 'Maritime routes', '--alias', 'routes')
  ).stdout.trim()
  // no alias: the title stands in
  tracking = (await run('collections', 'create', '--title', 'Vessel tracking')).stdout.trim()
  for (const [collection, object] of [
    [routes, identity(ROUTED, 'Routed')],
    [tracking, identity(TRACKED, 'Tracked')],
  ] as const) {
    writeFileSync(join(dir, 'object.json'), JSON.stringify(object))
    expect((await run('import', join(dir, 'object.json'), '--collection', collection)).code).toBe(0)
  }
  await run('partners', 'add', '--id', 'isles', '--name', 'Isles Coast Guard')
  await run('agreements', 'add', '--partner', 'isles', '--collections', '*', '--max-tlp', 'red')
  const suspended = await run('suspend', 'isles', '--reason', 'source protection', '--collection', 'routes')
  expect(suspended.code).toBe(0)
  // the confirmation names what the order covers as "policy history" does, not as stored JSON
  expect(suspended.stdout).toMatch(
    new RegExp(`^order--\\S+\nsuspension of isles effective \\S+: collections routes \\(${routes}\\)\n$`),
  )
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('collections list counts versions, one in the singular', async () => {
  expect((await run('collections', 'list')).stdout).toContain(
    `${routes}  intel/routes  Maritime routes  (1 object version)\n`,
  )
})

it('policy preview names collections by alias, or title, with the id', async () => {
  const text = (await run('policy', 'preview', '--partner', 'isles')).stdout
  expect(text).toContain(`  collection routes (${routes}): 0 shared, 0 redacted, 1 withheld`)
  expect(text).toContain(`  collection Vessel tracking (${tracking}): 1 shared`)
  const json = JSON.parse((await run('policy', 'preview', '--partner', 'isles', '--json')).stdout)
  expect(Object.keys(json.byCollection).sort()).toEqual([routes, tracking].sort())
})

it('policy explain names the collection of each version and of the order', async () => {
  const text = (await run('policy', 'explain', '--partner', 'isles', '--object', ROUTED)).stdout
  expect(text).toContain(`${ROUTED} in collection routes (${routes}) is WITHHELD`)
  expect(text).toContain(`(collections routes (${routes}))`)
  const json = (await run('policy', 'explain', '--partner', 'isles', '--object', ROUTED, '--json')).stdout
  expect(json).not.toContain('routes (')
})

it('policy history names the collections an order covers', async () => {
  const text = (await run('policy', 'history', '--partner', 'isles')).stdout
  expect(text).toContain(`SUSPEND isles (collections routes (${routes}))  [active]`)
  const json = JSON.parse((await run('policy', 'history', '--partner', 'isles', '--json')).stdout)
  expect(json[0].order.scope).toEqual({ collections: [routes] })
})
