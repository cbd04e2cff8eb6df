import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

export interface Mount {
  /** First path segment this mount owns, e.g. "admin"; the fallback has none. */
  prefix: string
  handle: RouteHandler
}

/**
 * The node's HTTP listener: TAXII is the fallback and other parts of the node
 * own a first path segment each. Timeouts bound slow clients.
 */
export function createHttpServer(mounts: Mount[], fallback: RouteHandler, timeouts = { requestMs: 60_000, headersMs: 15_000 }): Server {
  const byPrefix = new Map(mounts.map((m) => [m.prefix, m.handle]))
  const server = createServer((req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://node.invalid')
    } catch {
      res.writeHead(400).end()
      return
    }
    const first = url.pathname.split('/')[1] ?? ''
    const handle = byPrefix.get(first) ?? fallback
    handle(req, res, url).catch((error) => {
      // handlers answer their own errors; this is the last line against a crash
      console.error(JSON.stringify({ level: 'error', msg: 'unhandled', error: String(error) }))
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  })
  server.requestTimeout = timeouts.requestMs
  server.headersTimeout = timeouts.headersMs
  server.keepAliveTimeout = 5_000
  return server
}
