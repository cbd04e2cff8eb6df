import { describe, expect, it } from 'vitest'
import { FederationState } from '../../src/federation/state.js'
import type { WithdrawalRecord } from '../../src/federation/types.js'
import { GLOBAL_LOG } from '../../src/ledger/log-id.js'
import { toLedgerAppends } from '../../src/services/ledger-service.js'
import type { Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'
import { twoConnections } from '../helpers/two-connections.js'

const OBJECT = 'indicator--00000000-0000-4000-8000-000000000031'

const withdrawal = (n: number): WithdrawalRecord => ({
  id: `withdrawal--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  objectId: OBJECT,
  partnerId: 'isles',
  kind: 'withdrawn',
  reason: 'source at risk (fictional)',
  createdAt: '2026-03-01T00:00:00.000Z',
  createdBy: `officer-${n}`,
})

/** What issueWithdrawals writes for a record: its ledger entry and its documents, if none is open yet. */
function open(store: Store, state: FederationState, record: WithdrawalRecord) {
  const entries = toLedgerAppends([
    {
      kind: 'withdrawal',
      withdrawalId: record.id,
      event: 'issued',
      partnerId: record.partnerId,
      objectId: record.objectId,
      actor: record.createdBy,
      at: '2026-03-01T00:00:00.000000Z',
      evidenceSha256: 'b'.repeat(64),
    },
  ])
  return store.appendLedgerWithStates(
    entries,
    state.withdrawalDocuments(record),
    state.withdrawalUnopened(record),
  )
}

describe.each(STORES)('a withdrawal opened from two processes at once, $name', (factory) => {
  // the server's revocation scan and a CLI `withdraw`
  const db = twoConnections(factory)

  it('is opened once, with one ledger entry, though both found it not yet open', async () => {
    const states = [new FederationState(db.server), new FederationState(db.cli)]
    const records = [withdrawal(1), withdrawal(2)]
    const checks = await Promise.all(states.map((s, i) => s.hasWithdrawal(records[i]!)))
    expect(checks).toEqual([false, false])
    const outcomes = await Promise.all([
      open(db.server, states[0]!, records[0]!),
      open(db.cli, states[1]!, records[1]!),
    ])
    expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1)
    const winner = records[outcomes.findIndex((o) => o !== undefined)]!
    for (const state of states) {
      expect((await state.withdrawals('isles')).map((w) => w.id)).toEqual([winner.id])
      expect(await state.hasWithdrawal(records[0]!)).toBe(true)
    }
    expect((await db.server.ledgerHead(GLOBAL_LOG)).size).toBe(1)
  })

  it('is acknowledged once when two connections record the same change', async () => {
    const states = [new FederationState(db.server), new FederationState(db.cli)]
    const record = withdrawal(3)
    expect(await open(db.server, states[0]!, record)).toBeDefined()
    const read = await Promise.all(states.map((s) => s.storedWithdrawal('isles', record.id)))
    const acknowledge = (store: Store, i: number) => {
      const acked = {
        ...record,
        acknowledgement: {
          receivedAt: '2026-03-02T00:00:00.000Z',
          note: `note ${i}`,
          signer: 's',
          appliedAt: 'a',
        },
      }
      return store.appendLedgerWithStates(
        [],
        states[i]!.withdrawalDocuments(acked),
        states[i]!.withdrawalUnchanged(record, read[i]!.text),
      )
    }
    const outcomes = await Promise.all([acknowledge(db.server, 0), acknowledge(db.cli, 1)])
    expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1)
    const kept = await states[0]!.withdrawal('isles', record.id)
    expect(kept?.acknowledgement?.note).toBe(`note ${outcomes.findIndex((o) => o !== undefined)}`)
  })
})
