import Database from 'better-sqlite3'
import { SQLITE_MIGRATIONS } from './migrations.js'

export type SqliteDatabase = Database.Database

/** Opens (or creates) the database file in WAL mode and brings its schema up to date. */
export function openSqlite(path: string): SqliteDatabase {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
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
