/**
 * A feed given the remote node's verifier key out of band checks the remote ledger from that key, never
 * from the key the node offers on first contact: a node impersonated from the first poll is caught.
 */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { federationContext } from '../../src/federation/context.js'
import { clearAlarm, defineFeed, listFeeds } from '../../src/federation/definitions.js'
import { pollFeed } from '../../src/federation/feed.js'
import type { FeedDefinition } from '../../src/federation/types.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { rotateNodeKey } from '../../src/server/node-key.js'
import { type FedNode, fedNode, feed, ind, put, share } from './helpers.js'

let alpha: FedNode
let bravo: FedNode
let key: string
let alphaKey: string

beforeAll(async () => {
  ;[alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
  key = await share(alpha, bravo)
  alphaKey = (await alpha.t.node.services.ledger.signingKey()).vkey
  await put(alpha, [ind(1), ind(2)])
})
afterAll(async () => Promise.all([alpha, bravo].map((n) => n.t.stop())))

/** A fetch that records the paths asked, and answers 404 for those `missing` matches. */
function watching(missing?: RegExp) {
  const asked: string[] = []
  const fetcher: typeof fetch = async (input, init) => {
    const path = new URL(String(input)).pathname
    asked.push(path)
    if (missing?.test(path)) return new Response('{}', { status: 404 })
    return fetch(input, init)
  }
  return { asked, ctx: federationContext(bravo.t.node.services, { fetch: fetcher }) }
}

const admin = (path: string, body: unknown) =>
  fetch(`${bravo.t.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bravo.t.adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('a feed given the remote verifier key', () => {
  it('checks the ledger from it, without asking the remote for its key', async () => {
    const given = await feed(bravo, alpha, key, { id: 'given', verify: 'require' })
    const pinned = await defineFeed(bravo.ctx, { ...asInput(given), id: 'pinned', vkey: alphaKey }, 'test')
    expect(pinned).toMatchObject({ vkey: alphaKey, vkeyPinnedBy: 'test' })
    const { asked, ctx } = watching()
    const state = await pollFeed(ctx, pinned)
    expect(state.ledger).toMatchObject({ status: 'consistent', vkey: alphaKey })
    expect(asked).not.toContain('/ledger/key')
    expect(state.health.counts.added).toBe(2)
  })

  it('raises an alarm on the first poll when the remote signs with another key, and pins nothing else', async () => {
    const impostor = generateNodeKey('alpha.sluice.test').vkey
    const wrong = await defineFeed(
      bravo.ctx,
      { ...asInput(await base()), id: 'wrong', vkey: impostor },
      'test',
    )
    const state = await pollFeed(bravo.ctx, wrong)
    expect(state.health.status).toBe('alarm')
    expect(state.ledger.alarm?.reason).toMatch(/^checkpoint does not verify/)
    expect(state.ledger.vkey).toBe(impostor)

    // cleared with the key its operators confirmed, the feed checks from that key
    await clearAlarm(bravo.ctx, 'wrong', { vkey: alphaKey, by: 'duty officer' })
    expect(await bravo.ctx.state.feed('wrong')).toMatchObject({
      vkey: alphaKey,
      vkeyPinnedBy: 'duty officer',
    })
    const after = await pollFeed(bravo.ctx, (await bravo.ctx.state.feed('wrong'))!)
    expect(after.ledger).toMatchObject({ status: 'consistent', vkey: alphaKey })
    expect(after.health.status).not.toBe('alarm')
  })

  it('fails the poll, saying why, when the remote offers no ledger', async () => {
    const noLedger = await defineFeed(
      bravo.ctx,
      { ...asInput(await base()), id: 'no-ledger', vkey: alphaKey },
      'test',
    )
    const { ctx } = watching(/^\/ledger\//)
    const state = await pollFeed(ctx, noLedger)
    expect(state.health.lastError?.message).toMatch(
      /offers no ledger, and this feed was given its verifier key/,
    )
    expect(state.health.consecutiveFailures).toBe(1)
  })

  it('refuses a key that cannot verify a node, or one given with verify off', async () => {
    const input = { ...asInput(await base()), id: 'refused' }
    await expect(
      defineFeed(bravo.ctx, { ...input, vkey: 'alpha.sluice.test+00000000+AAAA' }, 'test'),
    ).rejects.toThrow(/^vkey is not the remote node's verifier key \(.*\); ask its operators/)
    await expect(defineFeed(bravo.ctx, { ...input, vkey: alphaKey, verify: 'off' }, 'test')).rejects.toThrow(
      /give verify auto or require, or no vkey/,
    )
    await expect(clearAlarm(bravo.ctx, 'pinned', { vkey: 'nonsense' })).rejects.toThrow(/vkey is not/)
    expect(await bravo.ctx.state.feed('refused')).toBeUndefined()
  })

  it('is given and shown over the API, and a bad one is a 400 that names it', async () => {
    const body = {
      id: 'over-api',
      url: `${alpha.t.url}/intel/`,
      collection: alpha.collectionId,
      key,
      partner: 'alpha',
      into: bravo.collectionId,
      vkey: alphaKey,
    }
    const bad = await admin('/federation/feeds', { ...body, vkey: 'x' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { description: string }).description).toMatch(/^vkey is not/)
    const made = await admin('/federation/feeds', body)
    expect(made.status).toBe(201)
    expect(await made.json()).toMatchObject({
      id: 'over-api',
      vkey: alphaKey,
      ledger: { status: 'unverified', vkey: alphaKey, keySource: 'given' },
    })
    const polled = await admin('/federation/feeds/over-api/poll', {})
    expect(await polled.json()).toMatchObject({ ledger: { status: 'consistent', vkey: alphaKey } })
    expect((await admin('/federation/feeds/over-api/clear-alarm', { vkey: 'x' })).status).toBe(400)
    expect((await admin('/federation/feeds/over-api/clear-alarm', { key: 'x' })).status).toBe(400)
    const cleared = await admin('/federation/feeds/over-api/clear-alarm', { vkey: alphaKey })
    expect(await cleared.json()).toEqual({ id: 'over-api', cleared: true })
    // who gave the key is the principal that cleared the alarm with it
    const [shown] = (await listFeeds(bravo.ctx)).filter((f) => f.id === 'over-api')
    expect(shown).toMatchObject({
      vkey: alphaKey,
      vkeyPinnedBy: 'Test admin',
      vkeyPinnedAt: expect.any(String),
    })
  })

  it('follows a key change the given key vouched for', async () => {
    const { next } = await rotateNodeKey(alpha.t.node.services.ledger, join(alpha.t.dataDir, 'node.key'), {
      issuer: 'alpha-ops',
      reason: 'yearly change (fictional)',
      at: new Date(),
    })
    await put(alpha, [ind(3)])
    const pinned = (await bravo.ctx.state.feed('pinned'))!
    const state = await pollFeed(bravo.ctx, pinned)
    expect(state.ledger).toMatchObject({ status: 'consistent', vkey: next.vkey, formerKeys: [alphaKey] })
    // the given key stays what the feed was given; the state carries the key it followed to
    expect((await bravo.ctx.state.feed('pinned'))?.vkey).toBe(alphaKey)
    const listed = await listFeeds(bravo.ctx)
    expect(listed.find((f) => f.id === 'pinned')?.ledger).toMatchObject({
      vkey: next.vkey,
      keySource: 'followed',
      followedFrom: alphaKey,
    })
    // a feed that pinned on first contact says so
    const seen = await feed(bravo, alpha, key, { id: 'first-seen' })
    await pollFeed(bravo.ctx, seen)
    expect((await listFeeds(bravo.ctx)).find((f) => f.id === 'first-seen')?.ledger).toMatchObject({
      vkey: next.vkey,
      keySource: 'first seen',
    })
  })
})

let template: FeedDefinition | undefined
/** A feed from alpha with nothing given, for the others to copy. */
async function base(): Promise<FeedDefinition> {
  template ??= await feed(bravo, alpha, key, { id: 'template' })
  return template
}

/** The input that defines a copy of `f`. */
function asInput(f: FeedDefinition) {
  return {
    url: f.apiRoot,
    collection: f.collection,
    key: f.key,
    partner: f.partnerId,
    into: f.into,
    verify: f.verify,
  }
}
