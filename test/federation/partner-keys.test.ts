/**
 * The key a partner node's withdrawal acknowledgements are checked with can be pinned out of band, before
 * the first acknowledgement would otherwise pin its own.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearAlarm } from '../../src/federation/definitions.js'
import { pollFeed } from '../../src/federation/feed.js'
import { partnerKeyPins, pinPartnerKey } from '../../src/federation/partner-keys.js'
import type { FeedDefinition } from '../../src/federation/types.js'
import { pendingWithdrawals } from '../../src/federation/withdrawals.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { type FedNode, fedNode, feed, ind, put, share, withdrawFrom } from './helpers.js'

let alpha: FedNode
let bravo: FedNode
let charlie: FedNode
let fromAlpha: FeedDefinition
let charlieFromAlpha: FeedDefinition
let bravoKey: string
let charlieKey: string

beforeAll(async () => {
  ;[alpha, bravo, charlie] = await Promise.all([fedNode('alpha'), fedNode('bravo'), fedNode('charlie')])
  fromAlpha = await feed(bravo, alpha, await share(alpha, bravo))
  charlieFromAlpha = await feed(charlie, alpha, await share(alpha, charlie))
  bravoKey = (await bravo.t.node.services.ledger.signingKey()).vkey
  charlieKey = (await charlie.t.node.services.ledger.signingKey()).vkey
  await put(alpha, [ind(30), ind(31), ind(32)])
  await Promise.all([pollFeed(bravo.ctx, fromAlpha), pollFeed(charlie.ctx, charlieFromAlpha)])
})
afterAll(async () => Promise.all([alpha, bravo, charlie].map((n) => n.t.stop())))

const withdraw = (n: number) => withdrawFrom(alpha, bravo, n)

const admin = (method: 'GET' | 'POST', path: string, body?: unknown) =>
  fetch(`${alpha.t.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${alpha.t.adminKey}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })

describe('a pinned partner node key', () => {
  it('refuses acknowledgements signed by another key, until the right one is pinned', async () => {
    const impostor = generateNodeKey('bravo.sluice.test').vkey
    expect(await pinPartnerKey(alpha.ctx, 'bravo', impostor, 'officer-7')).toMatchObject({
      pinned: { partner: 'bravo', vkey: impostor, pinnedBy: 'officer-7' },
    })
    const [w] = await withdraw(30)
    await pollFeed(bravo.ctx, fromAlpha)
    expect((await pendingWithdrawals(alpha.ctx, 'bravo')).map((p) => p.id)).toEqual([w!.id])
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(impostor)

    // the key its operators confirmed replaces the wrong one, and the next acknowledgement is accepted
    expect(await pinPartnerKey(alpha.ctx, 'bravo', bravoKey, 'officer-7')).toMatchObject({
      previous: impostor,
    })
    await pollFeed(bravo.ctx, fromAlpha)
    expect(await pendingWithdrawals(alpha.ctx, 'bravo')).toEqual([])
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(bravoKey)
  })

  it('refuses a key that cannot verify a node, and a partner the policy does not know', async () => {
    await expect(pinPartnerKey(alpha.ctx, 'bravo', 'bravo+00000000+AAAA', 'officer-7')).rejects.toThrow(
      /^vkey is not the partner node's verifier key/,
    )
    await expect(pinPartnerKey(alpha.ctx, 'nobody', bravoKey, 'officer-7')).rejects.toThrow(
      /no partner "nobody"/,
    )
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(bravoKey)
  })

  it('is pinned and listed over the API, with 400s naming what is wrong', async () => {
    const listed = (await (await admin('GET', '/federation/partner-keys')).json()) as unknown[]
    expect(listed).toEqual([
      { partner: 'bravo', vkey: bravoKey, pinnedAt: expect.any(String), pinnedBy: 'officer-7' },
    ])
    const bad = await admin('POST', '/federation/partner-keys', { partner: 'bravo', vkey: 'x' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { description: string }).description).toMatch(/^vkey is not/)
    expect((await admin('POST', '/federation/partner-keys', { partner: 'bravo' })).status).toBe(400)
    expect(
      (await admin('POST', '/federation/partner-keys', { partner: 'bravo', vkey: bravoKey, by: 'x' })).status,
    ).toBe(400)
    const unknown = await admin('POST', '/federation/partner-keys', { partner: 'nobody', vkey: bravoKey })
    // a partner named in a body that does not exist is a 400, as on the admin API
    expect(unknown.status).toBe(400)
    expect(((await unknown.json()) as { description: string }).description).toMatch(/no partner "nobody"/)
    const again = await admin('POST', '/federation/partner-keys', { partner: 'bravo', vkey: bravoKey })
    expect(again.status).toBe(201)
    // recorded as pinned by the principal that asked
    expect(await again.json()).toMatchObject({
      partner: 'bravo',
      vkey: bravoKey,
      previous: bravoKey,
      pinnedBy: 'Test admin',
    })
    const asPartner = await fetch(`${alpha.t.url}/federation/partner-keys`, {
      headers: { Authorization: `Bearer ${fromAlpha.key}` },
    })
    expect(asPartner.status).toBe(403)
  })
})

describe("a partner's key given to a feed from it", () => {
  const lastError = async () => (await charlie.ctx.state.feedState(charlieFromAlpha.id)).health.lastError
  const withdrawFromCharlie = (n: number) => withdrawFrom(alpha, charlie, n)

  it('checks the first acknowledgement instead of trusting it, and is pinned by it once it matches', async () => {
    // alpha also pulls from charlie, and was given a key for charlie's node: here a wrong one
    const impostor = generateNodeKey('charlie.sluice.test').vkey
    const fromCharlie = await feed(alpha, charlie, await share(charlie, alpha), { vkey: impostor })
    expect((await partnerKeyPins(alpha.ctx)).find((k) => k.partner === 'charlie')).toEqual({
      partner: 'charlie',
      vkey: impostor,
      pinnedAt: expect.any(String),
      pinnedBy: 'test',
      fromFeed: fromCharlie.id,
      pending: true,
    })
    const [w] = await withdrawFromCharlie(30)
    await pollFeed(charlie.ctx, charlieFromAlpha)
    expect((await pendingWithdrawals(alpha.ctx, 'charlie')).map((p) => p.id)).toEqual([w!.id])
    expect((await lastError())?.message).toMatch(
      `the one given for this partner's feed ${fromCharlie.id}, and no key change from the feed's key leads to it`,
    )
    expect(await alpha.ctx.state.partnerKey('charlie')).toBeUndefined()

    // the feed's key, once confirmed, checks the acknowledgement, which then pins it
    await clearAlarm(alpha.ctx, fromCharlie.id, { vkey: charlieKey, by: 'duty officer' })
    await pollFeed(charlie.ctx, charlieFromAlpha)
    expect(await pendingWithdrawals(alpha.ctx, 'charlie')).toEqual([])
    expect(await alpha.ctx.state.partnerKey('charlie')).toEqual({
      vkey: charlieKey,
      pinnedAt: expect.any(String),
      fromFeed: fromCharlie.id,
    })
    // from now on the pin decides, as for any pinned key: a feed's later key does not move it
    await clearAlarm(alpha.ctx, fromCharlie.id, { vkey: impostor, by: 'duty officer' })
    await withdrawFromCharlie(31)
    await pollFeed(charlie.ctx, charlieFromAlpha)
    expect(await pendingWithdrawals(alpha.ctx, 'charlie')).toEqual([])
    expect((await partnerKeyPins(alpha.ctx)).find((k) => k.partner === 'charlie')).toMatchObject({
      vkey: charlieKey,
      fromFeed: fromCharlie.id,
    })
  })
})
