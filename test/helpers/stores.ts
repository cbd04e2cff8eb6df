import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/store/open.js'
import type { Store } from '../../src/store/types.js'

/**
 * Every adapter the suites run against. SQLite always; PostgreSQL when
 * SLUICE_TEST_POSTGRES names a server (each store gets a fresh schema there).
 */
export interface StoreFactory {
  name: string
  open(): Promise<{ store: Store; location: string; dispose(): Promise<void> }>
}

const sqlite: StoreFactory = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'))
    const location = join(dir, 'sluice.db')
    const store = await openStore(location, dir)
    return {
      store,
      location,
      dispose: async () => {
        await store.close().catch(() => {})
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
}

export const POSTGRES_URL = process.env.SLUICE_TEST_POSTGRES

async function postgresFactory(): Promise<StoreFactory> {
  const { freshPostgresDatabase } = await import('./postgres.js')
  return {
    name: 'postgres',
    async open() {
      const { location, drop } = await freshPostgresDatabase(POSTGRES_URL!)
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

export const STORES: StoreFactory[] = [sqlite, ...(POSTGRES_URL ? [await postgresFactory()] : [])]
