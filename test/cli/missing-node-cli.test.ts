import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/server/services.js'
import { openStore } from '../../src/store/open.js'
import { POSTGRES_URL } from '../helpers/stores.js'
import { runCli } from './run-cli.js'

async function hasSchema(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
    return rows[0].present
  } finally {
    await client.end()
  }
}

describe.skipIf(!POSTGRES_URL)('a PostgreSQL database that holds no node', () => {
  let db: { location: string; drop(): Promise<void> }
  // the node key lives in the data directory, whatever the store
  const data = mkdtempSync(join(tmpdir(), 'sluice-missing-node-'))
  const run = (...args: string[]) => runCli([...args, '--db', db.location, '--data', data])
  beforeAll(async () => {
    const { freshPostgresDatabase } = await import('../helpers/postgres.js')
    db = await freshPostgresDatabase(POSTGRES_URL!)
  })
  afterAll(async () => {
    await db?.drop()
    rmSync(data, { recursive: true, force: true })
  })

  it('is refused by a command, which creates nothing in it', async () => {
    for (const command of [['partners', 'list'], ['status'], ['ledger', 'checkpoint']]) {
      const result = await run(...command)
      expect(result.stderr, command.join(' ')).toMatch(
        /^sluice: no node in postgres:\/\/\S+ \(no Sluice tables in that database\); start one with "sluice serve --db URL"\n$/,
      )
      expect(result.code).toBe(1)
    }
    expect(await hasSchema(db.location)).toBe(false)
  })

  it('is used once a node is started in it', async () => {
    const store = await openStore(db.location, data)
    await createServices(store, { dataDir: data, createKey: true })
    await store.close()
    const result = await run('partners', 'list')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    // the location as given, the user name included: only a password is masked
    const status = await run('status')
    expect(status.stdout).toContain(`store            ${db.location} (back up with pg_dump)`)
  })
})
