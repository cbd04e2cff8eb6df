import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DisclosureEntry, Entry, OrderEntry } from '../../src/ledger/entry.js'
import { leafHash } from '../../src/ledger/hash.js'
import { LogDigest, RootRebuild, suspensionRows } from '../../src/ledger/log-audit.js'
import { referenceRoot } from '../../src/ledger/reference.js'

const t = (hhmm: string) => `2026-03-02T${hhmm}:00.000000Z`
/** When the audits below run: after every time in their logs. */
const NOW = '2026-03-03T00:00:00.000Z'

function suspension(id: string, from: string, whole = true, recordedAt = from): OrderEntry {
  return {
    kind: 'order',
    orderId: id,
    orderKind: 'suspension',
    partnerId: 'isles',
    scope: { whole_partner: whole, scope_sha256: 'ab'.repeat(32) },
    issuer: 'duty officer',
    reason: `sha256:${'cd'.repeat(32)}`,
    reference: null,
    effectiveFrom: from,
    recordedAt,
  }
}

function resumption(id: string, lifts: string, from: string, recordedAt = from): OrderEntry {
  return { ...suspension(id, from, true, recordedAt), orderKind: 'resumption', scope: { lifts } }
}

function disclosure(
  at: string,
  objectId = 'indicator--0b7a3c1e-6a41-4f0c-9a5e-2f1d9c3b8e70',
): DisclosureEntry {
  return {
    kind: 'disclosure',
    partnerId: 'isles',
    collectionId: 'routes',
    objectId,
    objectModified: at,
    contentSha256: '00'.repeat(32),
    disclosedAt: at,
    agreementId: 'agreement--isles',
    requestId: 'req-1',
  }
}

const indexed = (entries: Entry[]) => LogDigest.of(entries.map((entry, index) => ({ index, entry })))

describe('suspensionRows', () => {
  it('proves a whole-partner order nothing was disclosed under, with its times and the resumed flow', () => {
    const rows = suspensionRows(
      indexed([
        disclosure(t('09:00')),
        suspension('order-1', t('10:00')),
        resumption('order-2', 'order-1', t('12:00')),
        disclosure(t('12:00')),
      ]),
      NOW,
    )
    expect(rows).toEqual([
      {
        item: 'suspension of all sharing order-1 (leaf 1)',
        status: 'proven',
        reason: `in force from ${t('10:00')} to ${t('12:00')}, lifted by order-2; the log records nothing disclosed to you in that time; disclosure resumed at ${t('12:00')} (leaf 3)`,
      },
    ])
  })

  it('fails a whole-partner order under which the log records a disclosure', () => {
    const [row] = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        disclosure(t('11:00')),
        resumption('order-2', 'order-1', t('12:00')),
      ]),
      NOW,
    )
    expect(row).toMatchObject({ status: 'failed' })
    expect(row!.reason).toContain(
      `yet 1 disclosure recorded in that time, the first at ${t('11:00')} (leaf 1,`,
    )
  })

  it('counts what a narrowed order saw go out and proves nothing of it, since its scope is only committed to', () => {
    const [row] = suspensionRows(
      indexed([suspension('order-1', t('10:00'), false), disclosure(t('11:00'))]),
      NOW,
    )
    expect(row).toMatchObject({ item: 'narrowed suspension order-1 (leaf 0)', status: 'unproven' })
    expect(row!.reason).toMatch(
      /^in force from .* and not lifted in this log; 1 disclosure recorded in that time/,
    )
  })

  it('reads a backdated order as in force from when it was recorded, and a cancelled one as never in force', () => {
    const [backdated, cancelled] = suspensionRows(
      indexed([
        disclosure(t('10:30')),
        suspension('order-1', t('10:00'), true, t('11:00')),
        suspension('order-3', t('15:00'), true, t('13:00')),
        resumption('order-4', 'order-3', t('14:00')),
      ]),
      NOW,
    )
    expect(backdated).toMatchObject({ status: 'proven' })
    expect(backdated!.reason).toMatch(
      new RegExp(
        `^in force from ${t('11:00').replace(/\./g, '\\.')} \\(when it was recorded; it is backdated to ${t('10:00').replace(/\./g, '\\.')}\\)`,
      ),
    )
    expect(cancelled).toEqual({
      item: 'suspension of all sharing order-3 (leaf 2)',
      status: 'proven',
      reason: 'cancelled by order-4 before it took effect',
    })
  })

  it('takes the earliest of several resumptions of one order as its end', () => {
    const [row] = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        resumption('order-2', 'order-1', t('14:00')),
        resumption('order-3', 'order-1', t('12:00')),
        disclosure(t('13:00')),
      ]),
      NOW,
    )
    expect(row!.reason).toContain(`to ${t('12:00')}, lifted by order-3; the log records nothing disclosed`)
  })
})

describe('suspensionRows, read by place in the log as well as by stamp', () => {
  it('holds a disclosure logged during the order to it, whatever time the node stamped on it', () => {
    const rows = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        disclosure(t('09:00')),
        disclosure(t('12:30')),
        resumption('order-2', 'order-1', t('12:00')),
      ]),
      NOW,
    )
    // stamped before the order yet logged after it: not proven; stamped after the lift yet logged before it: under it
    expect(rows[0]).toMatchObject({ status: 'failed' })
    expect(rows[0]!.reason).toContain(
      `yet 1 disclosure recorded in that time, the first at ${t('12:30')} (leaf 2,`,
    )
    expect(rows[0]!.reason).toContain(
      `1 disclosure whose place in the log and stamp disagree about the order, the first at ${t('09:00')} (leaf 1,`,
    )
    const stray = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        disclosure(t('09:59')),
        resumption('order-2', 'order-1', t('12:00')),
      ]),
      NOW,
    )
    expect(stray[0]).toMatchObject({ status: 'unproven' })
    expect(stray[0]!.reason).toContain(
      'a read in flight when it was recorded, or a stamp the log cannot vouch for',
    )
  })

  it('does not prove an order whose disclosure was logged before it yet stamped while it applied', () => {
    const [row] = suspensionRows(
      indexed([
        disclosure(t('10:00')),
        suspension('order-1', t('10:00')),
        resumption('order-2', 'order-1', t('12:00')),
      ]),
      NOW,
    )
    expect(row).toMatchObject({ status: 'unproven' })
  })

  it('ends an order at its lift as applied: a backdated lift from when it was recorded', () => {
    const [row] = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        disclosure(t('11:30')),
        resumption('order-2', 'order-1', t('11:00'), t('12:00')),
        disclosure(t('12:05')),
      ]),
      NOW,
    )
    expect(row).toMatchObject({ status: 'failed' })
    expect(row!.reason).toContain(
      `to ${t('12:00')}, lifted by order-2 (when the lift was recorded; it is backdated to ${t('11:00')})`,
    )
    const [clean] = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        resumption('order-2', 'order-1', t('11:00'), t('12:00')),
        disclosure(t('12:05')),
      ]),
      NOW,
    )
    expect(clean).toMatchObject({ status: 'proven' })
    expect(clean!.reason).toContain(`disclosure resumed at ${t('12:05')} (leaf 2)`)
  })

  it('counts a disclosure logged after the lift but stamped while the order applied', () => {
    const [row] = suspensionRows(
      indexed([
        suspension('order-1', t('10:00')),
        resumption('order-2', 'order-1', t('12:00'), t('10:30')),
        disclosure(t('11:00')),
      ]),
      NOW,
    )
    expect(row).toMatchObject({ status: 'failed' })
  })

  it('says an order scheduled after the audit is not yet in force, and lets disclosures before it be', () => {
    const [row] = suspensionRows(
      indexed([suspension('order-1', t('23:00'), true, t('10:00')), disclosure(t('11:00'))]),
      '2026-03-02T12:00:00Z',
    )
    expect(row).toMatchObject({ status: 'proven' })
    expect(row!.reason).toBe(
      `in force from ${t('23:00')} (scheduled: not yet in force at 2026-03-02T12:00:00Z) and not lifted in this log; the log records nothing disclosed to you in that time`,
    )
  })
})

describe('RootRebuild', () => {
  it('rebuilds the RFC 9162 root of leaves given in pages of any size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 70 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (leaves, pageSizes) => {
          const rebuild = new RootRebuild()
          for (let at = 0, p = 0; at < leaves.length; p++) {
            const size = pageSizes[p % pageSizes.length]!
            rebuild.add(leaves.slice(at, at + size))
            at += size
          }
          expect(rebuild.size).toBe(leaves.length)
          expect(Buffer.from(rebuild.root())).toEqual(Buffer.from(referenceRoot(leaves.map(leafHash))))
        },
      ),
      { numRuns: 300 },
    )
  })
})
