import pg from 'pg'
import type { Store } from '../types.js'
import { openPostgres } from './connection.js'
import { PostgresStore } from './postgres-store.js'

/** Connects to `postgres://…`, applies pending migrations, and returns the store. */
export async function openPostgresStore(url: string): Promise<Store> {
  return new PostgresStore(await openPostgres(url))
}

/**
 * Whether the database has the store's schema, looked up without creating it (opening the store would). A
 * database that cannot be reached or read answers true: opening the store then says why, in the usual words.
 */
export async function postgresHoldsNode(url: string): Promise<boolean> {
  let client: pg.Client
  try {
    client = new pg.Client({ connectionString: url })
  } catch {
    // a URL pg cannot parse: openStore says why, in one line
    return true
  }
  client.on('error', () => {})
  try {
    await client.connect()
    const { rows } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    )
    return rows[0]?.present === true
  } catch {
    return true
  } finally {
    await client.end().catch(() => {})
  }
}
