import { randomBytes } from 'node:crypto'
import { adminStatement } from '../../bench/lib/postgres.js'

/**
 * A uniquely named, empty database on the server `serverUrl` points at, for one
 * test. `location` is its URL; `drop()` removes it, ending any session still on it.
 */
export async function freshPostgresDatabase(
  serverUrl: string,
): Promise<{ location: string; drop(): Promise<void> }> {
  const name = `sluice_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  await adminStatement(serverUrl, `CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  let dropped = false
  return {
    location: url.toString(),
    async drop() {
      if (dropped) return
      dropped = true
      await adminStatement(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}
