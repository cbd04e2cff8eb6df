import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/server/services.js'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { openStore } from '../../src/store/open.js'
import { runCli } from '../cli/run-cli.js'
import { type FedNode, fedNode } from './helpers.js'

describe('the feeds, pushes and withdraw commands', () => {
  let dir: string
  const env = () => ({ SLUICE_DATA: dir, SLUICE_ORIGIN: 'cli.sluice.test' })
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-fed-cli-'))
    const store = await openStore(undefined, dir)
    await ensureDefaultApiRoot(store)
    await createCollection(store, { apiRoot: 'intel', title: 'Inbox', alias: 'inbox' })
    const services = await createServices(store, { dataDir: dir, origin: 'cli.sluice.test', createKey: true })
    await services.policy.addPartner(
      { id: 'alpha', name: 'Alpha police (fictional)', kind: 'police' },
      'test',
    )
    await store.close()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('adds, lists, polls and removes a feed', async () => {
    const add = await runCli(
      [
        'feeds',
        'add',
        '--url',
        'http://127.0.0.1:9/intel/',
        '--collection',
        'c1',
        '--key',
        'k',
        '--into',
        'inbox',
        '--partner',
        'alpha',
        '--every',
        '1m',
        '--id',
        'alpha-main',
      ],
      { env: env() },
    )
    expect(add).toMatchObject({ code: 0, stdout: 'alpha-main\n' })
    const list = await runCli(['feeds', 'list', '--json'], { env: env() })
    const [feed] = JSON.parse(list.stdout)
    expect(feed).toMatchObject({ id: 'alpha-main', partner: 'alpha', every: '1m', health: { status: 'new' } })
    expect(list.stdout).not.toContain('"key"')
    const poll = await runCli(['feeds', 'poll', 'alpha-main'], { env: env() })
    expect(poll.code).toBe(1)
    expect(poll.stdout).toMatch(/^FAILING .*cannot reach/)
    expect((await runCli(['feeds', 'list'], { env: env() })).stdout).toMatch(/FAILING/)
    expect(await runCli(['feeds', 'remove', 'alpha-main'], { env: env() })).toMatchObject({ code: 0 })
    expect((await runCli(['feeds', 'list'], { env: env() })).stdout).toMatch(/no feeds/)
  })

  it('refuses a feed from a partner the policy does not know', async () => {
    const add = await runCli(
      [
        'feeds',
        'add',
        '--url',
        'http://127.0.0.1:9/intel/',
        '--collection',
        'c1',
        '--key',
        'k',
        '--into',
        'inbox',
        '--partner',
        'nobody',
      ],
      { env: env() },
    )
    expect(add.code).toBe(1)
    expect(add.stderr).toMatch(/no partner "nobody"/)
  })

  it('lists pushes and withdrawals', async () => {
    expect((await runCli(['pushes', 'list'], { env: env() })).stdout).toMatch(/no pushes/)
    expect(await runCli(['withdraw', 'list', '--pending'], { env: env() })).toMatchObject({
      code: 0,
      stdout: 'no withdrawals pending\n',
    })
    const missing = await runCli(
      ['withdraw', 'indicator--00000000-0000-4000-8000-000000000000', '--reason', 'x', '--revoke'],
      { env: env() },
    )
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no object/)
  })
})

describe('the federation API', () => {
  let node: FedNode
  beforeAll(async () => {
    node = await fedNode('bravo')
    await node.t.node.services.policy.addPartner(
      { id: 'alpha', name: 'Alpha police (fictional)', kind: 'police' },
      'test',
    )
  })
  afterAll(async () => node.t.stop())

  it('defines feeds and reports their health to administrators only', async () => {
    const headers = { Authorization: `Bearer ${node.t.adminKey}`, 'Content-Type': 'application/json' }
    const body = {
      id: 'a1',
      url: 'http://127.0.0.1:9/intel/',
      collection: 'c1',
      key: 'k',
      into: 'shared',
      partner: 'alpha',
      every: '5s',
    }
    const created = await fetch(`${node.t.url}/federation/feeds`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({
      id: 'a1',
      into: node.collectionId,
      every: '5s',
      health: { status: 'new' },
    })
    const again = await fetch(`${node.t.url}/federation/feeds`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    })
    expect(again.status).toBe(409)
    const polled = await fetch(`${node.t.url}/federation/feeds/a1/poll`, { method: 'POST', headers })
    expect(await polled.json()).toMatchObject({ health: { status: 'failing', consecutiveFailures: 1 } })
    const partner = await createPrincipal(node.store, {
      name: 'alpha node',
      role: 'partner',
      partnerId: 'alpha',
    })
    const refused = await fetch(`${node.t.url}/federation/feeds`, {
      headers: { Authorization: `Bearer ${partner.apiKey}` },
    })
    expect(refused.status).toBe(403)
    const own = await fetch(`${node.t.url}/federation/withdrawals`, {
      headers: { Authorization: `Bearer ${partner.apiKey}` },
    })
    expect(await own.json()).toEqual({ origin: 'bravo.sluice.test', withdrawals: [] })
  })
})
