import pg from 'pg'
import { POSTGRES_MIGRATIONS } from './migrations.js'

/** The part of a `pg` query result the store reads. */
export interface PgResult<R> {
  rows: R[]
  rowCount: number | null
}

/** A statement whose rows come back as arrays in column order (pg's rowMode 'array'). */
export interface PgArrayQuery {
  text: string
  values: unknown[]
  rowMode: 'array'
}

/** Anything that runs a parameterised query: the pool (autocommit) or a checked-out client. */
export interface PgQueryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgResult<R>>
  /** Rows as arrays: pg builds no object per row, which on a page of a thousand is measurable. */
  query(query: PgArrayQuery): Promise<PgResult<unknown[]>>
}

/** A connection checked out of the pool; `release(true)` discards a broken one. */
export interface PgClient extends PgQueryable {
  release(destroy?: boolean): void
}

/** The subset of `pg.Pool` the store uses; tests may pass anything that satisfies it. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>
  end(): Promise<void>
}

/**
 * Advisory lock keys (one 64-bit namespace per database). Migrations, object
 * writes and ledger appends each take their own, transaction-scoped, so the
 * lock goes with the transaction whatever happens to the connection.
 */
export const MIGRATION_LOCK = 0x51_75_1c_e0_00_00_00_01n
export const OBJECT_WRITE_LOCK = 0x51_75_1c_e0_00_00_00_02n
/** Ledger appends (and policy rows, which carry ledger entries) across every process. */
export const LEDGER_LOCK = 0x51_75_1c_e0_00_00_00_03n

const INT8_OID = 20

/**
 * int8 as a JavaScript number. Sequence numbers, microsecond timestamps and counts
 * all stay below 2^53; anything larger is a fault, not something to round.
 */
function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} exceeds the safe integer range`)
  return value
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8
    return pg.types.getTypeParser(oid, format ?? 'text')
  },
}

/** Opens a pool on `url` and brings the schema up to date before returning it. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<PgPool> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types })
  // An idle connection the server drops (restart, admin kill) is removed from the pool;
  // without a listener the error event would end the process.
  pool.on('error', () => {})
  try {
    await migrate(pool)
  } catch (err) {
    await pool.end().catch(() => {})
    throw err
  }
  return pool
}

/** Runs `work` in one transaction on one connection; rolls back if it throws. */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true
    })
    throw err
  } finally {
    client.release(broken)
  }
}

/**
 * Applies pending migrations, one transaction each. Every step first takes the
 * migration lock, then reads the current version, so processes that open the
 * same database at once queue on the lock and each migration runs exactly once.
 */
async function migrate(pool: PgPool): Promise<void> {
  for (;;) {
    const applied = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()])
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
         )`,
      )
      const { rows } = await client.query<{ current: number | null }>(
        'SELECT max(version) AS current FROM schema_migrations',
      )
      const current = rows[0]?.current ?? 0
      if (current > POSTGRES_MIGRATIONS.length) {
        throw new Error(
          `database schema is at version ${current}, newer than this build knows (${POSTGRES_MIGRATIONS.length})`,
        )
      }
      if (current === POSTGRES_MIGRATIONS.length) return false
      await client.query(POSTGRES_MIGRATIONS[current]!)
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [current + 1])
      return true
    })
    if (!applied) return
  }
}
