/**
 * Where `session.record` goes: the ledger write of a partner page taken apart.
 *
 * A node on SQLite (synchronous = FULL, as served), a collection of generated fictional STIX, and
 * pages of ~800 disclosures (the size of a partner page of 1,000 in the policy bench), rotating over
 * five partners. The ledger is pre-grown (`--warm` pages) so its b-trees have a realistic depth.
 * Per page, timed alone with the same functions the gate and the store call:
 *
 * - sha256 of every served JSON text (`sha256Hex`), building the entries;
 * - `encodeEntries` (canonical bytes of the batch) and `leafHash`;
 * - `planLedgerAppend`: the Merkle tree hashing for both logs, on the current heads;
 * - `store.appendLedger`: SQL inserts + commit. Run again with `synchronous = OFF` on the same
 *   connection (a separate pass): FULL − OFF is the fsync, OFF alone the inserts and the WAL write;
 * - the whole `gate.open` + `session.record` for comparison.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/policy/ledger-profile.js [--pages 100] [--warm 100]
 */

import type { Served } from '../../src/disclosure/gate.js'
import { disclosureBatch } from '../../src/disclosure/policy-gate.js'
import { disclosureKey, encodeEntries } from '../../src/ledger/entry.js'
import { leafHash } from '../../src/ledger/hash.js'
import { logsForEntry } from '../../src/ledger/log-id.js'
import { disclosureEntries } from '../../src/services/ledger-service.js'
import { createPrincipal } from '../../src/services/principals.js'
import { planLedgerAppend } from '../../src/store/ledger-append.js'
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { LedgerAppend, LedgerHead } from '../../src/store/types.js'
import { generateObjects } from '../data/generate.js'
import { benchArgs } from '../lib/args.js'
import { benchCollection, loadObjects, startBenchNode } from '../lib/node.js'
import { collectGarbage, nowMs } from '../lib/stats.js'
import { dec, int, machineLine, markdownTable, pct } from '../lib/table.js'

const args = benchArgs({ '--quick': 'flag', '--pages': 'number', '--warm': 'number' })
const PAGES = args.number('--pages', args.quick ? 40 : 100)
const WARM = args.number('--warm', args.quick ? 40 : 100)
const PER_PAGE = 800
const PARTNERS = 5

interface Times {
  sha: number
  encode: number
  leaf: number
  plan: number
  appendFull: number
  appendOff: number
  record: number
  open: number
}

async function main(): Promise<void> {
  const bench = await startBenchNode('ledger-profile')
  try {
    const { store, services } = bench.node
    const sqlite = store as SqliteStore
    const collection = await benchCollection(store, 'ledger-profile')
    await loadObjects(store, collection.id, [...generateObjects(PER_PAGE * 2, 7)])
    const stored = (await store.queryObjects({ collectionId: collection.id, limit: PER_PAGE * 2 })).items
    const partners: { partnerId: string; principalId: string }[] = []
    for (let p = 0; p < PARTNERS; p++) {
      const partner = await services.policy.addPartner({ name: `Fictional agency ${p}` }, 'bench')
      const { principal } = await createPrincipal(store, {
        name: `reader ${p}`,
        role: 'partner',
        partnerId: partner.id,
      })
      partners.push({ partnerId: partner.id, principalId: principal.id })
    }
    const page = (i: number): Served[] =>
      stored.slice(i % PER_PAGE, (i % PER_PAGE) + PER_PAGE).map((s) => ({
        stored: s,
        json: s.json,
        allowedBy: 'agreement--bench',
        objectModified: s.version ?? null,
      }))
    const entriesOf = (served: Served[], partnerId: string, i: number, t: Times | undefined) => {
      let t0 = nowMs()
      const disclosedAt = '2026-11-25T10:00:00.000000Z'
      const entries = disclosureEntries(disclosureBatch(served, partnerId, disclosedAt, `profile-${i}`))
      if (t) t.sha += nowMs() - t0
      t0 = nowMs()
      const bytes = encodeEntries(entries)
      if (t) t.encode += nowMs() - t0
      t0 = nowMs()
      const appends: LedgerAppend[] = entries.map((e, k) => ({
        bytes: bytes[k]!,
        leafHash: leafHash(bytes[k]!),
        logs: logsForEntry(e),
        objectKey: disclosureKey(e.objectId, e.objectModified),
      }))
      if (t) t.leaf += nowMs() - t0
      return appends
    }
    // pre-grow the ledger
    for (let i = 0; i < WARM; i++) {
      const p = partners[i % PARTNERS]!
      await store.appendLedger(entriesOf(page(i), p.partnerId, i, undefined))
    }
    const t: Times = { sha: 0, encode: 0, leaf: 0, plan: 0, appendFull: 0, appendOff: 0, record: 0, open: 0 }
    // Three passes, not interleaved: a commit after one with synchronous = OFF would also flush the
    // WAL pages the OFF commit left unsynced. FULL appends, then the real gate path, then OFF appends.
    collectGarbage()
    for (let i = 0; i < PAGES; i++) {
      const p = partners[i % PARTNERS]!
      const appends = entriesOf(page(i), p.partnerId, i, t)
      const logIds = [...new Set(appends.flatMap((a) => a.logs))]
      const heads = new Map<string, LedgerHead>()
      for (const id of logIds) heads.set(id, await store.ledgerHead(id))
      const t0 = nowMs()
      planLedgerAppend(heads, appends)
      t.plan += nowMs() - t0
      const t1 = nowMs()
      await store.appendLedger(appends)
      t.appendFull += nowMs() - t1
    }
    collectGarbage()
    for (let i = 0; i < PAGES; i++) {
      const p = partners[i % PARTNERS]!
      let t0 = nowMs()
      const session = await services.gate.open(
        { principalId: p.principalId, role: 'partner', partnerId: p.partnerId, requestId: `open-${i}` },
        new Date().toISOString(),
      )
      t.open += nowMs() - t0
      t0 = nowMs()
      await session.record(page(i + 1))
      t.record += nowMs() - t0
    }
    collectGarbage()
    sqlite.db.pragma('synchronous = OFF')
    for (let i = 0; i < PAGES; i++) {
      const p = partners[i % PARTNERS]!
      const appends = entriesOf(page(i), p.partnerId, i, undefined)
      const t0 = nowMs()
      await store.appendLedger(appends)
      t.appendOff += nowMs() - t0
    }
    sqlite.db.pragma('synchronous = FULL')
    const fullPages = PAGES
    const offPages = PAGES
    const per = (ms: number, n = PAGES) => ms / n
    const full = per(t.appendFull, fullPages)
    const off = per(t.appendOff, offPages)
    const build = per(t.sha) + per(t.encode) + per(t.leaf)
    const plan = per(t.plan)
    // appendLedger re-plans inside the transaction; the SQL share is the rest of the OFF run
    const sql = Math.max(0, off - plan)
    const fsync = Math.max(0, full - off)
    const total = build + plan + sql + fsync
    const heads = await store.ledgerLogs()
    const global = heads.find((h) => h.logId === 'global')?.size ?? 0
    console.log(`## Ledger write of a partner page (${machineLine()})\n`)
    console.log(
      `${int(PAGES)} pages of ${int(PER_PAGE)} disclosures after ${int(WARM)} warm-up pages (global log at ${int(global)} leaves at the end); five partner logs, SQLite synchronous = FULL.\n`,
    )
    console.log(
      markdownTable(
        ['stage', { header: 'ms per page', align: 'right' }, { header: 'share', align: 'right' }],
        [
          ['sha256 of served JSON + entry objects', dec(per(t.sha)), pct(per(t.sha) / total)],
          ['encodeEntries (canonical bytes, one batch)', dec(per(t.encode)), pct(per(t.encode) / total)],
          ['leafHash', dec(per(t.leaf)), pct(per(t.leaf) / total)],
          ['planLedgerAppend (tree hashing, both logs)', dec(plan), pct(plan / total)],
          [
            'SQL inserts + WAL write (appendLedger with synchronous = OFF, minus planning)',
            dec(sql),
            pct(sql / total),
          ],
          ['fsync at commit (FULL − OFF)', dec(fsync), pct(fsync / total)],
          ['sum', dec(total), '100 %'],
        ],
      ),
    )
    console.log(
      `\nstore.appendLedger alone: ${dec(full)} ms (FULL), ${dec(off)} ms (OFF). gate.open ${dec(per(t.open))} ms + session.record ${dec(per(t.record))} ms per page.`,
    )
  } finally {
    await bench.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
