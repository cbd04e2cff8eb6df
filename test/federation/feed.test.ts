import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollFeed } from '../../src/federation/feed.js'
import { backoffDelay, parseInterval } from '../../src/federation/schedule.js'
import { FederationScheduler } from '../../src/federation/scheduler.js'
import type { FeedDefinition } from '../../src/federation/types.js'
import { T0 } from '../taxii/fixtures.js'
import { type FedNode, fedNode, feed, ind, put, share, versions } from './helpers.js'

let alpha: FedNode
let bravo: FedNode
let charlie: FedNode
let fromAlpha: FeedDefinition

beforeAll(async () => {
  ;[alpha, bravo, charlie] = await Promise.all([fedNode('alpha'), fedNode('bravo'), fedNode('charlie')])
  fromAlpha = await feed(bravo, alpha, await share(alpha, bravo), { pageSize: 7 })
})
afterAll(async () => Promise.all([alpha, bravo, charlie].map((n) => n.t.stop())))

describe('a feed between two Sluice nodes', () => {
  it('pulls every version over several pages, with provenance, and reports its health', async () => {
    await put(
      alpha,
      Array.from({ length: 20 }, (_, i) => ind(100 + i)),
    )
    await put(alpha, [ind(100, 'green', { modified: '2026-01-06T08:00:00.000Z' })])
    const state = await pollFeed(bravo.ctx, fromAlpha)
    expect(state.health).toMatchObject({ status: 'ok', consecutiveFailures: 0 })
    expect(state.health.counts).toMatchObject({ added: 21, pages: 3 })
    expect(state.health.caughtUpAt).toBe(state.health.lastAttemptAt)
    expect(state.cursor.next).toBeUndefined()
    expect((await versions(bravo)).sort()).toEqual((await versions(alpha)).sort())
    const [record] = await bravo.store.provenance([ind(100).id])
    expect(record).toMatchObject({
      feedId: 'from-alpha',
      partnerId: 'alpha',
      collectionId: bravo.collectionId,
    })
    expect(state.ledger.status).toBe('consistent')
  })

  it('asks only for what was added since, and stores what it already has once', async () => {
    await put(alpha, [ind(200), ind(201)])
    const state = await pollFeed(bravo.ctx, fromAlpha)
    expect(state.health.counts.added).toBe(23)
    expect(state.health.counts.pages).toBe(4)
    expect(await versions(bravo)).toHaveLength(23)
  })

  it('resumes a pass cut short from its saved cursor, losing and repeating nothing', async () => {
    await put(
      alpha,
      Array.from({ length: 30 }, (_, i) => ind(300 + i)),
    )
    const cut = await pollFeed(bravo.ctx, fromAlpha, { maxPages: 2 })
    expect(cut.cursor.next).toBeDefined()
    expect(cut.health.more).toBe(true)
    expect(cut.health.caughtUpAt).not.toBe(cut.health.lastAttemptAt)
    expect(Date.parse(cut.health.nextAttemptAt!)).toBeLessThanOrEqual(Date.now())
    // a new process: only the stored state carries over
    const { federationContext } = await import('../../src/federation/context.js')
    const fresh = federationContext(bravo.t.node.services)
    const done = await pollFeed(fresh, fromAlpha)
    expect(done.health.counts.added).toBe(53)
    expect(done.health.more).toBeUndefined()
    expect(done.health.counts.unchanged ?? 0).toBe(0)
    expect((await versions(bravo)).sort()).toEqual((await versions(alpha)).sort())
  })

  it('starts the pass again when the server no longer knows its next cursor', async () => {
    await put(
      alpha,
      Array.from({ length: 10 }, (_, i) => ind(400 + i)),
    )
    await pollFeed(bravo.ctx, fromAlpha, { maxPages: 1 })
    const state = await bravo.ctx.state.feedState(fromAlpha.id)
    state.cursor.next = 'forged.cursor'
    await bravo.ctx.state.putFeedState(fromAlpha.id, state)
    const done = await pollFeed(bravo.ctx, fromAlpha)
    expect(done.health.counts['restarted-passes']).toBe(1)
    expect((await versions(bravo)).sort()).toEqual((await versions(alpha)).sort())
  })

  it('stores the same object from two partners once and records both origins', async () => {
    const fromCharlie = await feed(bravo, charlie, await share(charlie, bravo))
    await put(charlie, [ind(100), ind(900)])
    const state = await pollFeed(bravo.ctx, fromCharlie)
    expect(state.health.counts).toMatchObject({ added: 1, unchanged: 1 })
    const records = await bravo.store.provenance([ind(100).id])
    const firstVersion = records.filter((p) => p.version === ind(100).modified)
    expect(firstVersion.map((p) => p.partnerId).sort()).toEqual(['alpha', 'charlie'])
    expect((await versions(bravo)).filter((v) => v.startsWith(ind(100).id))).toHaveLength(2)
  })

  it('takes no provenance for its own objects coming back', async () => {
    const back = await feed(alpha, bravo, await share(bravo, alpha))
    const state = await pollFeed(alpha.ctx, back)
    // bravo's gate already withholds alpha's objects from alpha (never back to the origin);
    // the receiving side's own check is the second line, counted as "bounced" when it fires
    expect(state.health.counts.bounced ?? 0).toBe(0)
    expect(state.health.counts.added).toBe(1) // only charlie's 900 is new to alpha
    expect(await alpha.store.provenance([ind(100).id])).toEqual([])
  })

  it('has the scheduler continue a poll that stopped at its page limit at once, not at the next interval', async () => {
    const hourly = await feed(bravo, alpha, await share(alpha, bravo), { id: 'hourly', pageSize: 5 })
    await bravo.ctx.state.putFeed({ ...hourly, everyMs: 3_600_000 })
    const scheduler = new FederationScheduler(bravo.ctx, { tickMs: 10, pagesPerPoll: 1 })
    scheduler.start()
    try {
      await expect
        .poll(async () => (await bravo.ctx.state.feedState('hourly')).health.caughtUpAt, { timeout: 10_000 })
        .toBeDefined()
    } finally {
      await scheduler.stop()
    }
    const { health } = await bravo.ctx.state.feedState('hourly')
    await bravo.ctx.state.removeFeed('hourly')
    // one page a poll: every poll but the last stopped with more to fetch
    expect(health.counts.pages).toBeGreaterThan(2)
    expect(health.more).toBeUndefined()
  })
})

describe('failures', () => {
  it('backs off exponentially with jitter, and recovers', async () => {
    const down: FeedDefinition = {
      ...fromAlpha,
      id: 'down',
      apiRoot: 'http://127.0.0.1:9/intel/',
      nodeUrl: 'http://127.0.0.1:9',
    }
    await bravo.ctx.state.putFeed(down)
    const delays: number[] = []
    for (let i = 0; i < 4; i++) {
      const before = Date.now()
      const state = await pollFeed(bravo.ctx, down)
      expect(state.health.status).toBe('failing')
      expect(state.health.lastError?.message).toMatch(/cannot reach/)
      delays.push(Date.parse(state.health.nextAttemptAt!) - before)
    }
    expect((await bravo.ctx.state.feedState('down')).health.consecutiveFailures).toBe(4)
    // base 100 ms: [50,100], [100,200], [200,400], [400,800] (plus the time the attempt took)
    expect(delays[3]!).toBeGreaterThanOrEqual(400)
    expect(delays[3]!).toBeGreaterThan(delays[0]!)
    await bravo.ctx.state.putFeed({ ...fromAlpha, id: 'down' })
    const ok = await pollFeed(bravo.ctx, (await bravo.ctx.state.feed('down'))!)
    expect(ok.health).toMatchObject({ status: 'ok', consecutiveFailures: 0 })
    expect(ok.health.lastError).toBeDefined()
  })

  it('computes bounded, jittered delays', () => {
    const policy = { baseMs: 1000, maxMs: 60_000 }
    expect(backoffDelay(1, policy, 0)).toBe(500)
    expect(backoffDelay(1, policy, 0.999)).toBeLessThanOrEqual(1000)
    expect(backoffDelay(3, policy, 0)).toBe(2000)
    expect(backoffDelay(30, policy, 0.999)).toBeLessThanOrEqual(60_000)
    expect(backoffDelay(30, policy, 0)).toBe(30_000)
    expect(parseInterval('30s')).toBe(30_000)
    expect(parseInterval('250ms')).toBe(250)
    expect(parseInterval('2m')).toBe(120_000)
    expect(parseInterval('soon')).toBeUndefined()
  })

  it('says that a feed defined with the discovery URL must be defined again with the API root', async () => {
    // as stored before such a URL was refused, or served at a path other than /taxii2/
    const state = await pollFeed(bravo.ctx, {
      ...fromAlpha,
      id: 'discovery',
      apiRoot: `${alpha.t.url}/taxii2/`,
    })
    expect(state.health.lastError?.message).toBe(
      `${alpha.t.url}/taxii2/ is the TAXII discovery URL, not an API root; define the feed or push again with the API root, e.g. ${alpha.t.url}/intel/`,
    )
  })

  it('reports a local collection that is gone as a failure, not a crash', async () => {
    const state = await pollFeed(bravo.ctx, { ...fromAlpha, id: 'nowhere', into: 'no-such-collection' })
    expect(state.health.lastError?.message).toMatch(/does not exist/)
    expect(T0).toBeDefined()
  })
})
