import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './types.js'

/**
 * Opens the store a location names: `postgres://…` for PostgreSQL, otherwise a
 * SQLite file (`sqlite:` prefix optional). Without one, the data directory's file.
 */
export async function openStore(location: string | undefined, dataDir: string): Promise<Store> {
  const target = location ?? join(dataDir, 'sluice.db')
  if (/^postgres(ql)?:\/\//.test(target)) {
    const { openPostgresStore } = await import('./postgres/open.js')
    return openPostgresStore(target)
  }
  const path = target.replace(/^sqlite:/, '')
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  return new SqliteStore(path)
}
