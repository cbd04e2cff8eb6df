import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { federationContext } from '../../src/federation/context.js'
import { clearAlarm } from '../../src/federation/definitions.js'
import { pollFeed } from '../../src/federation/feed.js'
import type { FeedDefinition } from '../../src/federation/types.js'
import { parseCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.js'
import { parseNote } from '../../src/ledger/note.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { rotateNodeKey } from '../../src/server/node-key.js'
import { type FedNode, fedNode, feed, ind, put, share } from './helpers.js'

let alpha: FedNode
let bravo: FedNode
let fromAlpha: FeedDefinition

/** A fetch that rewrites the JSON the remote answers at `path`. */
function rewriting(path: string, rewrite: (body: any) => unknown): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init)
    if (!new URL(String(input)).pathname.endsWith(path)) return res
    return new Response(JSON.stringify(rewrite(await res.json())), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
}

/** A fetch that rewrites the checkpoint the remote serves. */
const tampering = (rewrite: (note: string) => string): typeof fetch =>
  rewriting('/ledger/checkpoint', (body) => ({ ...body, checkpoint: rewrite(body.checkpoint) }))

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

describe('a remote node that changed its key', () => {
  it('is followed from the pinned key, only along a change that key vouched for', async () => {
    await clearAlarm(bravo.ctx, fromAlpha.id)
    const pinned = (await pollFeed(bravo.ctx, fromAlpha)).ledger
    const old = alpha.t.node.services.ledger.key.vkey
    expect(pinned).toMatchObject({ status: 'consistent', vkey: old })
    // a second feed pinned to the same key, to be offered a forged handover
    const second = await feed(bravo, alpha, fromAlpha.key, { id: 'from-alpha-again' })
    const third = await feed(bravo, alpha, fromAlpha.key, { id: 'from-alpha-third' })
    for (const f of [second, third])
      expect((await pollFeed(bravo.ctx, f)).ledger).toMatchObject({ status: 'consistent', vkey: old })

    const { previous, next } = await rotateNodeKey(
      alpha.t.node.services.ledger,
      join(alpha.t.dataDir, 'node.key'),
      {
        issuer: 'alpha-ops',
        reason: 'key copied to an unmanaged host (fictional)',
        at: new Date(),
      },
    )
    await put(alpha, [ind(5)])

    const followed = (await pollFeed(bravo.ctx, fromAlpha)).ledger
    expect(followed).toMatchObject({ status: 'consistent', vkey: next.vkey, formerKeys: [old] })
    expect(followed.size).toBeGreaterThan(pinned.size!)
    // and the log goes on being checked under the new key
    await put(alpha, [ind(6)])
    const later = (await pollFeed(bravo.ctx, fromAlpha)).ledger
    expect(later).toMatchObject({ status: 'consistent', vkey: next.vkey })
    expect(later.size).toBeGreaterThan(followed.size!)

    // the change signed by the next key alone: anyone holding any key could offer that
    const unvouched = rewriting('/ledger/key', (body) => ({
      ...body,
      changes: body.changes.map((c: { checkpoint: string }) => ({
        ...c,
        checkpoint: signCheckpoint(parseCheckpoint(parseNote(c.checkpoint).text), next),
      })),
    }))
    const refused = (await pollFeed(federationContext(bravo.t.node.services, { fetch: unvouched }), second))
      .ledger
    expect(refused.status).toBe('alarm')
    expect(refused.alarm?.reason).toMatch(/^key change does not verify: .*not signed by the previous key/)
    expect(refused.vkey).toBe(old)

    // signed by both keys, but a checkpoint of another log than the node's global one
    const elsewhere = rewriting('/ledger/key', (body) => ({
      ...body,
      changes: body.changes.map((c: { checkpoint: string }) => {
        const cp = parseCheckpoint(parseNote(c.checkpoint).text)
        return { ...c, checkpoint: signCheckpoint({ ...cp, origin: `${cp.origin}-copy` }, [previous, next]) }
      }),
    }))
    const misplaced = (await pollFeed(federationContext(bravo.t.node.services, { fetch: elsewhere }), third))
      .ledger
    expect(misplaced.alarm?.reason).toMatch(
      /^key change does not verify: .*origin alpha\.sluice\.test\/global-copy/,
    )
    expect(misplaced.vkey).toBe(old)
  })
})
