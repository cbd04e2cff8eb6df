import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPage } from '../../src/disclosure/read-page.js'
import { pollFeed } from '../../src/federation/feed.js'
import { runPush } from '../../src/federation/push.js'
import type { PushDefinition } from '../../src/federation/types.js'
import { decodeEntry } from '../../src/ledger/entry.js'
import { partnerLogId } from '../../src/ledger/log-id.js'
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { type FedNode, fedNode, feed, ind, push, put, share, versions } from './helpers.js'

// alpha -> bravo (feed); bravo -> charlie and bravo -> alpha (pushes)
let alpha: FedNode
let bravo: FedNode
let charlie: FedNode
let toCharlie: PushDefinition
let toAlpha: PushDefinition

const ids = (list: string[]) => [...new Set(list.map((v) => v.split('|')[0]))].sort()

beforeAll(async () => {
  ;[alpha, bravo, charlie] = await Promise.all([fedNode('alpha'), fedNode('bravo'), fedNode('charlie')])
  const fromAlpha = await feed(bravo, alpha, await share(alpha, bravo))
  await share(bravo, charlie)
  await share(bravo, alpha)
  toCharlie = await push(bravo, charlie, await share(charlie, bravo))
  toAlpha = await push(bravo, alpha, await share(alpha, bravo))
  await put(alpha, [ind(1, 'green'), ind(2, 'amber'), ind(3, 'red')])
  await pollFeed(bravo.ctx, fromAlpha)
  await put(bravo, [ind(10, 'amber')])
})
afterAll(async () => Promise.all([alpha, bravo, charlie].map((n) => n.t.stop())))

describe('pushes', () => {
  it('sends what policy and the onward rules allow, and records it in the ledger first', async () => {
    const state = await runPush(bravo.ctx, toCharlie)
    expect(state.health).toMatchObject({ status: 'ok', consecutiveFailures: 0 })
    // received GREEN may be passed on; received AMBER/RED may not; bravo's own AMBER may (agreement allows red)
    expect(ids(await versions(charlie))).toEqual([ind(1).id, ind(10).id].sort())
    expect(state.health.counts).toMatchObject({ sent: 2, withheld: 2 })
    const leaves = await bravo.store.ledgerLeaves(partnerLogId('charlie'), 0, 100)
    const disclosed = leaves.map((l) => decodeEntry(l.bytes)).filter((e) => e.kind === 'disclosure')
    expect(disclosed.map((e) => (e as { objectId: string }).objectId).sort()).toEqual(
      [ind(1).id, ind(10).id].sort(),
    )
  })

  it('never sends objects back to the partner they came from', async () => {
    const state = await runPush(bravo.ctx, toAlpha)
    expect(state.health.counts.sent).toBe(1)
    // alpha records that ind(10) arrived by push from bravo; nothing of its own came back
    const provenance = await alpha.store.provenance([ind(10).id])
    expect(provenance.map((p) => p.feedId)).toEqual(['push'])
    expect(await alpha.store.provenance([ind(1).id, ind(2).id, ind(3).id])).toEqual([])
    expect(ids(await versions(alpha))).toEqual([ind(1).id, ind(2).id, ind(3).id, ind(10).id].sort())
  })

  it('re-checks queued versions at send time: a suspension stops the next cycle, lifting it delivers', async () => {
    await put(bravo, [ind(11, 'green'), ind(12, 'green')])
    const order = await bravo.t.node.services.policy.suspend({
      partner: 'charlie',
      reason: 'judicial review (fictional)',
      issuer: 'test',
    })
    const held = await runPush(bravo.ctx, toCharlie)
    expect(held.held.map((h) => h.id).sort()).toEqual([ind(11).id, ind(12).id].sort())
    expect(ids(await versions(charlie))).not.toContain(ind(11).id)
    // the other partner is not affected
    await runPush(bravo.ctx, toAlpha)
    expect(ids(await versions(alpha))).toContain(ind(11).id)
    await bravo.t.node.services.policy.resume({ order: order.id, reason: 'review closed', issuer: 'test' })
    const after = await runPush(bravo.ctx, toCharlie)
    expect(after.held).toEqual([])
    expect(ids(await versions(charlie))).toEqual(expect.arrayContaining([ind(11).id, ind(12).id]))
  })

  it('keeps its place and retries with backoff when the partner is unreachable', async () => {
    await put(bravo, [ind(13, 'green')])
    const before = (await bravo.ctx.state.pushState(toCharlie.id))!.afterSeq
    const down = { ...toCharlie, apiRoot: 'http://127.0.0.1:9/intel/' }
    const failed = await runPush(bravo.ctx, down)
    expect(failed.health.status).toBe('failing')
    expect(failed.afterSeq).toBe(before)
    const ok = await runPush(bravo.ctx, toCharlie)
    expect(ok.health.consecutiveFailures).toBe(0)
    expect(ids(await versions(charlie))).toContain(ind(13).id)
  })
})

describe('the onward rules on every read path', () => {
  it('withhold received objects marked against onward sharing from a TAXII-style read too', async () => {
    const session = await bravo.ctx.gate.open(
      { principalId: 'reader', role: 'partner', partnerId: 'charlie', requestId: 'r1' },
      new Date().toISOString(),
    )
    const page = await readPage(bravo.store, session, { collectionId: bravo.collectionId, limit: 100 })
    const seen = page.served.map((s) => s.stored.id)
    expect(seen).toContain(ind(1).id)
    expect(seen).not.toContain(ind(2).id)
    expect(seen).not.toContain(ind(3).id)
    const back = await bravo.ctx.gate.open(
      { principalId: 'reader', role: 'partner', partnerId: 'alpha', requestId: 'r2' },
      new Date().toISOString(),
    )
    const toOrigin = await readPage(bravo.store, back, { collectionId: bravo.collectionId, limit: 100 })
    expect(toOrigin.served.map((s) => s.stored.id)).not.toContain(ind(1).id)
  })

  /**
   * Two versions put on bravo, one created by charlie and one only mentioning charlie's identity in a nested
   * copy; `before` runs between the put and the read; the page read as charlie, with the created_by fact
   * its gate gave the mention.
   */
  async function readByCharlie(n: number, before: (ids: string[]) => void = () => {}) {
    const charlieIdentity = (await bravo.t.node.services.policy.history()).partners.find(
      (p) => p.id === 'charlie',
    )?.identity_id
    expect(charlieIdentity).toMatch(/^identity--/)
    const byCharlie = ind(n, 'green', { created_by_ref: charlieIdentity })
    // the same text nested, which is not the object's creator
    const mentionsCharlie = ind(n + 1, 'green', { x_fictional_copy: { created_by_ref: charlieIdentity } })
    await put(bravo, [byCharlie, mentionsCharlie])
    before([byCharlie.id, mentionsCharlie.id])
    const session = await bravo.ctx.gate.open(
      { principalId: 'reader', role: 'partner', partnerId: 'charlie', requestId: `r${n}` },
      new Date().toISOString(),
    )
    const page = await readPage(bravo.store, session, { collectionId: bravo.collectionId, limit: 100 })
    const seen = page.served.map((s) => s.stored.id)
    expect(seen).not.toContain(byCharlie.id)
    expect(seen).toContain(mentionsCharlie.id)
    return page.served.find((s) => s.stored.id === mentionsCharlie.id)?.stored.gate?.createdBy
  }

  it('withhold from a partner what names it as creator, and only that', async () => {
    expect(await readByCharlie(30)).toBe('')
  })

  it.runIf(process.env.SLUICE_TEST_NODE_STORE !== 'postgres')(
    'withhold it too when the version was stored before its creator was recorded (the text is searched)',
    async () => {
      const createdBy = await readByCharlie(32, (ids) => {
        // as a version stored by an earlier release: no created_by recorded
        ;(bravo.store as SqliteStore).db
          .prepare('UPDATE objects SET created_by = NULL WHERE id IN (?, ?)')
          .run(...ids)
      })
      expect(createdBy).toBeNull()
    },
  )
})
