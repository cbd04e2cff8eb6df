import { join } from 'node:path'
import { BackupError, backupNode } from '../../ops/backup.js'
import { fileErrorWords } from '../../ops/named-file.js'
import { CliError } from '../errors.js'
import { dataLocation, parse, required } from '../options.js'
import { withStore } from '../store-session.js'

const HELP = `Usage: sluice backup --out DIR [--without-key] [--data DIR] [--db LOCATION]

Copies the node's store into DIR while the node keeps serving (SQLite's online
backup API), checks the copy (integrity, every ledger root recomputed from its
leaves), and writes DIR/manifest.json with hashes and the ledger heads.
The node's signing key is copied too (DIR/node.key, mode 0600) unless
--without-key: a node restored from such a backup serves only once its own key
is put back (DATA/node.key or SLUICE_NODE_KEY); restore says so, and no new key
is made for it, since the store records which key the node signs with.
The backup holds everything the node holds: keep it as safe as the node.`

export async function run(args: string[]): Promise<void> {
  const { values } = parse(args, { out: { type: 'string' }, 'without-key': { type: 'boolean' } }, 0)
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const out = required(values.out, 'out')
  const { dataDir } = dataLocation(values)
  const keyPath = process.env.SLUICE_NODE_KEY ?? join(dataDir, 'node.key')
  const manifest = await withStore(values, (store) =>
    backupNode(store, { out, ...(values['without-key'] ? {} : { keyPath }) }).catch((error: unknown) => {
      if (error instanceof BackupError) throw new CliError(error.message)
      if ((error as NodeJS.ErrnoException).code)
        throw new CliError(`cannot write ${out}: ${fileErrorWords(error, true)}`)
      throw error
    }),
  )
  process.stdout.write(`backup written to ${out}\n`)
  process.stdout.write(`database  ${manifest.database.bytes} bytes, sha256 ${manifest.database.sha256}\n`)
  process.stdout.write(`node key  ${manifest.node_key ? 'included' : 'not included'}\n`)
  for (const l of manifest.ledger)
    process.stdout.write(`ledger    ${l.log}: ${l.size} entries, root ${l.root}\n`)
}
