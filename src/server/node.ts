import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { PrepareOptions } from '../ingest/prepare.js'
import { openStore } from '../store/open.js'
import type { Store } from '../store/types.js'
import { DEFAULT_TAXII_CONFIG, type TaxiiConfig } from '../taxii/config.js'
import { CursorCodec } from '../taxii/cursor.js'
import { createTaxiiHandler } from '../taxii/handler.js'
import { adminRoutes } from '../taxii/admin/admin-routes.js'
import { jsonApi } from '../taxii/admin/json-api.js'
import { ledgerRoutes } from '../taxii/admin/ledger-routes.js'
import { searchRoutes } from '../taxii/admin/search-routes.js'
import { consoleMounts } from './console-mount.js'
import { createHttpServer, type Mount } from './http-server.js'
import { createServices, type NodeServices } from './services.js'
import { ingestOptions } from '../ingest/options.js'
import { ensureDefaultApiRoot } from '../services/api-roots.js'

export interface NodeOptions {
  dataDir: string
  /** Store location: SQLite path or postgres:// URL; defaults to the data directory's file. */
  db?: string
  /** Overrides of the TAXII settings; publicUrl defaults to the listening address. */
  taxii?: Partial<TaxiiConfig>
  /** Checkpoint origin of the node's logs. */
  origin?: string
}

export interface SluiceNode {
  store: Store
  services: NodeServices
  server: Server
  config: TaxiiConfig
  listen(port: number, host: string): Promise<string>
  close(): Promise<void>
}

const RESERVED = new Set(['admin', 'ledger', 'search', 'console', 'healthz', 'metrics'])

/** Wires a store, the disclosure gate and the HTTP API into one node. */
export async function createNode(options: NodeOptions): Promise<SluiceNode> {
  const store = await openStore(options.db, options.dataDir)
  const config: TaxiiConfig = { ...DEFAULT_TAXII_CONFIG, publicUrl: 'http://127.0.0.1', ...options.taxii }
  await ensureDefaultApiRoot(store)
  const cursors = new CursorCodec(await store.secret('cursor'))
  const services = await createServices(store, { dataDir: options.dataDir, ...(options.origin ? { origin: options.origin } : {}) })
  const { gate } = services
  const ingest: PrepareOptions = ingestOptions(store)
  const taxii = createTaxiiHandler(
    { store, gate, cursors, config, ingest },
    { reserved: RESERVED, onInternalError: (error, requestId) => console.error(JSON.stringify({ level: 'error', requestId, error: String(error), stack: (error as Error)?.stack })) },
  )
  const mounts: Mount[] = [
    { prefix: 'admin', handle: jsonApi(store, 'admin', adminRoutes(services)) },
    { prefix: 'ledger', handle: jsonApi(store, 'ledger', ledgerRoutes(services)) },
    ...consoleMounts(services),
    { prefix: 'search', handle: jsonApi(store, 'search', searchRoutes(services)) },
    {
      prefix: 'healthz',
      handle: async (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}')
      },
    },
  ]
  const server = createHttpServer(mounts, taxii)
  const explicitUrl = options.taxii?.publicUrl !== undefined
  return {
    store,
    services,
    server,
    config,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          const { port: bound } = server.address() as AddressInfo
          if (!explicitUrl) config.publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`
          resolve(config.publicUrl)
        })
      }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await store.close()
    },
  }
}

