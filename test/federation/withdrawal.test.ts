import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPage } from '../../src/disclosure/read-page.js'
import { ackText } from '../../src/federation/acknowledgement.js'
import { pollFeed } from '../../src/federation/feed.js'
import { scanRevocations } from '../../src/federation/revocations.js'
import type { FeedDefinition } from '../../src/federation/types.js'
import {
  acceptAcknowledgement,
  issueWithdrawals,
  pendingWithdrawals,
  revokeObject,
} from '../../src/federation/withdrawals.js'
import { parseCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.js'
import { decodeEntry } from '../../src/ledger/entry.js'
import { GLOBAL_LOG } from '../../src/ledger/log-id.js'
import { parseNote, signNote } from '../../src/ledger/note.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { rotateNodeKey } from '../../src/server/node-key.js'
import { type FedNode, fedNode, feed, ind, put, share, withdrawFrom } from './helpers.js'

let alpha: FedNode
let bravo: FedNode
let fromAlpha: FeedDefinition

async function servedTo(node: FedNode, partnerId: string): Promise<string[]> {
  const session = await node.ctx.gate.open(
    { principalId: 'reader', role: 'partner', partnerId, requestId: 'r' },
    new Date().toISOString(),
  )
  const page = await readPage(node.store, session, {
    collectionId: node.collectionId,
    versions: [{ kind: 'all' }],
    limit: 1000,
  })
  return page.served.map((s) => `${s.stored.id}|${JSON.parse(s.json).revoked === true ? 'revoked' : 'live'}`)
}

beforeAll(async () => {
  ;[alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
  fromAlpha = await feed(bravo, alpha, await share(alpha, bravo))
  await share(bravo, alpha) // so bravo's policy knows alpha
  await bravo.t.node.services.policy.addPartner(
    { id: 'delta', name: 'Delta customs (fictional)', kind: 'customs' },
    'test',
  )
  await bravo.t.node.services.policy.putAgreement(
    { partner: 'delta', collections: [bravo.collectionId], maxTlp: 'green' },
    'test',
  )
  await put(alpha, [ind(20), ind(21), ind(22), ind(23)])
  await pollFeed(bravo.ctx, fromAlpha)
})
afterAll(async () => Promise.all([alpha, bravo].map((n) => n.t.stop())))

describe('revocation', () => {
  it('reaches the receiver on its next poll, stops the object there, and comes back acknowledged', async () => {
    expect(await servedTo(bravo, 'delta')).toContain(`${ind(20).id}|live`)
    const opened = await revokeObject(alpha.ctx, ind(20).id, 'source retracted (fictional)', 'officer-7')
    expect(opened.withdrawals.map((w) => w.partnerId)).toEqual(['bravo'])
    const [latest] = await alpha.store.latestVersions([ind(20).id])
    expect(opened.version).toBe(latest?.version)
    expect((await pendingWithdrawals(alpha.ctx)).map((w) => w.objectId)).toEqual([ind(20).id])

    const state = await pollFeed(bravo.ctx, fromAlpha)
    expect(state.health.counts).toMatchObject({ 'revocations-applied': 1, 'withdrawals-acknowledged': 1 })
    // history is kept, but only the revocation flows on
    const served = await servedTo(bravo, 'delta')
    expect(served).toContain(`${ind(20).id}|revoked`)
    expect(served).not.toContain(`${ind(20).id}|live`)
    expect(
      (
        await bravo.store.queryObjects({
          collectionId: bravo.collectionId,
          ids: [ind(20).id],
          versions: [{ kind: 'all' }],
          limit: 10,
        })
      ).items,
    ).toHaveLength(2)

    expect(await pendingWithdrawals(alpha.ctx)).toEqual([])
    const [record] = await alpha.ctx.state.withdrawals('bravo')
    expect(record!.acknowledgement).toMatchObject({ signer: 'bravo.sluice.test' })
    const entries = (await alpha.store.ledgerLeaves(GLOBAL_LOG, 0, 1000)).map((l) => decodeEntry(l.bytes))
    expect(entries.filter((e) => e.kind === 'withdrawal').map((e) => (e as { event: string }).event)).toEqual(
      expect.arrayContaining(['issued', 'acknowledged']),
    )
  })

  it('opens withdrawals for revocations however they arrived (here: a plain ingest)', async () => {
    await put(alpha, [ind(21, 'green', { revoked: true, modified: '2026-02-01T00:00:00.000Z' })])
    expect(await scanRevocations(alpha.ctx)).toBe(1)
    expect(await scanRevocations(alpha.ctx)).toBe(0)
    await pollFeed(bravo.ctx, fromAlpha)
    expect(await pendingWithdrawals(alpha.ctx)).toEqual([])
  })
})

describe('withdrawal from a partner', () => {
  it('stops the origin serving it, and the receiver passing it on, with a signed acknowledgement', async () => {
    await issueWithdrawals(alpha.ctx, {
      objectId: ind(22).id,
      partners: ['bravo'],
      kind: 'withdrawn',
      reason: 'court order (fictional)',
      by: 'officer-7',
    })
    expect(await servedTo(alpha, 'bravo')).not.toContain(`${ind(22).id}|live`)
    expect(await servedTo(alpha, 'bravo')).toContain(`${ind(23).id}|live`)
    await pollFeed(bravo.ctx, fromAlpha)
    expect(await bravo.ctx.state.appliedFor(ind(22).id)).toMatchObject({
      kind: 'withdrawn',
      partnerId: 'alpha',
    })
    expect(await servedTo(bravo, 'delta')).not.toContain(`${ind(22).id}|live`)
    expect(await pendingWithdrawals(alpha.ctx, 'bravo')).toEqual([])
  })

  it('accepts only acknowledgements signed by the pinned key and naming the right withdrawal', async () => {
    const [w] = await issueWithdrawals(alpha.ctx, {
      objectId: ind(23).id,
      partners: ['bravo'],
      kind: 'withdrawn',
      reason: 'test',
      by: 'officer-7',
    })
    const fields = {
      withdrawal: w!.id,
      object: ind(23).id,
      partner: 'bravo',
      origin: 'alpha.sluice.test',
      applied: new Date().toISOString(),
    }
    const impostor = generateNodeKey('bravo.sluice.test')
    const forged = signNote(ackText(fields), impostor)
    await expect(
      acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { note: forged, vkey: impostor.vkey }),
    ).rejects.toThrow(/key other than the one pinned/)
    await expect(
      acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { note: forged, vkey: undefined }),
    ).rejects.toThrow(/signature/)
    const bravoKey = bravo.t.node.services.ledger.key
    const wrongObject = signNote(ackText({ ...fields, object: ind(22).id }), bravoKey)
    await expect(
      acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { note: wrongObject, vkey: bravoKey.vkey }),
    ).rejects.toThrow(/object/)
    const good = signNote(ackText(fields), bravoKey)
    const acked = await acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { note: good, vkey: bravoKey.vkey })
    expect(acked.acknowledgement?.appliedAt).toBe(fields.applied)
    // the same note again is accepted once
    await expect(
      acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { note: good, vkey: bravoKey.vkey }),
    ).resolves.toMatchObject({ id: w!.id })
  })

  it('is listed, and acknowledged, over the API', async () => {
    const res = await fetch(`${alpha.t.url}/federation/withdrawals?pending=true`, {
      headers: { Authorization: `Bearer ${alpha.t.adminKey}` },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ origin: 'alpha.sluice.test', withdrawals: [] })
    const all = (await (
      await fetch(`${alpha.t.url}/federation/withdrawals`, {
        headers: { Authorization: `Bearer ${alpha.t.adminKey}` },
      })
    ).json()) as { withdrawals: { acknowledged_at?: string }[] }
    expect(all.withdrawals.length).toBe(4)
    expect(all.withdrawals.every((w) => w.acknowledged_at)).toBe(true)
  })
})

describe('a partner node that changed its key', () => {
  it('has its acknowledgement accepted along the change the pinned key vouched for, and the pin moved', async () => {
    const old = bravo.t.node.services.ledger.key.vkey
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(old)
    const { next } = await rotateNodeKey(bravo.t.node.services.ledger, join(bravo.t.dataDir, 'node.key'), {
      issuer: 'bravo-ops',
      reason: 'scheduled yearly change (fictional)',
      at: new Date(),
    })
    await put(alpha, [ind(24), ind(25)])
    await pollFeed(bravo.ctx, fromAlpha)
    const withdraw = (n: number) => withdrawFrom(alpha, bravo, n)

    await withdraw(24)
    const state = await pollFeed(bravo.ctx, fromAlpha)
    expect(state.health.recent).toEqual([])
    expect(await pendingWithdrawals(alpha.ctx, 'bravo')).toEqual([])
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(next.vkey)

    // an impostor offering bravo's real key changes: they lead to bravo's key, not to the impostor's
    const [w] = await withdraw(25)
    const impostor = generateNodeKey('bravo.sluice.test')
    const fields = {
      withdrawal: w!.id,
      object: ind(25).id,
      partner: 'bravo',
      origin: 'alpha.sluice.test',
      applied: new Date().toISOString(),
    }
    const keyAnswer = (await (
      await fetch(`${bravo.t.url}/ledger/key`, { headers: { Authorization: `Bearer ${bravo.t.adminKey}` } })
    ).json()) as { changes: unknown }
    await expect(
      acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, {
        note: signNote(ackText(fields), impostor),
        vkey: impostor.vkey,
        key_changes: keyAnswer.changes,
      }),
    ).rejects.toThrow(/no key change from the pinned key leads to it/)
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(next.vkey)
    expect((await pendingWithdrawals(alpha.ctx, 'bravo')).map((p) => p.id)).toEqual([w!.id])

    // a second change; its evidence re-signed by both keys under another log's origin is refused
    const second = await rotateNodeKey(bravo.t.node.services.ledger, join(bravo.t.dataDir, 'node.key'), {
      issuer: 'bravo-ops',
      reason: 'second change (fictional)',
      at: new Date(),
    })
    const changes = (
      (await (
        await fetch(`${bravo.t.url}/ledger/key`, { headers: { Authorization: `Bearer ${bravo.t.adminKey}` } })
      ).json()) as { changes: { checkpoint: string }[] }
    ).changes
    const last = changes.at(-1)!
    const body = parseCheckpoint(parseNote(last.checkpoint).text)
    const elsewhere = signCheckpoint({ ...body, origin: 'bravo.sluice.test/partner/alpha' }, [
      second.previous,
      second.next,
    ])
    const ack = { note: signNote(ackText(fields), second.next), vkey: second.next.vkey }
    await expect(
      acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, {
        ...ack,
        key_changes: [...changes.slice(0, -1), { ...last, checkpoint: elsewhere }],
      }),
    ).rejects.toThrow(/origin bravo\.sluice\.test\/partner\/alpha is not bravo\.sluice\.test\/global/)
    const accepted = await acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { ...ack, key_changes: changes })
    expect(accepted.acknowledgement?.appliedAt).toBe(fields.applied)
    expect((await alpha.ctx.state.partnerKey('bravo'))?.vkey).toBe(second.next.vkey)
  })
})

// last: the tests above count withdrawals and ledger entries
describe('withdrawals asked for together', () => {
  it('is opened once when the same withdrawal is asked for twice at the same moment', async () => {
    // as a revocation scan and an administrator's revoke can: both would pass "not withdrawn yet"
    await put(alpha, [ind(40)])
    const ask = () =>
      issueWithdrawals(alpha.ctx, {
        objectId: ind(40).id,
        partners: ['bravo'],
        kind: 'withdrawn',
        reason: 'source at risk (fictional)',
        by: 'officer-7',
      })
    const [first, second] = await Promise.all([ask(), ask()])
    expect(first.length + second.length).toBe(1)
    const opened = (await alpha.ctx.state.withdrawals('bravo')).filter((w) => w.objectId === ind(40).id)
    expect(opened).toHaveLength(1)
  })

  it('records an acknowledgement once when it arrives twice at the same moment', async () => {
    // a partner node retrying while its first try is still being checked
    await put(alpha, [ind(41)])
    const [w] = await issueWithdrawals(alpha.ctx, {
      objectId: ind(41).id,
      partners: ['bravo'],
      kind: 'withdrawn',
      reason: 'source at risk (fictional)',
      by: 'officer-7',
    })
    const key = await bravo.t.node.services.ledger.signingKey()
    const fields = {
      withdrawal: w!.id,
      object: ind(41).id,
      partner: 'bravo',
      origin: 'alpha.sluice.test',
      applied: new Date().toISOString(),
    }
    const note = signNote(ackText(fields), key)
    const both = await Promise.all(
      [1, 2].map(() => acceptAcknowledgement(alpha.ctx, 'bravo', w!.id, { note, vkey: key.vkey })),
    )
    expect(both.map((r) => r.acknowledgement?.note)).toEqual([note, note])
    const { size } = await alpha.store.ledgerHead(GLOBAL_LOG)
    const acknowledgements = (await alpha.store.ledgerLeaves(GLOBAL_LOG, 0, size))
      .map((leaf) => decodeEntry(leaf.bytes))
      .filter((e) => e.kind === 'withdrawal' && e.withdrawalId === w!.id && e.event === 'acknowledged')
    expect(acknowledgements).toHaveLength(1)
  })
})
