import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Store } from '../store/types.js'
import { TaxiiError } from '../taxii/errors.js'
import { sendError } from '../taxii/http-io.js'

export interface Readiness {
  ready: boolean
  checks: { store: { ok: boolean; ms: number; error?: string } }
}

/** The store answers a cheap query within the time limit. */
export async function checkReadiness(store: Store, timeoutMs = 2000): Promise<Readiness> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      store.policyVersion(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return { ready: true, checks: { store: { ok: true, ms: Math.round(performance.now() - started) } } }
  } catch (error) {
    return {
      ready: false,
      checks: {
        store: {
          ok: false,
          ms: Math.round(performance.now() - started),
          error: (error as Error).message.slice(0, 200),
        },
      },
    }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `/healthz` and `/healthz/ready`: readiness (the store answers), 200 or 503.
 * `/healthz/live`: liveness, 200 whenever the process serves HTTP at all.
 * Unauthenticated, so they say nothing but up or down.
 */
export function healthHandler(store: Store) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    // a declared length lets the access log and a HEAD tell the size of what a GET answers
    const answer = (status: number, body: string): void => {
      res
        .writeHead(status, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          'Content-Length': Buffer.byteLength(body),
        })
        .end(req.method === 'HEAD' ? undefined : body)
    }
    // a probe reads the status; the errors are the node's one error format, as on every API
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(
        res,
        new TaxiiError(405, 'Method not allowed', 'use GET or HEAD', {
          errorCode: 'method-not-allowed',
          headers: { Allow: 'GET, HEAD' },
        }),
      )
    const path = url.pathname.replace(/\/+$/, '')
    if (path === '/healthz/live') return answer(200, '{"status":"ok","live":true}')
    if (path !== '/healthz' && path !== '/healthz/ready')
      return sendError(
        res,
        new TaxiiError(404, 'Not found', 'health is at /healthz, /healthz/ready and /healthz/live', {
          errorCode: 'no-endpoint',
        }),
      )
    const readiness = await checkReadiness(store)
    const body = JSON.stringify({
      status: readiness.ready ? 'ok' : 'unavailable',
      live: true,
      ready: readiness.ready,
      checks: { store: { ok: readiness.checks.store.ok, ms: readiness.checks.store.ms } },
    })
    answer(readiness.ready ? 200 : 503, body)
  }
}
