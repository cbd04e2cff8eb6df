import { knownMarkings } from '../../src/ingest/known-markings.js'
import { prepareObjects } from '../../src/ingest/prepare.js'
import { createNode, type NodeOptions, type SluiceNode } from '../../src/server/node.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StixObject } from '../../src/stix/object.js'
import type { CollectionRecord, Store } from '../../src/store/types.js'
import { LoopbackClient } from './http.js'
import { type TempDir, tempDir } from './tmp.js'

export interface BenchNode {
  node: SluiceNode
  dir: TempDir
  url: string
  adminKey: string
  client: LoopbackClient
  /** Stops the server, closes the store and deletes the data directory. */
  close(): Promise<void>
}

/** A fresh node in its own temp directory, listening on 127.0.0.1 on a free port, with an admin key. */
export async function startBenchNode(prefix: string, options: Partial<NodeOptions> = {}): Promise<BenchNode> {
  const dir = tempDir(prefix)
  let node: SluiceNode | undefined
  let url: string
  try {
    node = await createNode({ dataDir: dir.path, origin: 'bench.sluice.localhost', ...options })
    url = await node.listen(0, '127.0.0.1')
  } catch (error) {
    await node?.close().catch(() => {})
    dir.remove()
    throw error
  }
  // benches pause between HTTP phases; keep idle keep-alive sockets open so a reused one is not reset
  node.server.keepAliveTimeout = 120_000
  const { apiKey } = await createPrincipal(node.store, { name: 'bench admin', role: 'admin' })
  const client = new LoopbackClient(url)
  return {
    node,
    dir,
    url,
    adminKey: apiKey,
    client,
    close: async () => {
      client.close()
      await node.close()
      dir.remove()
    },
  }
}

/** A collection in the node's default API root. */
export function benchCollection(store: Store, title: string): Promise<CollectionRecord> {
  return createCollection(store, { apiRoot: 'intel', title, description: `benchmark collection ${title}` })
}

/**
 * Loads objects into a collection through the same preparation the POST handler uses, without HTTP:
 * a quick way to set up read benches. Fails if anything is rejected.
 */
export async function loadObjects(
  store: Store,
  collectionId: string,
  objects: readonly StixObject[],
  batch = 1000,
): Promise<void> {
  for (let at = 0; at < objects.length; at += batch) {
    const prepared = await prepareObjects(objects.slice(at, at + batch), {
      knownMarkings: (ids) => knownMarkings(store, ids),
    })
    if (prepared.rejected.length > 0) throw new Error(`bench data rejected: ${prepared.rejected[0]!.message}`)
    const outcomes = await store.putObjects(collectionId, prepared.accepted)
    const bad = outcomes.find((o) => o.result !== 'added')
    if (bad) throw new Error(`bench data not added: ${bad.id} ${bad.result}`)
  }
}

/** Splits items into consecutive chunks. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size))
  return out
}
