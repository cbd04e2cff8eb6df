import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { federationContext } from '../../src/federation/context.js'
import { clearAlarm } from '../../src/federation/definitions.js'
import { pollFeed } from '../../src/federation/feed.js'
import type { FeedDefinition } from '../../src/federation/types.js'
import { parseCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.js'
import { parseNote } from '../../src/ledger/note.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { type FedNode, fedNode, feed, ind, put, share } from './helpers.js'

let alpha: FedNode
let bravo: FedNode
let fromAlpha: FeedDefinition

/** A fetch that rewrites the checkpoint the remote serves. */
function tampering(rewrite: (note: string) => string): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init)
    if (!String(input).includes('/ledger/checkpoint')) return res
    const body = (await res.json()) as { checkpoint: string }
    return new Response(JSON.stringify({ ...body, checkpoint: rewrite(body.checkpoint) }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
}

beforeAll(async () => {
  ;[alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
  fromAlpha = await feed(bravo, alpha, await share(alpha, bravo))
})
afterAll(async () => Promise.all([alpha, bravo].map((n) => n.t.stop())))

describe("checking the remote node's ledger", () => {
  it('pins the key, follows the log of what was disclosed to us, and checks each extension', async () => {
    await put(alpha, [ind(1), ind(2)])
    const first = await pollFeed(bravo.ctx, fromAlpha)
    // the agreement and the two disclosures
    expect(first.ledger).toMatchObject({
      status: 'consistent',
      size: 3,
      log: 'partner:bravo',
      logOrigin: 'alpha.sluice.test/partner/bravo',
    })
    await put(alpha, [ind(3)])
    const second = await pollFeed(bravo.ctx, fromAlpha)
    expect(second.ledger).toMatchObject({ status: 'consistent', size: 4 })
  })

  it('raises an alarm, with the evidence, when the remote rewrites history', async () => {
    const key = alpha.t.node.services.ledger.key
    const rewritten = tampering((note) => {
      const cp = parseCheckpoint(parseNote(note).text)
      return signCheckpoint({ ...cp, rootHash: new Uint8Array(32).fill(7) }, key)
    })
    const state = await pollFeed(federationContext(bravo.t.node.services, { fetch: rewritten }), fromAlpha)
    expect(state.health.status).toBe('alarm')
    expect(state.ledger.status).toBe('alarm')
    expect(state.ledger.alarm?.reason).toMatch(/rewritten/)
    expect(state.ledger.size).toBe(4)
    // sticky: an honest answer afterwards does not clear it
    const later = await pollFeed(bravo.ctx, fromAlpha)
    expect(later.health.status).toBe('alarm')
    await clearAlarm(bravo.ctx, fromAlpha.id)
    expect((await pollFeed(bravo.ctx, fromAlpha)).ledger.status).toBe('consistent')
  })

  it('raises an alarm when the log shrinks or a checkpoint is signed by another key', async () => {
    const key = alpha.t.node.services.ledger.key
    const shrunk = tampering((note) => {
      const cp = parseCheckpoint(parseNote(note).text)
      return signCheckpoint({ ...cp, size: 1 }, key)
    })
    const a = await pollFeed(federationContext(bravo.t.node.services, { fetch: shrunk }), fromAlpha)
    expect(a.ledger.alarm?.reason).toMatch(/shrank/)
    await clearAlarm(bravo.ctx, fromAlpha.id)
    await pollFeed(bravo.ctx, fromAlpha)
    const other = generateNodeKey('alpha.sluice.test')
    const foreign = tampering((note) => signCheckpoint(parseCheckpoint(parseNote(note).text), other))
    const b = await pollFeed(federationContext(bravo.t.node.services, { fetch: foreign }), fromAlpha)
    expect(b.ledger.alarm?.reason).toMatch(/does not verify/)
  })
})
