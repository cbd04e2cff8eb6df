import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { recordFourEyes, withFourEyes } from '../auth/four-eyes.js'
import { keyRoutes } from '../auth/key-routes.js'
import { federationContext } from '../federation/context.js'
import { FederationScheduler } from '../federation/scheduler.js'
import { ingestOptions } from '../ingest/options.js'
import type { PrepareOptions } from '../ingest/prepare.js'
import { healthHandler } from '../ops/health.js'
import { errorLogger, type Logger } from '../ops/logger.js'
import { metricsHandler } from '../ops/metrics-endpoint.js'
import { type NodeMetrics, nodeMetrics, observeRequests, refusedRequests } from '../ops/node-metrics.js'
import { PartnerRateLimiter } from '../ops/rate-limit.js'
import { onSecureConnection, type TlsSettings, tlsServerOptions } from '../ops/tls.js'
import { sluiceVersion } from '../ops/version.js'
import { ensureDefaultApiRoot } from '../services/api-roots.js'
import { openStore, storeLocation } from '../store/open.js'
import type { Store } from '../store/types.js'
import { adminRoutes } from '../taxii/admin/admin-routes.js'
import { federationRoutes } from '../taxii/admin/federation-routes.js'
import { type JsonApiOptions, jsonApi } from '../taxii/admin/json-api.js'
import { ledgerRoutes } from '../taxii/admin/ledger-routes.js'
import { searchRoutes } from '../taxii/admin/search-routes.js'
import { DEFAULT_TAXII_CONFIG, type TaxiiConfig } from '../taxii/config.js'
import { CursorCodec } from '../taxii/cursor.js'
import { createTaxiiHandler } from '../taxii/handler.js'
import { consoleMounts } from './console-mount.js'
import { createHttpServer, type Mount } from './http-server.js'
import { createServices, type NodeServices } from './services.js'

export interface NodeOptions {
  dataDir: string
  /** Store location: SQLite path or postgres:// URL; defaults to the data directory's file. */
  db?: string
  /** Overrides of the TAXII settings; publicUrl defaults to the listening address. */
  taxii?: Partial<TaxiiConfig>
  /** Checkpoint origin of the node's logs. */
  origin?: string
  /** Request and error logs; by default only errors, on stderr. */
  logger?: Logger
  /** Serve HTTPS (and optionally accept bound client certificates) instead of plain HTTP. */
  tls?: TlsSettings
  /** Hold lifting a suspension or widening an agreement until a second officer approves. */
  fourEyes?: boolean
  /**
   * Run feeds and pushes in this process (default true). With several processes on one
   * database, exactly one should run them, or every process polls every feed.
   */
  federation?: boolean
  /**
   * Append large partner pages' disclosures from a worker thread (default false): the node's own
   * thread then keeps serving while a page's ledger entries are hashed and written, at the cost of a
   * second heap and connection whose memory the soak saw grow (docs/DEPLOYMENT.md).
   */
  ledgerWriter?: boolean
}

export interface SluiceNode {
  store: Store
  services: NodeServices
  server: Server
  config: TaxiiConfig
  metrics: NodeMetrics
  logger: Logger
  /** Runs the node's feeds and pushes (started with the node, stopped by close). */
  federation: FederationScheduler
  listen(port: number, host: string): Promise<string>
  close(): Promise<void>
}

const RESERVED = new Set([
  'admin',
  'ledger',
  'search',
  'console',
  'console-api',
  'healthz',
  'metrics',
  'federation',
])

/** Wires a store, the disclosure gate and the HTTP API into one node. */
export async function createNode(options: NodeOptions): Promise<SluiceNode> {
  // read the certificate files first: a bad path fails before the store is opened
  const tls = options.tls
    ? { server: tlsServerOptions(options.tls), onSecure: onSecureConnection(options.tls) }
    : undefined
  const store = await openStore(options.db, options.dataDir)
  const config: TaxiiConfig = { ...DEFAULT_TAXII_CONFIG, publicUrl: 'http://127.0.0.1', ...options.taxii }
  let cursors: CursorCodec
  let services: NodeServices
  try {
    await ensureDefaultApiRoot(store)
    await recordFourEyes(store, options.fourEyes === true)
    cursors = new CursorCodec(await store.secret('cursor'))
    services = await createServices(store, {
      dataDir: options.dataDir,
      createKey: true,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.ledgerWriter === true ? { storeLocation: storeLocation(options.db, options.dataDir) } : {}),
    })
  } catch (error) {
    // a refused node must not keep its connections open (a PostgreSQL pool would hold the process)
    await store.close().catch(() => {})
    throw error
  }
  const { gate } = services
  const logger = options.logger ?? errorLogger()
  const metrics = nodeMetrics(store, services.policy, sluiceVersion())
  services.policyGate.observer = metrics.gate
  const ingest: PrepareOptions = ingestOptions(store)
  const limiter = config.partnerRateLimit
    ? new PartnerRateLimiter(config.partnerRateLimit, undefined, metrics.rateLimited)
    : undefined
  const taxii = createTaxiiHandler(
    { store, gate, cursors, config, ingest, ...(limiter ? { limiter } : {}) },
    {
      reserved: RESERVED,
      onInternalError: (error, requestId) => logger.error('internal error', { requestId, error }),
    },
  )
  const federation = new FederationScheduler(federationContext(services), {
    onError: (error) => logger.error('federation', { error }),
  })
  // partners' 404s on every API they may use wait for the same floor as on TAXII, under one rate limit
  const partnerApi: JsonApiOptions = {
    refusalFloorMs: config.refusalFloorMs,
    ...(limiter ? { limiter } : {}),
  }
  const mounts: Mount[] = [
    {
      prefix: 'admin',
      handle: jsonApi(store, 'admin', [
        ...withFourEyes(adminRoutes(services), services, options.fourEyes === true),
        ...keyRoutes(store),
      ]),
    },
    { prefix: 'ledger', handle: jsonApi(store, 'ledger', ledgerRoutes(services), partnerApi) },
    ...consoleMounts(services, partnerApi),
    { prefix: 'search', handle: jsonApi(store, 'search', searchRoutes(services), partnerApi) },
    { prefix: 'healthz', handle: healthHandler(store) },
    { prefix: 'metrics', handle: metricsHandler(store, metrics.registry) },
    {
      prefix: 'federation',
      handle: jsonApi(store, 'federation', federationRoutes(services, federation), partnerApi),
    },
  ]
  const server = createHttpServer(mounts, taxii, undefined, {
    ...(tls ? { tls: tls.server, onSecureConnection: tls.onSecure } : {}),
    observe: observeRequests(metrics, logger, new Set(mounts.map((m) => m.prefix))),
    onUnhandled: (error) => logger.error('unhandled', { error }),
    onRefused: refusedRequests(metrics, logger),
  })
  const scheme = tls ? 'https' : 'http'
  if (options.federation !== false) federation.start()
  const explicitUrl = options.taxii?.publicUrl !== undefined
  return {
    store,
    services,
    server,
    config,
    metrics,
    logger,
    federation,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          const { port: bound } = server.address() as AddressInfo
          if (!explicitUrl)
            config.publicUrl = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${bound}`
          resolve(config.publicUrl)
        })
      }),
    close: async () => {
      await federation.stop()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await services.ledger.writer?.close()
      await store.close()
    },
  }
}
