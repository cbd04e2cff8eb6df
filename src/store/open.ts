import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { IncompleteStoreError, StoreOpenError } from './errors.js'
import { isIncomplete } from './migration-mark.js'
import { sqliteHoldsNode } from './sqlite/holds-node.js'
import { holdSqliteLock, type LockHolder, type ServingLock } from './sqlite/serving-lock.js'
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

const POSTGRES_URL = /^postgres(ql)?:\/\//

/** Whether a location already holds a node, found without creating anything (opening a store creates one). */
export async function storeHoldsNode(location: string): Promise<boolean> {
  refuseUnknownScheme(location)
  if (!POSTGRES_URL.test(location)) return sqliteHoldsNode(location.replace(/^sqlite:/, ''))
  const { postgresHoldsNode } = await import('./postgres/open.js')
  return postgresHoldsNode(location)
}

/**
 * `mysql://…` and the like would otherwise be taken for a relative SQLite path and created as one; a
 * location is a SQLite file (`sqlite:` optional) or a PostgreSQL URL.
 */
function refuseUnknownScheme(location: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]
  if (scheme !== undefined && !POSTGRES_URL.test(location) && scheme.toLowerCase() !== 'sqlite')
    throw new StoreOpenError(
      `${scheme}:// is not a store this node opens: give a SQLite file path or a postgres:// URL`,
    )
}

/** A PostgreSQL URL rather than a SQLite file. */
export const isPostgresLocation = (location: string): boolean => POSTGRES_URL.test(location)

/**
 * Takes the lock a location's single serving process holds for its whole life (see serving-lock.ts); a
 * restore takes it too, so neither replaces the file under the other. PostgreSQL serves from several
 * processes at once and needs none.
 */
export function holdServingLock(location: string, holder: LockHolder): ServingLock {
  refuseUnknownScheme(location)
  const path = location.replace(/^sqlite:/, '')
  if (isPostgresLocation(location) || path === ':memory:') return { release: () => {} }
  return holdSqliteLock(path, holder)
}

/**
 * Opens the store a location names: `postgres://…` for PostgreSQL, otherwise a
 * SQLite file (`sqlite:` prefix optional). Without one, the data directory's file.
 * Any failure is a {@link StoreOpenError} naming the location (never its password).
 */
export async function openStore(location: string | undefined, dataDir: string): Promise<Store> {
  const target = storeLocation(location, dataDir)
  refuseUnknownScheme(target)
  let store: Store
  try {
    if (isPostgresLocation(target)) {
      const { openPostgresStore } = await import('./postgres/open.js')
      store = await openPostgresStore(target)
    } else {
      const path = target.replace(/^sqlite:/, '')
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
      store = new SqliteStore(path)
    }
  } catch (error) {
    const reason = ((error as Error)?.message ?? String(error)).split('\n')[0]
    throw new StoreOpenError(`cannot open the store ${displayLocation(target)}: ${reason}`)
  }
  if (await isIncomplete(store)) {
    await store.close()
    throw new IncompleteStoreError(
      `${displayLocation(target)} was left incomplete by an interrupted migrate; drop it and migrate again`,
    )
  }
  return store
}
