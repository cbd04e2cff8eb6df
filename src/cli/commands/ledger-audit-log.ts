import type { Checkpoint } from '../../ledger/checkpoint.js'
import { decodeEntry } from '../../ledger/entry.js'
import { LedgerError } from '../../ledger/errors.js'
import { bytesEqual, fromBase64Strict } from '../../ledger/hash.js'
import { LogDigest, RootRebuild, suspensionRows } from '../../ledger/log-audit.js'
import type { ReportRow } from '../../ledger/recipient.js'

/** The node answers at most this many entries a request. */
const PAGE = 1000

/**
 * `ledger verify --audit-log`: every entry of the recipient's log up to the signed checkpoint, read from the
 * node, must rebuild that checkpoint's root; only then are its orders and disclosures read, as rows.
 */
export async function auditLog(
  list: (path: string) => Promise<unknown[]>,
  log: string,
  checkpoint: Checkpoint,
  now: string,
): Promise<ReportRow[]> {
  const item = `every entry of ${log} up to size ${checkpoint.size}`
  const rebuild = new RootRebuild()
  const digest = new LogDigest()
  while (rebuild.size < checkpoint.size) {
    const start = rebuild.size
    const end = Math.min(start + PAGE, checkpoint.size)
    const page = await list(`/ledger/entries?log=${encodeURIComponent(log)}&start=${start}&end=${end}`)
    const leaves = leavesOf(page, start)
    if (leaves === undefined || leaves.length === 0)
      return [
        { item, status: 'failed', reason: `the node answered entries from ${start} in the wrong shape` },
      ]
    rebuild.add(leaves)
    for (const [i, leaf] of leaves.entries()) {
      try {
        digest.add({ index: start + i, entry: decodeEntry(leaf) })
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error
        return [
          { item, status: 'failed', reason: `entry ${start + i} is not a ledger entry: ${error.message}` },
        ]
      }
    }
  }
  if (!bytesEqual(rebuild.root(), checkpoint.rootHash))
    return [
      { item, status: 'failed', reason: 'the entries the node answered do not rebuild the signed root' },
    ]
  return [
    { item, status: 'proven', reason: `${rebuild.size} entries rebuild the signed root` },
    ...suspensionRows(digest, now),
  ]
}

/** The leaf bytes of an entries page, if each item is the next index with a base64 leaf; at most `PAGE`. */
function leavesOf(page: readonly unknown[], start: number): Uint8Array[] | undefined {
  const leaves: Uint8Array[] = []
  for (const [i, item] of page.entries()) {
    const { index, leaf } = (item ?? {}) as { index?: unknown; leaf?: unknown }
    const bytes = typeof leaf === 'string' ? fromBase64Strict(leaf) : null
    if (index !== start + i || bytes === null) return undefined
    leaves.push(bytes)
  }
  return leaves
}
