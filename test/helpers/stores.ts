import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/store/open.js'
import type { Store } from '../../src/store/types.js'

/** A fresh, empty database for one test, and how to throw it away. */
export interface FreshLocation {
  location: string
  drop(): Promise<void>
}

/**
 * Every adapter the suites run against. SQLite always; PostgreSQL when
 * SLUICE_TEST_POSTGRES names a server (each test gets a fresh database there).
 */
export interface StoreFactory {
  name: string
  /** A location for `openStore` or a node's `--db`. */
  fresh(): Promise<FreshLocation>
  open(): Promise<{ store: Store; location: string; dispose(): Promise<void> }>
}

function factory(name: string, fresh: () => Promise<FreshLocation>): StoreFactory {
  return {
    name,
    fresh,
    async open() {
      const { location, drop } = await fresh()
      const store = await openStore(location, tmpdir())
      return {
        store,
        location,
        dispose: async () => {
          await store.close().catch(() => {})
          await drop()
        },
      }
    },
  }
}

const sqlite = factory('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'))
  return { location: join(dir, 'sluice.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) }
})

export const POSTGRES_URL = process.env.SLUICE_TEST_POSTGRES

async function postgresFactory(): Promise<StoreFactory> {
  const { freshPostgresDatabase } = await import('./postgres.js')
  return factory('postgres', () => freshPostgresDatabase(POSTGRES_URL!))
}

export const STORES: StoreFactory[] = [sqlite, ...(POSTGRES_URL ? [await postgresFactory()] : [])]
