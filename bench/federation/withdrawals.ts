/**
 * Withdrawals at scale: what a node's history of withdrawals costs the paths that consult it.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/federation/withdrawals.js [--sizes 0,1000,10000,50000]
 *        [--pages 200] [--page 100]
 *
 * Withdrawals accumulate: an acknowledged one stays as the evidence of what was asked and answered. For
 * each size, that many acknowledged withdrawals of one partner are recorded, then timed:
 *
 * - partner page: `gate.open` + `readPage` of `--page` objects as that partner (every TAXII read by it).
 * - pending list: its unacknowledged withdrawals, as its node asks for them on every poll.
 * - issue one: withdrawing one more object from it (the revocation scan does this per revoked object).
 * - page after a change: the first partner page after that, which reads the withdrawals again.
 *
 * Ratios are against the first size (no withdrawals) in the same run.
 */
import { randomUUID } from 'node:crypto'
import { readPage } from '../../src/disclosure/read-page.js'
import { federationContext } from '../../src/federation/context.js'
import { issueWithdrawals, pendingWithdrawals } from '../../src/federation/withdrawals.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { benchCollection, loadObjects, startBenchNode } from '../lib/node.js'
import { nowMs } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable, ratio } from '../lib/table.js'

const args = benchArgs({ '--sizes': 'value', '--pages': 'number', '--page': 'number' })
// ascending: each size adds to the withdrawals of the one before
const SIZES = (args.string('--sizes') ?? '0,1000,10000,50000')
  .split(',')
  .map((s) => Number(s.trim()))
  .sort((a, b) => a - b)
if (SIZES.some((n) => !Number.isInteger(n) || n < 0)) {
  process.stderr.write('--sizes takes whole numbers of withdrawals, comma-separated (0,1000,10000)\n')
  process.exit(2)
}
const PAGES = args.number('--pages', 200)
const PAGE = args.number('--page', 100)
const PARTNER = 'bench-partner'

const bench = await startBenchNode('sluice-bench-withdrawals-')
try {
  const { services, store } = bench.node
  const collection = await benchCollection(store, 'withdrawals')
  const objects = [...generateObjects(2000, 7)]
  await loadObjects(store, collection.id, objects)
  await services.policy.addPartner({ id: PARTNER, name: 'Fictional agency', kind: 'police' }, 'bench')
  await services.policy.putAgreement(
    { partner: PARTNER, collections: [collection.id], maxTlp: 'red' },
    'bench',
  )
  const ctx = federationContext(services)
  const viewer = { principalId: 'bench-partner-key', role: 'partner', partnerId: PARTNER } as const

  const partnerPage = async (): Promise<number> => {
    const t0 = nowMs()
    for (let i = 0; i < PAGES; i++) {
      const session = await services.gate.open(
        { ...viewer, requestId: `bench-${i}` },
        new Date().toISOString(),
      )
      await readPage(store, session, { collectionId: collection.id, limit: PAGE })
    }
    return (nowMs() - t0) / PAGES
  }
  const pendingList = async (): Promise<number> => {
    const t0 = nowMs()
    for (let i = 0; i < PAGES; i++) await pendingWithdrawals(ctx, PARTNER)
    return (nowMs() - t0) / PAGES
  }
  let issued = 0
  const issueOne = async (): Promise<number> => {
    const t0 = nowMs()
    const rounds = 5
    for (let i = 0; i < rounds; i++)
      await issueWithdrawals(ctx, {
        objectId: objects[issued++]!.id,
        partners: [PARTNER],
        kind: 'withdrawn',
        reason: 'bench',
        by: 'bench',
      })
    return (nowMs() - t0) / rounds
  }

  let recorded = 0
  const rows: { size: number; page: number; pending: number; issue: number; after: number }[] = []
  for (const size of SIZES) {
    // acknowledged long ago, of objects this node no longer holds: history only
    for (; recorded < size; recorded++)
      await ctx.state.putWithdrawal({
        id: `withdrawal--${randomUUID()}`,
        objectId: `indicator--${randomUUID()}`,
        partnerId: PARTNER,
        kind: 'withdrawn',
        reason: 'source retracted (fictional)',
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: 'bench',
        acknowledgement: {
          receivedAt: '2026-01-01T00:05:00.000Z',
          appliedAt: '2026-01-01T00:04:00.000Z',
          signer: 'partner.sluice.localhost+00000000',
          note: 'x'.repeat(300),
        },
      })
    await partnerPage() // warm
    const page = await partnerPage()
    const pending = await pendingList()
    const issue = await issueOne()
    const t0 = nowMs()
    await readPage(
      store,
      await services.gate.open({ ...viewer, requestId: 'after' }, new Date().toISOString()),
      {
        collectionId: collection.id,
        limit: PAGE,
      },
    )
    rows.push({ size, page, pending, issue, after: nowMs() - t0 })
  }
  const base = rows[0]!
  process.stdout.write(`${machineLine()}\n\n`)
  process.stdout.write(
    markdownTable(
      [
        'withdrawals of the partner',
        `partner page of ${PAGE} (ms)`,
        'ratio',
        'pending list (ms)',
        'ratio',
        'issue one (ms)',
        'ratio',
        'page after a change (ms)',
      ].map((header) => ({ header, align: 'right' as const })),
      rows.map((r) => [
        int(r.size),
        dec(r.page),
        ratio(r.page / base.page),
        dec(r.pending, 3),
        ratio(r.pending / base.pending),
        dec(r.issue),
        ratio(r.issue / base.issue),
        dec(r.after),
      ]),
    ),
  )
} finally {
  await bench.close()
}
