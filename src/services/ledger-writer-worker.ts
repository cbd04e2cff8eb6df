import { parentPort, workerData } from 'node:worker_threads'
import { openStore } from '../store/open.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { toLedgerAppends } from './ledger-service.js'
import {
  type LedgerWriterData,
  type LedgerWriterReply,
  type LedgerWriterRequest,
  packPositions,
  unpackEntries,
} from './ledger-writer.js'

/**
 * The ledger writer's thread (see ledger-writer.ts): one store connection. Batches that arrive while
 * an append is running are appended together in the next one (one transaction, one sync): fewer
 * commits, each of which also makes the node's own connection drop its page cache.
 */
const port = parentPort
if (!port) throw new Error('ledger-writer-worker.js runs as a worker thread')
const { location, dataDir } = workerData as LedgerWriterData
const WRITER_CACHE_KIB = 2048
const opening = openStore(location, dataDir).then((store) => {
  // Appends touch the ends of a few b-trees: a small page cache serves them. The default (16 MiB,
  // or SLUICE_SQLITE_CACHE_MIB) would fill with ledger pages as the log grows, growing the process
  // by as much for nothing (seen in the soak).
  if (store instanceof SqliteStore) store.db.pragma(`cache_size = ${-WRITER_CACHE_KIB}`)
  return store
})
// observed where awaited; this only keeps a failed open from also ending the thread
opening.catch(() => {})

type AppendRequest = Extract<LedgerWriterRequest, { batch: unknown }>
const queued: AppendRequest[] = []
let draining: Promise<void> | undefined

async function drain(): Promise<void> {
  while (queued.length > 0) {
    const requests = queued.splice(0)
    const replies: LedgerWriterReply[] = []
    try {
      const store = await opening
      const entries = requests.map((r) => unpackEntries(r.batch))
      const positions = await store.appendLedger(toLedgerAppends(entries.flat()))
      let at = 0
      for (const [i, request] of requests.entries()) {
        const count = entries[i]!.length
        replies.push({ id: request.id, positions: packPositions(positions.slice(at, at + count)) })
        at += count
      }
    } catch (error) {
      const message = (error as Error)?.message ?? String(error)
      for (const request of requests) replies.push({ id: request.id, error: message })
    }
    for (const reply of replies)
      port!.postMessage(reply, 'positions' in reply ? [reply.positions.runs.buffer as ArrayBuffer] : [])
  }
}

port.on('message', async (request: LedgerWriterRequest) => {
  if ('batch' in request) {
    queued.push(request)
    draining ??= drain().finally(() => {
      draining = undefined
    })
    return
  }
  // close: after every append asked for before it
  let reply: LedgerWriterReply
  try {
    await draining
    await (await opening).close()
    reply = { id: request.id, closed: true }
  } catch (error) {
    reply = { id: request.id, error: (error as Error)?.message ?? String(error) }
  }
  port.postMessage(reply)
})
