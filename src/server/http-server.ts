import { randomUUID } from 'node:crypto'
import {
  createServer,
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http'
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import type { RefusedRequest } from '../ops/request-context.js'
import { TaxiiError } from '../taxii/errors.js'
import { sendError } from '../taxii/http-io.js'

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
  /** Called for each request Node's parser refused before any handler saw it, once it is answered. */
  onRefused?: (refused: RefusedRequest) => void
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
  const marks: ConnectionMarks = { closing: new WeakSet(), refused: new WeakSet() }
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!res.shouldKeepAlive) marks.closing.add(req.socket)
    // handlers that have their own request id replace this one
    res.setHeader('X-Request-Id', randomUUID())
    let url: URL
    try {
      // the URL parser resolves dot segments and reads a leading // (or \, which it takes for /) as a host,
      // either of which would let a path past a proxy that allows /intel/ into another mount
      const path = req.url?.split('?')[0] ?? ''
      if (DOT_SEGMENT.test(path) || path.startsWith('//') || path.includes('\\'))
        throw new TypeError('not a plain path')
      url = new URL(req.url ?? '/', 'http://node.invalid')
    } catch {
      options.observe?.(req, res, undefined)
      sendError(
        res,
        new TaxiiError(
          400,
          'Bad request',
          'the request path must be plain: no "." or ".." segments, no leading "//", no "\\"',
          {
            errorCode: 'bad-url',
          },
        ),
      )
      return
    }
    options.observe?.(req, res, url)
    const first = url.pathname.split('/')[1] ?? ''
    const handle = byPrefix.get(first) ?? fallback
    handle(req, res, url).catch((error) => {
      // handlers answer their own errors; this is the last line against a crash
      if (options.onUnhandled) options.onUnhandled(error)
      else console.error(JSON.stringify({ level: 'error', msg: 'unhandled', error: String(error) }))
      if (!res.headersSent)
        sendError(res, new TaxiiError(500, 'Internal error', undefined, { errorCode: 'internal' }))
      else res.destroy()
    })
  }
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener)
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(error, socket, marks, options.onRefused),
  )
  // without a listener Node drops a CONNECT without a word; this node is no proxy, and says so
  server.on('connect', (req: IncomingMessage, socket: Duplex) =>
    refuseConnect(req, socket, options.onRefused),
  )
  if (options.tls && options.onSecureConnection) server.on('secureConnection', options.onSecureConnection)
  server.requestTimeout = timeouts.requestMs
  server.headersTimeout = timeouts.headersMs
  server.keepAliveTimeout = 5_000
  return server
}

/** A `.` or `..` path segment, written plainly or percent-encoded, between slashes or backslashes. */
const DOT_SEGMENT = /(^|[/\\])(\.|%2e){1,2}([/\\]|$)/i

/** What Node's HTTP parser refused, as a TAXII error; undefined when there is no one left to tell. */
function parserError(error: NodeJS.ErrnoException): TaxiiError | undefined {
  switch (error.code) {
    case 'ECONNRESET':
      return undefined
    case 'HPE_HEADER_OVERFLOW':
      return new TaxiiError(
        431,
        'Request header fields too large',
        `the request line and headers are limited to ${maxHeaderSize} bytes`,
        { errorCode: 'headers-too-large' },
      )
    case 'HPE_INVALID_METHOD':
      // RFC 9110 §9.1: a method the server does not recognise is 501; a known one it refuses is 405
      return new TaxiiError(501, 'Not implemented', 'the request method is not one this node knows', {
        errorCode: 'not-implemented',
      })
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new TaxiiError(408, 'Request timeout', 'the request took too long to arrive', {
        errorCode: 'request-timeout',
      })
    default:
      return new TaxiiError(400, 'Bad request', 'the request is not valid HTTP/1.1', {
        errorCode: 'bad-http',
      })
  }
}

/** A whole response written by hand; `bodyless` (an answer to HEAD) declares the body's length and omits it. */
function rawResponse(error: TaxiiError, requestId: string, bodyless = false): string {
  const body = error.body()
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? error.title}`,
    `Content-Type: ${TaxiiError.contentType}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    bodyless ? '' : body,
  ].join('\r\n')
}

/** What the listener knows of a connection when its parser refuses bytes on it. */
interface ConnectionMarks {
  /** A request on it asked to close. */
  closing: WeakSet<Duplex>
  /** Refused once: the parser refuses every later chunk too, and those need no answer. */
  refused: WeakSet<Duplex>
}

/**
 * Node answers a request its parser refuses (e.g. 431 for over-long headers) with an empty body; this
 * answers with a TAXII error instead, then drops the connection, since the parser cannot go on from there.
 * Bytes after a request that asked to close are not a request (RFC 9112 §9.6: none is processed), and
 * bytes that arrive while an answer is pending cannot be answered before it; both only end the connection.
 */
function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Duplex,
  marks: ConnectionMarks,
  onRefused: ListenerOptions['onRefused'],
): void {
  if (marks.refused.has(socket)) return
  marks.refused.add(socket)
  const taxii = parserError(error)
  const pending = (socket as { _httpMessage?: ServerResponse })._httpMessage
  if (pending && !pending.writableFinished) {
    // ending, not destroying: a destroyed socket drops what the answer still has buffered
    pending.once('close', () => socket.end(() => socket.destroy()))
    return
  }
  if (!taxii || !socket.writable || marks.closing.has(socket)) {
    socket.destroy()
    return
  }
  const requestId = randomUUID()
  const remote = (socket as { remoteAddress?: string }).remoteAddress
  // the method is known only while the request line is in the packet the parser refused
  const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD '
  socket.end(rawResponse(taxii, requestId, head), () => socket.destroy())
  onRefused?.({ requestId, status: taxii.status, errorCode: taxii.errorCode ?? 'bad-http', remote })
}

function refuseConnect(req: IncomingMessage, socket: Duplex, onRefused: ListenerOptions['onRefused']): void {
  // 501 rather than 405: a 405 must list the methods the target allows, and a CONNECT names no resource here
  const error = new TaxiiError(501, 'Not implemented', 'CONNECT is not supported: this node is not a proxy', {
    errorCode: 'not-implemented',
  })
  const requestId = randomUUID()
  socket.on('error', () => socket.destroy())
  socket.end(rawResponse(error, requestId), () => socket.destroy())
  onRefused?.({
    requestId,
    status: error.status,
    errorCode: 'not-implemented',
    remote: req.socket.remoteAddress,
  })
}
