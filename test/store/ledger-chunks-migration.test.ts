import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { leafHash } from '../../src/ledger/hash.js'
import { proveConsistency, proveInclusion } from '../../src/ledger/proof.js'
import { appendLeaves, frontierRoot, merkleRootOfLeaves } from '../../src/ledger/tree.js'
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js'
import { packFrontier } from '../../src/store/ledger-append.js'
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'

// The migration that moved the ledger from a row per leaf and per node to a row per append.
const CHUNKS = SQLITE_MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE ledger_chunks'))

const text = (log: string, i: number) => `${log}#${i}${'x'.repeat(i % 7)}`

/** A database at the schema before the conversion, with leaves and nodes written the old way. */
function oldDatabase(path: string, sizes: Record<string, number>): void {
  const db = new Database(path)
  for (let v = 0; v < CHUNKS; v++) db.exec(SQLITE_MIGRATIONS[v]!)
  db.pragma(`user_version = ${CHUNKS}`)
  const leaf = db.prepare('INSERT INTO ledger_leaves (log_id, idx, bytes, object_key) VALUES (?, ?, ?, ?)')
  const node = db.prepare('INSERT INTO ledger_nodes (log_id, level, idx, hash) VALUES (?, ?, ?, ?)')
  const head = db.prepare('INSERT INTO ledger_heads (log_id, size, frontier) VALUES (?, ?, ?)')
  for (const [log, size] of Object.entries(sizes)) {
    const bytes = Array.from({ length: size }, (_, i) => Buffer.from(text(log, i)))
    for (const [i, b] of bytes.entries()) leaf.run(log, i, b, i % 3 === 0 ? `indicator--${i % 6}|null` : null)
    // appended in uneven batches, level-0 nodes included as the oldest databases stored them
    let frontier: Uint8Array[] = []
    for (let at = 0; at < size; at += 5) {
      const result = appendLeaves(frontier, at, bytes.slice(at, at + 5).map(leafHash))
      for (const n of result.nodes) node.run(log, n.level, n.index, n.hash)
      frontier = result.frontier
    }
    head.run(log, size, packFrontier(frontier))
  }
  db.close()
}

describe('sqlite store: ledger rows from before the chunk layout', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('converts them: same leaves, heads, proofs and object lookups, and appends continue', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-chunks-'))
    const path = join(dir, 'old.db')
    const sizes = { global: 37, 'partner:p1': 20 }
    oldDatabase(path, sizes)
    const store = new SqliteStore(path)
    const storedHashes = () => store.db.prepare('SELECT count(*) FROM ledger_chunk_hashes').pluck().get()
    try {
      // converted chunks carry no leaf hashes: the proofs below hash the leaves' bytes
      expect(storedHashes()).toBe(0)
      for (const [log, size] of Object.entries(sizes)) {
        const expected = Array.from({ length: size }, (_, i) => Buffer.from(text(log, i)))
        const leaves = await store.ledgerLeaves(log, 0, size)
        expect(leaves.map((l) => Buffer.from(l.bytes).toString())).toEqual(expected.map(String))
        const root = merkleRootOfLeaves(expected)
        const head = await store.ledgerHead(log)
        expect(Buffer.from(frontierRoot(head.frontier)).equals(Buffer.from(root))).toBe(true)
        const reader = {
          getNodes: (keys: readonly { level: number; index: number }[]) => store.ledgerNodes(log, keys),
        }
        for (let i = 0; i < size; i++) {
          const proof = await proveInclusion(reader, i, size)
          expect(verifyInclusion(leafHash(expected[i]!), i, size, proof, root)).toEqual({ ok: true })
        }
        for (let m = 1; m < size; m++) {
          const proof = await proveConsistency(reader, m, size)
          const old = merkleRootOfLeaves(expected.slice(0, m))
          expect(verifyConsistency(m, size, old, root, proof)).toEqual({ ok: true })
        }
        const found = await store.findLedgerLeaves(log, 'indicator--3|null')
        expect(found.map((l) => l.index)).toEqual(
          Array.from({ length: size }, (_, i) => i).filter((i) => i % 3 === 0 && i % 6 === 3),
        )
      }
      const bytes = Buffer.from('after')
      expect(
        await store.appendLedger([{ bytes, leafHash: leafHash(bytes), logs: ['global', 'partner:p1'] }]),
      ).toEqual([
        [
          { logId: 'global', index: 37 },
          { logId: 'partner:p1', index: 20 },
        ],
      ])
      // the new global chunk keeps its leaf hash; the partner chunk refers to it
      expect(storedHashes()).toBe(1)
      for (const [log, size] of [
        ['global', 38],
        ['partner:p1', 21],
      ] as const) {
        const all = (await store.ledgerLeaves(log, 0, size)).map((l) => l.bytes)
        const root = merkleRootOfLeaves(all)
        const head = await store.ledgerHead(log)
        expect(Buffer.from(frontierRoot(head.frontier)).equals(Buffer.from(root))).toBe(true)
        const reader = {
          getNodes: (keys: readonly { level: number; index: number }[]) => store.ledgerNodes(log, keys),
        }
        for (const i of [0, size - 2, size - 1]) {
          const proof = await proveInclusion(reader, i, size)
          expect(verifyInclusion(leafHash(all[i]!), i, size, proof, root)).toEqual({ ok: true })
        }
      }
    } finally {
      await store.close()
    }
  })
})
