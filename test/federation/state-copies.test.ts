import { describe, expect, it } from 'vitest'
import { partnerOnwardFacts } from '../../src/federation/onward-facts.js'
import { FederationState } from '../../src/federation/state.js'
import type { WithdrawalRecord } from '../../src/federation/types.js'
import { STORES } from '../helpers/stores.js'
import { twoConnections } from '../helpers/two-connections.js'

const SNAPSHOT = { partners: new Map(), markings: new Map() } as never

const withdrawal = (n: number, extra: Partial<WithdrawalRecord> = {}): WithdrawalRecord => ({
  id: `withdrawal--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  objectId: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  partnerId: 'isles',
  kind: 'withdrawn',
  reason: 'source retracted (fictional)',
  createdAt: '2026-03-01T00:00:00.000Z',
  createdBy: 'test',
  ...extra,
})

const withdrawnFrom = async (state: FederationState, partnerId: string) =>
  [...(await partnerOnwardFacts(state, SNAPSHOT, partnerId)).withdrawn].sort()

describe.each(STORES)('withdrawals read through the process copy, $name', (factory) => {
  const db = twoConnections(factory)

  it('sees at once a withdrawal or an acknowledgement written through another connection', async () => {
    const reader = new FederationState(db.server)
    const writer = new FederationState(db.cli)
    await writer.putWithdrawal(withdrawal(1))
    expect(await withdrawnFrom(reader, 'isles')).toEqual([withdrawal(1).objectId])
    await writer.putWithdrawal(withdrawal(2))
    expect(await withdrawnFrom(reader, 'isles')).toEqual([withdrawal(1).objectId, withdrawal(2).objectId])
    expect((await reader.withdrawals('isles')).map((w) => w.acknowledgement)).toEqual([undefined, undefined])
    const acknowledgement = { receivedAt: '2026-03-02T00:00:00.000Z', note: 'n', signer: 's', appliedAt: 'a' }
    await writer.putWithdrawal({ ...withdrawal(1), acknowledgement })
    expect((await reader.withdrawals('isles'))[0]!.acknowledgement).toEqual(acknowledgement)
    await writer.putApplied({
      objectId: 'indicator--00000000-0000-4000-8000-000000000009',
      kind: 'revoked',
      partnerId: 'alpha',
      feedId: 'from-alpha',
      appliedAt: '2026-03-03T00:00:00.000Z',
      reason: 'revoked by its creator',
    })
    expect((await partnerOnwardFacts(reader, SNAPSHOT, 'isles')).applied.size).toBe(1)
  })

  it('shares one frozen copy between readers until something changes', async () => {
    const state = new FederationState(db.server)
    await state.putWithdrawal(withdrawal(1))
    const first = await state.withdrawals('isles')
    expect(await new FederationState(db.server).withdrawals('isles')).toBe(first)
    expect(() => {
      ;(first[0] as { reason: string }).reason = 'changed in place'
    }).toThrow(TypeError)
    await state.putWithdrawal(withdrawal(2))
    expect(await state.withdrawals('isles')).not.toBe(first)
  })

  it("keeps one partner's copy when another partner's withdrawals change, not the whole list's", async () => {
    const state = new FederationState(db.server)
    await state.putWithdrawal(withdrawal(1))
    const isles = await state.withdrawals('isles')
    const all = await state.withdrawals()
    const applied = await state.applied()
    await new FederationState(db.cli).putWithdrawal(withdrawal(2, { partnerId: 'southern' }))
    expect(await state.withdrawals('isles')).toBe(isles)
    expect(await state.applied()).toBe(applied)
    expect((await state.withdrawals()).map((w) => w.partnerId)).toEqual(['isles', 'southern'])
    expect(await state.withdrawals()).not.toBe(all)
    expect((await state.withdrawals('southern')).map((w) => w.id)).toEqual([withdrawal(2).id])
  })

  it('finds a withdrawal stored before the index, and indexes those after it', async () => {
    // as an earlier version wrote it: the document alone, no index entry, no token
    const old = withdrawal(1)
    await db.cli.putState(`federation/withdrawal/isles/${old.id}`, JSON.stringify(old))
    const state = new FederationState(db.server)
    expect(await state.hasWithdrawal(old)).toBe(true)
    expect(await state.hasWithdrawal({ ...old, kind: 'revoked' })).toBe(false)
    expect(await state.hasWithdrawal({ ...old, partnerId: 'southern' })).toBe(false)
    await new FederationState(db.cli).putWithdrawal(withdrawal(2, { kind: 'revoked' }))
    expect(await state.hasWithdrawal(withdrawal(2, { kind: 'revoked' }))).toBe(true)
    // the index is not listed as withdrawals
    expect((await state.withdrawals()).map((w) => w.id)).toEqual([old.id, withdrawal(2).id])
  })
})
