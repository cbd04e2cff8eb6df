import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { StoreOpenError } from './errors.js'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './types.js'

/** A store location fit to print: a PostgreSQL URL's password is masked. */
export function displayLocation(location: string): string {
  try {
    const url = new URL(location)
    if (url.protocol.startsWith('postgres') && url.password) url.password = '***'
    return url.protocol.startsWith('postgres') ? url.toString() : location
  } catch {
    return location
  }
}

/** The location `openStore` opens: the one given, else the data directory's SQLite file. */
export function storeLocation(location: string | undefined, dataDir: string): string {
  return location ?? join(dataDir, 'sluice.db')
}

/**
 * Opens the store a location names: `postgres://…` for PostgreSQL, otherwise a
 * SQLite file (`sqlite:` prefix optional). Without one, the data directory's file.
 * Any failure is a {@link StoreOpenError} naming the location (never its password).
 */
export async function openStore(location: string | undefined, dataDir: string): Promise<Store> {
  const target = storeLocation(location, dataDir)
  try {
    if (/^postgres(ql)?:\/\//.test(target)) {
      const { openPostgresStore } = await import('./postgres/open.js')
      return await openPostgresStore(target)
    }
    const path = target.replace(/^sqlite:/, '')
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    return new SqliteStore(path)
  } catch (error) {
    const reason = ((error as Error)?.message ?? String(error)).split('\n')[0]
    throw new StoreOpenError(`cannot open the store ${displayLocation(target)}: ${reason}`)
  }
}
