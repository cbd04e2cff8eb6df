import { join } from 'node:path'
import { BackupError, restoreNode } from '../../ops/backup.js'
import { CliError } from '../errors.js'
import { dataLocation, parse, required } from '../options.js'

const HELP = `Usage: sluice restore --from DIR [--force] [--data DIR] [--db FILE]

Restores a backup made by "sluice backup" into a data directory whose node is
stopped. The files are checked against the manifest first, copied in
atomically, and every ledger root is recomputed from the restored leaves and
compared with the manifest. An existing database is replaced only with --force,
and never while a node serves it.`

export async function run(args: string[]): Promise<void> {
  const { values } = parse(args, { from: { type: 'string' }, force: { type: 'boolean' } }, 0)
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const from = required(values.from, 'from')
  const { dataDir, db } = dataLocation(values)
  if (db && /^postgres(ql)?:\/\//.test(db))
    throw new CliError('restore writes a SQLite file; restore PostgreSQL with pg_restore', 2)
  const dbPath = db ? db.replace(/^sqlite:/, '') : join(dataDir, 'sluice.db')
  // SQLite would read this name as an in-memory database, not the file restore writes
  if (dbPath === ':memory:') throw new CliError('restore writes a SQLite file; --db :memory: names none', 2)
  const keyPath = process.env.SLUICE_NODE_KEY ?? join(dataDir, 'node.key')
  const result = await restoreNode({ from, dbPath, keyPath, force: values.force === true }).catch(
    (error: unknown) => {
      if (error instanceof BackupError) throw new CliError(error.message)
      throw error
    },
  )
  process.stdout.write(`restored ${result.database} from the backup of ${result.manifest.created_at}\n`)
  process.stdout.write(
    `node key  ${result.keyRestored ? 'restored' : `not in the backup: put the node's own key at ${keyPath} before it serves`}\n`,
  )
  for (const l of result.ledger)
    process.stdout.write(
      `ledger    ${l.logId}: ${l.size} entries, root recomputed from leaves matches the manifest\n`,
    )
}
