import Database from 'better-sqlite3'
import { SQLITE_MIGRATIONS } from './migrations.js'

export type SqliteDatabase = Database.Database

/**
 * Page cache per connection in MiB from `SLUICE_SQLITE_CACHE_MIB`, or the driver's default (16 MiB)
 * when unset. Past a few million versions the interior B-tree pages of the object table and its
 * indexes (about 90 MB at 10^7) outgrow the default; a larger cache then saves reads, but it did not
 * make ingest faster (2.5 M versions: 16 vs 256 MiB, same CPU time per object), and a 64 MiB default
 * grew a small node's memory by 17 % in the soak as it filled, so it stays opt-in (docs/DEPLOYMENT.md).
 */
function cacheKiB(): number | undefined {
  const raw = process.env.SLUICE_SQLITE_CACHE_MIB
  if (raw === undefined || raw === '') return undefined
  const mib = Number(raw)
  if (!Number.isFinite(mib) || mib <= 0)
    throw new Error(`SLUICE_SQLITE_CACHE_MIB must be a positive number of MiB, not "${raw}"`)
  return Math.round(mib * 1024)
}

/** Page size of a new database file. */
export const PAGE_SIZE = 16384
/** WAL size at which a commit checkpoints it back into the database (64 MiB). */
export const WAL_CHECKPOINT_BYTES = 64 * 1024 * 1024

/** Opens (or creates) the database file in WAL mode and brings its schema up to date. */
export function openSqlite(path: string): SqliteDatabase {
  const db = new Database(path)
  // Before anything is written: a new database gets PAGE_SIZE pages (an existing one keeps its own, which
  // only VACUUM changes). Measured against 4 KiB: partner and admin reads ~15 % faster (a thousand rows of
  // ~1 KB span a quarter of the pages), ledger appends ~10 % (a page's ~450 KB of blobs is a quarter of
  // the overflow pages and WAL frames), ingest within its noise; bench/RESULTS.md.
  db.pragma(`page_size = ${PAGE_SIZE}`)
  db.pragma('journal_mode = WAL')
  const cache = cacheKiB()
  // negative: a size in KiB rather than a page count
  if (cache !== undefined) db.pragma(`cache_size = ${-cache}`)
  // FULL: an fsync per commit. A store then moves that fsync off the event loop (wal-durability.ts);
  // FULL stays for migrations and for anyone else opening the file.
  db.pragma('synchronous = FULL')
  // fewer, larger checkpoints: pages dirtied by random-id indexes are written back once, not per commit;
  // counted in pages, so set by bytes whatever the database's page size
  const pageSize = db.pragma('page_size', { simple: true }) as number
  db.pragma(`wal_autocheckpoint = ${Math.round(WAL_CHECKPOINT_BYTES / pageSize)}`)
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
const STATEMENTS_LIMIT = 1000

export class StatementCache {
  readonly #db: SqliteDatabase
  readonly #statements = new Map<string, Database.Statement>()
  constructor(db: SqliteDatabase) {
    this.#db = db
  }
  get(sql: string): Database.Statement {
    return this.#cached(sql, sql, false)
  }

  /** The statement in raw mode: rows as arrays in column order, cheaper to build than an object each. */
  raw(sql: string): Database.Statement {
    return this.#cached(`raw:${sql}`, sql, true)
  }

  #cached(key: string, sql: string, raw: boolean): Database.Statement {
    let statement = this.#statements.get(key)
    if (!statement) {
      // statements with IN lists vary with the list's length: keep memory bounded, at a re-prepare's cost
      if (this.#statements.size >= STATEMENTS_LIMIT) this.#statements.clear()
      statement = this.#db.prepare(sql)
      if (raw) statement.raw(true)
      this.#statements.set(key, statement)
    }
    return statement
  }
}
