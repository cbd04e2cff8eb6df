import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * A uniquely named, empty database on the server `serverUrl` points at, for one
 * test. `location` is its URL; `drop()` removes it, ending any session still on it.
 */
export async function freshPostgresDatabase(
  serverUrl: string,
): Promise<{ location: string; drop(): Promise<void> }> {
  const name = `sluice_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  await admin(serverUrl, `CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  let dropped = false
  return {
    location: url.toString(),
    async drop() {
      if (dropped) return
      dropped = true
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

/** Runs one statement that may not run inside a transaction (CREATE/DROP DATABASE). */
async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
