import pg from 'pg'

/** Runs one statement on its own connection (CREATE / DROP DATABASE cannot run inside a pool's transaction). */
export async function adminStatement(server: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
