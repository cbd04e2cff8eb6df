import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAGES_PER_POLL } from '../../src/federation/feed.js'
import { FederationState } from '../../src/federation/state.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { createServices } from '../../src/server/services.js'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { openStore } from '../../src/store/open.js'
import { runCli } from '../cli/run-cli.js'
import { type FedNode, fedNode, ind, put, share } from './helpers.js'

/** A feed's remote that nothing answers at: adding a feed never contacts it. */
const UNREACHABLE_REMOTE = ['--url', 'http://127.0.0.1:9/intel/', '--collection', 'c1', '--key', 'k']

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
        ...UNREACHABLE_REMOTE,
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
    expect(poll.stderr).toMatch(/^sluice: the poll failed: cannot reach [^\n]*\n$/)
    expect((await runCli(['feeds', 'list'], { env: env() })).stdout).toMatch(/FAILING/)
    expect(await runCli(['feeds', 'remove', 'alpha-main'], { env: env() })).toMatchObject({ code: 0 })
    expect((await runCli(['feeds', 'list'], { env: env() })).stdout).toMatch(/no feeds/)
  })

  it('says on the poll itself, and in its exit status, that the remote ledger is in alarm', async () => {
    const alpha = await fedNode('alpha')
    try {
      await put(alpha, [ind(1)])
      const key = await share(alpha, { name: 'cli' } as FedNode)
      // a key of some other node: the remote's checkpoints cannot verify with it
      const wrong = generateNodeKey('other.sluice.test').vkey
      const feed = ['--url', `${alpha.t.url}/intel/`, '--collection', alpha.collectionId, '--key', key]
      const defined = ['--into', 'inbox', '--partner', 'alpha', '--id', 'wrong-key', '--vkey', wrong]
      expect(await runCli(['feeds', 'add', ...feed, ...defined], { env: env() })).toMatchObject({ code: 0 })
      const poll = await runCli(['feeds', 'poll', 'wrong-key'], { env: env() })
      expect(poll.stdout).toMatch(
        /^ALARM .* {2}ledger alarm, key other\.sluice\.test\+\w+ \(given\) ALARM: \S/,
      )
      expect(poll.stderr).toMatch(
        /^sluice: the remote's ledger is in alarm: [^\n]+ \(evidence: "sluice feeds list --json"; after dealing with it, "sluice feeds clear-alarm wrong-key"\)\n$/,
      )
      expect(poll.code).toBe(1)
      expect(await runCli(['feeds', 'remove', 'wrong-key'], { env: env() })).toMatchObject({ code: 0 })
    } finally {
      await alpha.t.stop()
    }
  })

  it('says that more remains when a poll stops at its page limit, and the next poll continues', async () => {
    const alpha = await fedNode('alpha')
    try {
      await put(
        alpha,
        Array.from({ length: PAGES_PER_POLL + 1 }, (_, i) => ind(1000 + i)),
      )
      // share() needs only the receiving partner's name
      const key = await share(alpha, { name: 'cli' } as FedNode)
      const feed = ['--url', `${alpha.t.url}/intel/`, '--collection', alpha.collectionId, '--key', key]
      const defined = ['--into', 'inbox', '--partner', 'alpha', '--page-size', '1', '--id', 'backlog']
      expect(await runCli(['feeds', 'add', ...feed, ...defined], { env: env() })).toMatchObject({ code: 0 })
      const first = await runCli(['feeds', 'poll', 'backlog'], { env: env() })
      expect(first.code).toBe(0)
      expect(first.stdout.split('\n')[1]).toBe(
        `more remains: this poll stopped after ${PAGES_PER_POLL} pages; the next one continues from the saved cursor (run "sluice feeds poll backlog" again, or a running node's scheduler does at its next run)`,
      )
      expect((await runCli(['feeds', 'list'], { env: env() })).stdout).toMatch(/^ {2}OK .* more remains/m)
      const second = await runCli(['feeds', 'poll', 'backlog'], { env: env() })
      expect(second.code).toBe(0)
      expect(second.stdout).not.toContain('more remains')
      // caught up just now: the lag is known, as "feeds list" gives it
      expect(second.stdout).toMatch(/^OK {2}last success \S+ {2}lag \d+\.\ds {2}.* {2}ledger consistent/)
      const [state] = JSON.parse((await runCli(['feeds', 'list', '--json'], { env: env() })).stdout)
      expect(state.health.counts.added).toBe(PAGES_PER_POLL + 1)
      expect(state.health.more).toBeUndefined()
      expect(state.cursor.next).toBeUndefined()
      expect(await runCli(['feeds', 'remove', 'backlog'], { env: env() })).toMatchObject({ code: 0 })
    } finally {
      await alpha.t.stop()
    }
  })

  it('takes the remote verifier key on add and clear-alarm, refusing one that cannot verify', async () => {
    const remote = UNREACHABLE_REMOTE
    const local = ['--into', 'inbox', '--partner', 'alpha', '--id', 'given-key']
    const bad = await runCli(['feeds', 'add', ...remote, ...local, '--vkey', 'alpha+1234+xyz'], {
      env: env(),
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^sluice: vkey is not the remote node's verifier key [^\n]*\n$/)
    const vkey = generateNodeKey('alpha.sluice.test').vkey
    expect(await runCli(['feeds', 'add', ...remote, ...local, '--vkey', vkey], { env: env() })).toMatchObject(
      {
        code: 0,
      },
    )
    const [listed] = JSON.parse((await runCli(['feeds', 'list', '--json'], { env: env() })).stdout)
    expect(listed).toMatchObject({ id: 'given-key', vkey })
    expect((await runCli(['feeds', 'list'], { env: env() })).stdout).toContain(
      `ledger unverified, key ${vkey.split('+').slice(0, 2).join('+')} (given)`,
    )
    // no alarm raised: clearing would only forget what the remote is checked against
    const cleared = await runCli(['feeds', 'clear-alarm', 'given-key'], { env: env() })
    expect([cleared.code, cleared.stderr]).toEqual([
      2,
      'sluice: feed "given-key" has no ledger alarm to clear (its ledger is unverified); clearing would forget the checkpoint it checks the remote against\n',
    ])
    const wrongPlace = await runCli(['feeds', 'list', '--vkey', vkey], { env: env() })
    expect(wrongPlace.code).toBe(2)
    const issuerAlone = await runCli(['feeds', 'clear-alarm', 'given-key', '--issuer', 'ops'], { env: env() })
    expect([issuerAlone.code, issuerAlone.stderr]).toEqual([
      2,
      'sluice: --issuer names who gave --vkey: give both, or neither\n',
    ])
    const confirmed = await runCli(['feeds', 'clear-alarm', 'given-key', '--vkey', vkey, '--issuer', 'ops'], {
      env: env(),
    })
    expect(confirmed.code).toBe(0)
    const [after] = JSON.parse((await runCli(['feeds', 'list', '--json'], { env: env() })).stdout)
    expect(after).toMatchObject({ vkey, vkeyPinnedBy: 'ops' })
    expect(await runCli(['feeds', 'remove', 'given-key'], { env: env() })).toMatchObject({ code: 0 })
  })

  it('pins and lists the key partner acknowledgements are checked with', async () => {
    const vkey = generateNodeKey('alpha.sluice.test').vkey
    const name = vkey.split('+').slice(0, 2).join('+')
    expect(await runCli(['withdraw', 'keys'], { env: env() })).toMatchObject({
      code: 0,
      stdout: 'no partner node key pinned\n',
    })
    // a key given to a feed from the partner checks its first acknowledgement, and is listed as such
    const given = [
      ...UNREACHABLE_REMOTE,
      '--into',
      'inbox',
      '--partner',
      'alpha',
      '--id',
      'keyed',
      '--vkey',
      vkey,
      '--issuer',
      'ops',
    ]
    expect(await runCli(['feeds', 'add', ...given], { env: env() })).toMatchObject({ code: 0 })
    expect((await runCli(['withdraw', 'keys'], { env: env() })).stdout).toMatch(
      new RegExp(
        `^alpha  ${vkey.replace(/[+/]/g, '\\$&')}  given \\S+ by ops for feed keyed; no acknowledgement checked with it yet\n$`,
      ),
    )
    expect(await runCli(['feeds', 'remove', 'keyed'], { env: env() })).toMatchObject({ code: 0 })
    const pinned = await runCli(['withdraw', 'pin-key', '--partner', 'alpha', '--vkey', vkey], { env: env() })
    expect(pinned).toMatchObject({
      code: 0,
      stdout: `acknowledgements from alpha are checked with ${name} from now on\n`,
    })
    const again = await runCli(['withdraw', 'pin-key', '--partner', 'alpha', '--vkey', vkey], { env: env() })
    expect(again.stdout).toContain('(unchanged)')
    const [listed] = JSON.parse((await runCli(['withdraw', 'keys', '--json'], { env: env() })).stdout)
    expect(listed).toMatchObject({ partner: 'alpha', vkey, pinnedBy: expect.any(String) })
    expect((await runCli(['withdraw', 'keys'], { env: env() })).stdout).toMatch(
      new RegExp(`^alpha  ${vkey.replace(/[+/]/g, '\\$&')}  pinned \\S+ by \\S+\n$`),
    )
    for (const args of [
      ['withdraw', 'pin-key', '--vkey', vkey],
      ['withdraw', 'pin-key', '--partner', 'alpha'],
      ['withdraw', 'pin-key', '--partner', 'alpha', '--vkey', 'alpha+1+2'],
      ['withdraw', 'keys', '--vkey', vkey],
    ]) {
      const refused = await runCli(args, { env: env() })
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/^sluice: [^\n]+\n$/)
    }
    const unknown = await runCli(['withdraw', 'pin-key', '--partner', 'nobody', '--vkey', vkey], {
      env: env(),
    })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no partner "nobody"/)
  })

  it('refuses a feed from a partner the policy does not know', async () => {
    const add = await runCli(
      ['feeds', 'add', ...UNREACHABLE_REMOTE, '--into', 'inbox', '--partner', 'nobody'],
      { env: env() },
    )
    expect(add.code).toBe(1)
    expect(add.stderr).toMatch(/no partner "nobody"/)
  })

  it('refuses the discovery URL where the API root is wanted, naming the API root to give', async () => {
    const withPartner = await runCli(
      [
        'feeds',
        'add',
        ...['--url', 'http://127.0.0.1:9/taxii2/', '--collection', 'c1', '--key', 'k'],
        ...['--into', 'inbox', '--partner', 'alpha'],
      ],
      { env: env() },
    )
    expect([withPartner.code, withPartner.stderr]).toEqual([
      2,
      'sluice: http://127.0.0.1:9/taxii2/ is the TAXII discovery URL, not an API root; give the API root, e.g. http://127.0.0.1:9/intel/\n',
    ])
  })

  it('lists pushes and withdrawals', async () => {
    expect((await runCli(['pushes', 'list'], { env: env() })).stdout).toMatch(/no pushes/)
    expect(await runCli(['withdraw', 'list', '--pending'], { env: env() })).toMatchObject({
      code: 0,
      stdout: 'no withdrawals pending\n',
    })
    const store = await openStore(undefined, dir)
    const state = new FederationState(store)
    const record = (n: number, acknowledged?: string) => ({
      id: `withdrawal--00000000-0000-4000-8000-00000000000${n}`,
      objectId: `indicator--00000000-0000-4000-8000-00000000000${n}`,
      partnerId: 'alpha',
      kind: 'withdrawn' as const,
      reason: 'source at risk (fictional)',
      createdAt: `2026-03-0${n}T00:00:00.000Z`,
      createdBy: 'officer-7',
      ...(acknowledged
        ? {
            acknowledgement: {
              receivedAt: acknowledged,
              note: 'n',
              signer: 'alpha',
              appliedAt: acknowledged,
            },
          }
        : {}),
    })
    for (const w of [record(1, '2026-03-05T00:00:00.000Z'), record(2), record(3, '2026-03-06T00:00:00.000Z')])
      await state.putWithdrawal(w)
    await store.close()
    const unknown = await runCli(['withdraw', 'list', '--partner', 'nobody'], { env: env() })
    expect([unknown.code, unknown.stdout]).toEqual([1, ''])
    expect(unknown.stderr).toMatch(/^sluice: no partner "nobody"/)
    const ids = (stdout: string) => stdout.split('\n').map((line) => line.split('  ')[0])
    // pending oldest first, then acknowledged newest first
    expect(ids((await runCli(['withdraw', 'list'], { env: env() })).stdout)).toEqual([
      record(2).id,
      record(3).id,
      record(1).id,
      '',
    ])
    const limited = await runCli(['withdraw', 'list', '--limit', '1'], { env: env() })
    expect(ids(limited.stdout)).toEqual([
      record(2).id,
      record(3).id,
      '1 older acknowledged withdrawal not shown (--limit)',
      '',
    ])
    const json = await runCli(['withdraw', 'list', '--limit', '1', '--json'], { env: env() })
    expect((JSON.parse(json.stdout) as { id: string }[]).map((w) => w.id)).toEqual([
      record(2).id,
      record(3).id,
    ])
    expect(json.stderr).toBe('1 older acknowledged withdrawal not shown (--limit)\n')
    for (const bad of [
      ['--limit', '0'],
      ['--limit', '1', '--pending'],
    ]) {
      const refused = await runCli(['withdraw', 'list', ...bad], { env: env() })
      expect([refused.code, refused.stdout]).toEqual([2, ''])
      expect(refused.stderr).toMatch(/^sluice: .*limit/)
    }
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

  const headers = () => ({ Authorization: `Bearer ${node.t.adminKey}`, 'Content-Type': 'application/json' })
  const post = (path: string, body: unknown) =>
    fetch(`${node.t.url}/federation/${path}`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(body),
    })

  it.each([
    [
      'feeds',
      { partner: 'alpha' },
      'into is required: the local collection; see GET /{api-root}/collections/',
    ],
    [
      'pushes',
      { partner: 'alpha' },
      'from is required: the local collection; see GET /{api-root}/collections/',
    ],
    [
      'feeds',
      { into: 'shared' },
      'partner is required: the partner the remote node is; see GET /admin/partners',
    ],
    [
      'feeds',
      { url: undefined, partner: 'alpha', into: 'shared' },
      'url is required: the remote TAXII API root',
    ],
    [
      'feeds',
      { url: 'https://alpha.example/taxii2/', partner: 'alpha', into: 'shared' },
      'https://alpha.example/taxii2/ is the TAXII discovery URL, not an API root; give the API root, e.g. https://alpha.example/intel/',
    ],
    [
      'pushes',
      { url: 'https://alpha.example/intel/', from: 'shared', partner: 'alpha', client_key: '/etc/key.pem' },
      'a client certificate and its key go together: give both, or neither',
    ],
    [
      'feeds',
      { url: 'https://alpha.example/intel/', into: 'shared', partner: 'alpha', ca: '/nonexistent/ca.pem' },
      'cannot read the CA bundle /nonexistent/ca.pem: no such file',
    ],
  ])('POST /federation/%s with %j is a 400 saying so', async (path, fields, description) => {
    const res = await post(path, { url: 'http://127.0.0.1:9/intel/', collection: 'c1', key: 'k', ...fields })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { description: string }).description).toBe(description)
  })

  it('refuses a pending filter other than true or false, rather than listing everything', async () => {
    const get = (query: string) =>
      fetch(`${node.t.url}/federation/withdrawals${query}`, { headers: headers() })
    const maybe = await get('?pending=maybe')
    expect(maybe.status).toBe(400)
    expect(((await maybe.json()) as { description: string }).description).toBe(
      'pending must be one of true, false',
    )
    for (const query of ['', '?pending=true', '?pending=false']) expect((await get(query)).status).toBe(200)
  })
})
