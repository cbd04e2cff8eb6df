import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type NodeOptions, type SluiceNode } from '../../src/server/node.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StoreFactory } from './stores.js'

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
 * A node on a free loopback port with a fresh data directory and an admin key;
 * on a fresh database of the given adapter (SQLite in the data directory by default).
 */
export async function startTestNode(
  options: Partial<NodeOptions> = {},
  adapter?: StoreFactory,
): Promise<TestNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-node-'))
  const database = adapter ? await adapter.fresh() : undefined
  const node = await createNode({ dataDir, ...(database ? { db: database.location } : {}), ...options })
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
