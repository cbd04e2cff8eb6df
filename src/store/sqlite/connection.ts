import Database from 'better-sqlite3'
import { SQLITE_MIGRATIONS } from './migrations.js'

export type SqliteDatabase = Database.Database

/**
 * Page cache per connection, in MiB; `SLUICE_SQLITE_CACHE_MIB` overrides it. The driver's default
 * (16 MiB) cannot hold the interior B-tree pages of the object table and its indexes past a few
 * million versions (about 90 MB at 10^7), which every insert and page read walks. A bigger cache
 * does not make ingest faster (measured at 2.5 M: 16 vs 256 MiB, same CPU time per object): its
 * cost is writing the leaf pages the random-id index dirties, which no sensible cache holds.
 */
export const DEFAULT_CACHE_MIB = 64

function cacheMiB(): number {
  const value = Number(process.env.SLUICE_SQLITE_CACHE_MIB ?? DEFAULT_CACHE_MIB)
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_CACHE_MIB
}

/** Opens (or creates) the database file in WAL mode and brings its schema up to date. */
export function openSqlite(path: string): SqliteDatabase {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  // negative: a size in KiB rather than a page count
  db.pragma(`cache_size = ${-Math.round(cacheMiB() * 1024)}`)
  // NORMAL in WAL mode is durable against process crashes; FULL adds an fsync per commit for power loss.
  db.pragma('synchronous = FULL')
  // fewer, larger checkpoints: pages dirtied by random-id indexes are written back once, not per commit
  db.pragma('wal_autocheckpoint = 16384')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}

function migrate(db: SqliteDatabase): void {
  // IMMEDIATE takes the write lock first, so two processes starting together run each step once.
  const step = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number
    if (current >= SQLITE_MIGRATIONS.length) return false
    db.exec(SQLITE_MIGRATIONS[current]!)
    db.pragma(`user_version = ${current + 1}`)
    return true
  })
  while (step.immediate()) {
    // one migration per transaction
  }
}

/** Caches prepared statements by their text; dynamic queries repeat a small set of shapes. */
export class StatementCache {
  readonly #db: SqliteDatabase
  readonly #statements = new Map<string, Database.Statement>()
  constructor(db: SqliteDatabase) {
    this.#db = db
  }
  get(sql: string): Database.Statement {
    let statement = this.#statements.get(sql)
    if (!statement) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }
}
