import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { listFeeds, listPushes } from '../../src/federation/definitions.js'
import { FederationState } from '../../src/federation/state.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import type {
  FederationFeed,
  FederationPush,
  FederationWithdrawal,
  PartnerNodeKey,
} from '../../src/services/console-types.js'
import {
  duration,
  FEEDS_EMPTY,
  federationSummary,
  feedRow,
  pushRow,
} from '../../web/src/pages/federation-model.js'
import {
  ACKNOWLEDGED_SHOWN,
  partnerKeyRow,
  withdrawalRows,
  withdrawalsSummary,
} from '../../web/src/pages/withdrawals-model.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

/*
 * The console's Federation page reads GET /federation/feeds and /federation/pushes and shows them through
 * federation-model.ts: here a feed and a push point at a loopback port nothing listens on, and after one
 * poll (and one run) the page's rows say they are failing, with the error.
 */

const UNREACHABLE = 'http://127.0.0.1:9/intel/'
let t: TestNode
let adminKey: string

async function fed<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.url}/federation/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as T }
}

beforeAll(async () => {
  // no background scheduler: the test polls when it wants to
  t = await startTestNode({ federation: false })
  adminKey = (await seedDemo(t.node.services)).adminKey
})

afterAll(async () => {
  await t?.stop()
})

describe('federation page data', () => {
  it('shows the empty state before anything is defined', async () => {
    const feeds = (await fed<FederationFeed[]>('feeds')).body
    const pushes = (await fed<FederationPush[]>('pushes')).body
    expect(feeds).toEqual([])
    expect(
      federationSummary(
        feeds.map((f) => feedRow(f, Date.now())),
        pushes.map((p) => pushRow(p, Date.now())),
      ),
    ).toBe('No feeds or pushes are defined.')
    expect(FEEDS_EMPTY).toMatch(/^No feeds: add one with sluice feeds add /)
  })

  it('a feed to an unreachable node is new, then failing after a poll', async () => {
    const added = await fed<FederationFeed>('feeds', {
      id: 'isles-routes',
      url: UNREACHABLE,
      collection: 'remote-routes',
      key: 'not-a-real-key',
      into: 'maritime-routes',
      partner: 'isles',
    })
    expect(added.status).toBe(201)
    const fresh = feedRow(added.body, Date.now())
    expect(fresh).toMatchObject({
      id: 'isles-routes',
      status: 'new',
      statusText: 'Not run yet',
      attention: false,
    })

    await fed('feeds/isles-routes/poll', {})
    const [feed] = (await fed<FederationFeed[]>('feeds')).body
    const row = feedRow(feed!, Date.now())
    expect(row).toMatchObject({
      kind: 'feed',
      id: 'isles-routes',
      status: 'failing',
      statusText: 'Failing (1 in a row)',
      remote: `${UNREACHABLE} · remote-routes`,
      partner: 'isles',
      lastSuccess: 'never',
      lag: '—',
      failures: 1,
      attention: true,
    })
    expect(row.lastError).not.toBe('—')
    expect(row.lastErrorAt).toBeDefined()
    expect(row.ledger?.status).toBeDefined()

    // the page shows collection aliases and partner names where it knows them
    const named = feedRow(feed!, Date.now(), {
      collection: (id) => (id === feed!.into ? 'maritime-routes' : id),
      partner: (id) => (id === 'isles' ? 'Isles Coast Guard' : id),
    })
    expect(named).toMatchObject({ local: 'maritime-routes', partner: 'Isles Coast Guard' })

    // a second poll counts up
    await fed('feeds/isles-routes/poll', {})
    const [again] = (await fed<FederationFeed[]>('feeds')).body
    expect(feedRow(again!, Date.now())).toMatchObject({ failures: 2, statusText: 'Failing (2 in a row)' })
  })

  it('a push to an unreachable node is failing after a run, and the summary says so', async () => {
    const added = await fed<FederationPush>('pushes', {
      id: 'to-isles',
      url: UNREACHABLE,
      collection: 'remote-inbox',
      key: 'not-a-real-key',
      from: 'maritime-routes',
      partner: 'isles',
    })
    expect(added.status).toBe(201)
    await fed('pushes/to-isles/run', {})
    const feeds = (await fed<FederationFeed[]>('feeds')).body.map((f) => feedRow(f, Date.now()))
    const pushes = (await fed<FederationPush[]>('pushes')).body.map((p) => pushRow(p, Date.now()))
    expect(pushes[0]).toMatchObject({ kind: 'push', id: 'to-isles', status: 'failing', attention: true })
    expect(federationSummary(feeds, pushes)).toBe('1 feed, 1 push: 2 failing.')
  })

  it('the console types describe what the federation API returns', async () => {
    // compile-time: the server's views are assignable to the console's types
    const feeds: FederationFeed[] = await listFeeds(t.node.federation.context)
    // (a push's "new" health is typed as a plain string on the server, so its health is checked at run time)
    const pushes: Omit<FederationPush, 'health'>[] = await listPushes(t.node.federation.context)
    expect(feeds).toHaveLength(1)
    expect(pushes).toHaveLength(1)
    const statuses = ['new', 'ok', 'failing', 'alarm']
    expect(statuses).toContain((await listPushes(t.node.federation.context))[0]!.health.status)
  })

  it('says which key a feed checks the remote ledger with, and where it came from', () => {
    const given = generateNodeKey('alpha.sluice.test').vkey
    const next = generateNodeKey('alpha.sluice.test').vkey
    const name = (vkey: string) => vkey.split('+').slice(0, 2).join('+')
    const row = (
      vkey: string | undefined,
      now: string | undefined,
      keySource?: 'given' | 'first seen' | 'followed',
      followedFrom?: string,
    ) =>
      feedRow(
        {
          id: 'f',
          url: UNREACHABLE,
          collection: 'c',
          into: 'i',
          partner: 'alpha',
          every: '30s',
          verify: 'auto',
          ...(vkey ? { vkey } : {}),
          health: { status: 'ok', consecutiveFailures: 0 },
          ledger: {
            status: 'consistent',
            size: 3,
            ...(now ? { vkey: now } : {}),
            ...(keySource ? { keySource } : {}),
            ...(followedFrom ? { followedFrom } : {}),
          },
        } as FederationFeed,
        Date.now(),
      ).ledger?.key
    expect(row(undefined, undefined)).toBeUndefined()
    expect(row(given, given, 'given')).toBe(`key ${name(given)}, given`)
    expect(row(undefined, next, 'first seen')).toBe(`key ${name(next)}, first seen`)
    expect(row(given, next, 'followed', given)).toBe(
      `key ${name(next)}, followed from the given ${name(given)}`,
    )
    expect(row(undefined, next, 'followed', given)).toBe(`key ${name(next)}, followed from ${name(given)}`)
  })

  it('formats durations for a glance', () => {
    expect([undefined, 42, 720, 3 * 3600 + 300, 50 * 3600].map(duration)).toEqual([
      '—',
      '42 s',
      '12 min',
      '3 h 5 min',
      '2 d 2 h',
    ])
  })
})

describe('withdrawals and partner node keys on the federation page', () => {
  const withdrawals = async () =>
    (await fed<{ withdrawals: FederationWithdrawal[] }>('withdrawals')).body.withdrawals

  it('lists what was withdrawn, pending first, and says how many are not acknowledged', async () => {
    expect(withdrawalsSummary(await withdrawals())).toBe('No withdrawals issued.')
    const [collection] = await t.node.store.listCollections('intel')
    const [some, other] = (await t.node.store.queryObjects({ collectionId: collection!.id, limit: 2 })).items
    for (const [object, partner] of [
      [some!.id, 'isles'],
      [other!.id, 'northland'],
    ] as const) {
      const issued = await fed('withdrawals', {
        object_id: object,
        reason: 'source at risk',
        partners: [partner],
      })
      expect(issued.status).toBe(201)
    }
    const listed = await withdrawals()
    expect(withdrawalsSummary(listed)).toBe('2 withdrawals: 2 not acknowledged.')
    const now = Date.now()
    const { rows, leftOut } = withdrawalRows(listed, now, {
      collection: (id) => id,
      partner: (id) => (id === 'isles' ? 'Isles Coast Guard' : id),
    })
    expect(leftOut).toBe(0)
    expect(rows.find((r) => r.object === some!.id)).toMatchObject({
      partner: 'Isles Coast Guard',
      kind: 'withdrawn',
      reason: 'source at risk',
      status: 'pending',
      statusText: 'Not acknowledged',
      attention: true,
    })

    // an acknowledged one says how long its partner's node took, and goes below every pending one
    const [first] = listed
    const acked: FederationWithdrawal = {
      ...first!,
      id: 'withdrawal--acked',
      created_at: new Date(now - 3_600_000).toISOString(),
      acknowledged_at: new Date(now - 3_600_000 + 90_000).toISOString(),
      signer: 'isles.sluice.test',
    }
    const mixed = withdrawalRows([acked, ...listed], now)
    expect(mixed.rows.map((r) => r.status)).toEqual(['pending', 'pending', 'acknowledged'])
    expect(mixed.rows[2]).toMatchObject({
      statusText: 'Acknowledged 1 min after',
      signer: 'isles.sluice.test',
      issued: '1 h ago',
      attention: false,
    })
    expect(withdrawalsSummary([acked])).toBe('1 withdrawal: all acknowledged.')

    // old acknowledged ones are left out beyond a screenful, never a pending one
    const many = Array.from({ length: ACKNOWLEDGED_SHOWN + 5 }, (_, i) => ({ ...acked, id: `w${i}` }))
    const bounded = withdrawalRows([...many, ...listed], now)
    expect(bounded.rows).toHaveLength(ACKNOWLEDGED_SHOWN + 2)
    expect(bounded.leftOut).toBe(5)
    expect(bounded.rows.filter((r) => r.status === 'pending')).toHaveLength(2)
  })

  it('asks the node for every pending one and only the newest acknowledged, which it counts', async () => {
    // acknowledged long ago, as accepted acknowledgements leave them (signatures are another test's)
    const state = new FederationState(t.node.store)
    const [pending] = await withdrawals()
    for (const hour of [1, 2, 3])
      await state.putWithdrawal({
        id: `withdrawal--00000000-0000-4000-8000-00000000000${hour}`,
        objectId: pending!.object_id,
        partnerId: 'southern',
        kind: 'withdrawn',
        reason: 'court order (fictional)',
        createdAt: new Date(Date.now() - hour * 3_600_000).toISOString(),
        createdBy: 'test',
        acknowledgement: { receivedAt: new Date().toISOString(), note: 'n', signer: 's', appliedAt: 'a' },
      })
    const answer = await fed<{ withdrawals: FederationWithdrawal[]; acknowledged_left_out: number }>(
      'withdrawals?acknowledged_limit=2',
    )
    expect(answer.status).toBe(200)
    const { withdrawals: bounded, acknowledged_left_out: older } = answer.body
    expect(older).toBe(1)
    expect(bounded.filter((w) => w.acknowledged_at === undefined)).toHaveLength(2)
    // the newest two of the three acknowledged
    expect(bounded.filter((w) => w.acknowledged_at !== undefined).map((w) => w.id)).toEqual([
      'withdrawal--00000000-0000-4000-8000-000000000001',
      'withdrawal--00000000-0000-4000-8000-000000000002',
    ])
    expect(withdrawalsSummary(bounded, older)).toBe('5 withdrawals: 2 not acknowledged.')
    expect(withdrawalRows(bounded, Date.now(), undefined, older).leftOut).toBe(1)
    expect((await withdrawals()).length).toBe(5) // without the parameter, the whole list
    for (const bad of ['0', '-1', 'two', '1.5'])
      expect((await fed(`withdrawals?acknowledged_limit=${bad}`)).status).toBe(400)
  })

  it("lists the partner node keys, a feed's given key as not yet used", async () => {
    expect((await fed<PartnerNodeKey[]>('partner-keys')).body).toEqual([])
    const given = generateNodeKey('isles.sluice.test').vkey
    const pinned = generateNodeKey('northland.sluice.test').vkey
    const feed = await fed('feeds', {
      id: 'isles-keyed',
      url: UNREACHABLE,
      collection: 'remote-routes',
      key: 'not-a-real-key',
      into: 'maritime-routes',
      partner: 'isles',
      vkey: given,
    })
    expect(feed.status).toBe(201)
    expect((await fed('partner-keys', { partner: 'northland', vkey: pinned })).status).toBe(201)
    const rows = (await fed<PartnerNodeKey[]>('partner-keys')).body.map((k) => partnerKeyRow(k))
    const name = (vkey: string) => vkey.split('+').slice(0, 2).join('+')
    expect(rows).toEqual([
      {
        partner: 'isles',
        key: name(given),
        vkey: given,
        source: expect.stringMatching(
          /^Given by .+ for feed isles-keyed; no acknowledgement checked with it yet$/,
        ),
        pending: true,
      },
      {
        partner: 'northland',
        key: name(pinned),
        vkey: pinned,
        source: expect.stringMatching(/^Pinned by /),
        pending: false,
      },
    ])
    expect(partnerKeyRow({ partner: 'south', vkey: pinned, pinnedAt: '2026-12-01T00:00:00Z' }).source).toBe(
      'Pinned by the first acknowledgement (trust on first use)',
    )
  })
})
