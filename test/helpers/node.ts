import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type NodeOptions, type SluiceNode } from '../../src/server/node.js'
import { createPrincipal } from '../../src/services/principals.js'
import { STORES, type StoreFactory } from './stores.js'

export const TAXII = 'application/taxii+json;version=2.1'

export interface TestNode {
  node: SluiceNode
  url: string
  dataDir: string
  adminKey: string
  /** fetch against the node with the TAXII Accept header and a key (admin by default). */
  get(path: string, key?: string, headers?: Record<string, string>): Promise<Response>
  post(path: string, body: unknown, key?: string, headers?: Record<string, string>): Promise<Response>
  stop(): Promise<void>
}

/**
 * The adapter a test node uses when a suite names none: SQLite in the data
 * directory, or a fresh PostgreSQL database per node with
 * SLUICE_TEST_NODE_STORE=postgres (and SLUICE_TEST_POSTGRES naming the server),
 * so any suite that starts nodes can run on PostgreSQL unchanged.
 */
export function defaultNodeAdapter(): StoreFactory | undefined {
  const wanted = process.env.SLUICE_TEST_NODE_STORE
  if (!wanted || wanted === 'sqlite') return undefined
  const factory = STORES.find((s) => s.name === wanted)
  if (!factory)
    throw new Error(
      wanted === 'postgres'
        ? 'SLUICE_TEST_NODE_STORE=postgres needs SLUICE_TEST_POSTGRES (eval "$(.ci/postgres.sh | tail -n 1)")'
        : `SLUICE_TEST_NODE_STORE=${wanted}: no such adapter (sqlite or postgres)`,
    )
  return factory
}

/**
 * A node on a free loopback port with a fresh data directory and an admin key;
 * on a fresh database of the given adapter (by default the one
 * SLUICE_TEST_NODE_STORE names, else SQLite in the data directory).
 */
export async function startTestNode(
  options: Partial<NodeOptions> = {},
  adapter: StoreFactory | undefined = defaultNodeAdapter(),
): Promise<TestNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-node-'))
  const database = adapter ? await adapter.fresh() : undefined
  let node: SluiceNode
  try {
    // no floor under partners' 404s (tests probe thousands of hidden ids); the floor's own test sets one
    node = await createNode({
      dataDir,
      ...(database ? { db: database.location } : {}),
      ...options,
      taxii: { refusalFloorMs: 0, ...options.taxii },
    })
  } catch (error) {
    // a node that fails to start (e.g. a bad TLS file) leaves no database or directory behind
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  const url = await node.listen(0, '127.0.0.1')
  const { apiKey: adminKey } = await createPrincipal(node.store, { name: 'Test admin', role: 'admin' })
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` })
  return {
    node,
    url,
    dataDir,
    adminKey,
    get: (path, key = adminKey, headers = {}) =>
      fetch(`${url}${path}`, { headers: { Accept: TAXII, ...auth(key), ...headers } }),
    post: (path, body, key = adminKey, headers = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { Accept: TAXII, 'Content-Type': TAXII, ...auth(key), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stop: async () => {
      await node.close()
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
