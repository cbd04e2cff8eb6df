import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https'
import type { TLSSocket } from 'node:tls'

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

export interface Mount {
  /** First path segment this mount owns, e.g. "admin"; the fallback has none. */
  prefix: string
  handle: RouteHandler
}

export interface ListenerOptions {
  /** Serve HTTPS with these options (certificate, key, client certificates). */
  tls?: TlsServerOptions
  onSecureConnection?: (socket: TLSSocket) => void
  /** Called once per request before it is routed (metrics, access log); `url` is undefined when unparsable. */
  observe?: (req: IncomingMessage, res: ServerResponse, url: URL | undefined) => void
  /** Where failures no handler answered are reported. */
  onUnhandled?: (error: unknown) => void
}

/**
 * The node's HTTP listener: TAXII is the fallback and other parts of the node
 * own a first path segment each. Timeouts bound slow clients.
 */
export function createHttpServer(
  mounts: Mount[],
  fallback: RouteHandler,
  timeouts = { requestMs: 60_000, headersMs: 15_000 },
  options: ListenerOptions = {},
): Server {
  const byPrefix = new Map(mounts.map((m) => [m.prefix, m.handle]))
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    // handlers that have their own request id replace this one
    res.setHeader('X-Request-Id', randomUUID())
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://node.invalid')
    } catch {
      options.observe?.(req, res, undefined)
      res.writeHead(400).end()
      return
    }
    options.observe?.(req, res, url)
    const first = url.pathname.split('/')[1] ?? ''
    const handle = byPrefix.get(first) ?? fallback
    handle(req, res, url).catch((error) => {
      // handlers answer their own errors; this is the last line against a crash
      if (options.onUnhandled) options.onUnhandled(error)
      else console.error(JSON.stringify({ level: 'error', msg: 'unhandled', error: String(error) }))
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  }
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener)
  if (options.tls && options.onSecureConnection) server.on('secureConnection', options.onSecureConnection)
  server.requestTimeout = timeouts.requestMs
  server.headersTimeout = timeouts.headersMs
  server.keepAliveTimeout = 5_000
  return server
}
