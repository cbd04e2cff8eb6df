import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqlite, PAGE_SIZE, WAL_CHECKPOINT_BYTES } from '../../src/store/sqlite/connection.js'
import { MARKING_DEFINITIONS_QUERY, objectQuerySql } from '../../src/store/sqlite/sqlite-store.js'
import type { ObjectQuery } from '../../src/store/types.js'

describe('SQLite connection', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('gives a new database PAGE_SIZE pages and checkpoints its WAL by bytes', () => {
    const db = openSqlite(join(dir, 'new.db'))
    expect(db.pragma('page_size', { simple: true })).toBe(PAGE_SIZE)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / PAGE_SIZE)
    db.close()
  })

  it('leaves an existing database its page size, its data, and the same WAL size in bytes', () => {
    const path = join(dir, 'old.db')
    const old = new Database(path)
    old.pragma('page_size = 4096')
    old.pragma('journal_mode = WAL')
    old.exec("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('fictional harbour log')")
    old.close()
    const db = openSqlite(path)
    expect(db.pragma('page_size', { simple: true })).toBe(4096)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / 4096)
    expect(db.prepare('SELECT v FROM kept').pluck().get()).toBe('fictional harbour log')
    db.close()
  })

  // asserted on the plan, since a timing at test scale cannot tell a scan of a small table from an index
  it('reads the marking definitions (every policy change does) from their own index, not a scan', () => {
    const db = openSqlite(join(dir, 'plans.db'))
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${MARKING_DEFINITIONS_QUERY}`).all() as { detail: string }[]
    db.close()
    expect(plan.map((p) => p.detail)).toEqual(['SCAN objects USING INDEX objects_marking_definitions'])
  })

  it('finds objects by id through the unique key whatever else narrows the query, and pages by seq', () => {
    const db = openSqlite(join(dir, 'plans.db'))
    const plan = (query: ObjectQuery, gate = false) => {
      const { sql, params } = objectQuerySql(query, gate)
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
        (p) => p.detail,
      )
    }
    const base = { collectionId: 'c', limit: 100 }
    const ids = [
      'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      'note--0a7e5b57-0b5e-4b7e-9c6c-2f1c1f0c3a11',
    ]
    // each shape a read path sends: object by id, its versions, match[id] with other filters, a next cursor, a
    // partner's narrowed query (TLP screen, denied views, gate columns)
    for (const query of [
      { ...base, ids: ids.slice(0, 1) },
      { ...base, ids, versions: [{ kind: 'all' as const }] },
      { ...base, ids, types: ['indicator', 'note'], specVersions: ['2.1'] },
      { ...base, ids, afterSeq: 1_000 },
      { ...base, ids, tlpScreen: { maxTlpRank: 2, unmarked: true }, withoutViews: [3, 5] },
    ]) {
      const [first, ...rest] = plan(query, true)
      expect(first, JSON.stringify(query)).toMatch(
        /^SEARCH objects USING (COVERING )?INDEX sqlite_autoindex_objects_1 \(id=\?( AND collection_id=\?)?\)$/,
      )
      expect(rest.join('; '), JSON.stringify(query)).not.toMatch(
        /objects_by_collection|objects_by_type|SCAN objects/,
      )
    }
    // without ids, a page is a walk of the collection's seq index (or the type index), never a sort
    expect(plan({ ...base, afterSeq: 10 })).toEqual([
      'SEARCH objects USING INDEX objects_by_collection (collection_id=? AND seq>?)',
    ])
    expect(plan({ ...base, types: ['indicator'] })[0]).toMatch(
      /^SEARCH objects USING INDEX objects_by_type \(collection_id=\? AND type=\?\)/,
    )
    db.close()
  })
})
