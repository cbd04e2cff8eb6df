import { type IncomingHttpHeaders, STATUS_CODES } from 'node:http'
import { Agent, request } from 'node:https'
import { Readable } from 'node:stream'
import type { TlsMaterial } from './remote-tls.js'

/** How long a kept-alive connection to the peer may idle before it is closed. */
const IDLE_MS = 5_000

/** Statuses whose response has no body: a Response refuses to be built with one. */
const NO_BODY = new Set([101, 103, 204, 205, 304])

/**
 * A `fetch` for HTTPS peers that presents a client certificate or trusts CAs of its own. Node's global
 * fetch takes neither without a dispatcher from the undici package, which this would add as a dependency;
 * `https.request` takes both. It answers as fetch does (a Response; a failed connection as a TypeError whose
 * cause carries the system's code; a timeout as the signal's reason; the body as a stream), so the TAXII
 * client cannot tell the two apart. Requests through one such fetch (one poll or push) share kept-alive
 * connections, so a poll of many pages does one handshake, not one a page; an idle connection closes
 * after a few seconds and never keeps the process up.
 */
export function tlsFetch(material: TlsMaterial): typeof fetch {
  const agent = new Agent({ keepAlive: true, timeout: IDLE_MS, ...material, minVersion: 'TLSv1.2' })
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      // feeds and pushes with TLS files are https only (definitions.ts refuses anything else)
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (init.body != null && typeof init.body !== 'string') {
        reject(new TypeError('this fetch sends text bodies only'))
        return
      }
      const signal = init.signal ?? undefined
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(new Headers(init.headers).entries()),
          agent,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          // resolved at the headers, with the body streamed, as fetch does: the client bounds what it reads
          const status = res.statusCode ?? 0
          try {
            resolve(
              new Response(NO_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
                status,
                statusText: res.statusMessage ?? STATUS_CODES[status] ?? '',
                headers: responseHeaders(res.headers),
              }),
            )
          } catch (error) {
            // a status outside 200–599, which fetch refuses too
            res.destroy()
            reject(new TypeError('fetch failed', { cause: error }))
          }
        },
      )
      req.on('error', (error) => reject(failure(error, signal)))
      req.end(init.body ?? undefined)
    })
}

function failure(error: Error, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason
  return new TypeError('fetch failed', { cause: error })
}

function responseHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
  }
  return headers
}
