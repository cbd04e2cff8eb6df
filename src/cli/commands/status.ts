import { formatStatus, nodeStatus } from '../../ops/status.js'
import { displayLocation, storeLocation } from '../../store/open.js'
import { dataLocation, parse } from '../options.js'
import { withServices } from '../store-session.js'

const HELP = `Usage: sluice status [--json] [--data DIR] [--db LOCATION]

The node at a glance: version, store, signing key, partners, active orders, pending approvals,
principals and keys, ledger size and last checkpoint, federation feeds.
Reads the store directly; it works whether or not the server is running.`

export async function run(args: string[]): Promise<void> {
  const { values } = parse(args, { json: { type: 'boolean' } }, 0)
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const { dataDir, db } = dataLocation(values)
  const status = await withServices(values, (services) =>
    nodeStatus(services, displayLocation(storeLocation(db, dataDir))),
  )
  process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status))
}
