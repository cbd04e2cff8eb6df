import type { Store } from '../types.js'
import { openPostgres } from './connection.js'
import { PostgresStore } from './postgres-store.js'

/** Connects to `postgres://…`, applies pending migrations, and returns the store. */
export async function openPostgresStore(url: string): Promise<Store> {
  return new PostgresStore(await openPostgres(url))
}
