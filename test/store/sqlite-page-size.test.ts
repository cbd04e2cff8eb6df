import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqlite, PAGE_SIZE, WAL_CHECKPOINT_BYTES } from '../../src/store/sqlite/connection.js'

describe('SQLite page size', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('gives a new database PAGE_SIZE pages and checkpoints its WAL by bytes', () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-pages-'))
    const db = openSqlite(join(dir, 'new.db'))
    expect(db.pragma('page_size', { simple: true })).toBe(PAGE_SIZE)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / PAGE_SIZE)
    db.close()
  })

  it('leaves an existing database its page size, its data, and the same WAL size in bytes', () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-pages-'))
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
})
