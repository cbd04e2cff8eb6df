import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqlite, PAGE_SIZE, WAL_CHECKPOINT_BYTES } from '../../src/store/sqlite/connection.js'
import { MARKING_DEFINITIONS_QUERY } from '../../src/store/sqlite/sqlite-store.js'

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
})
