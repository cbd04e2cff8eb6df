import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Store } from '../store/types.js'

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
    const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end('{"status":"method not allowed"}')
      return
    }
    const path = url.pathname.replace(/\/+$/, '')
    if (path === '/healthz/live') {
      res.writeHead(200, headers).end('{"status":"ok","live":true}')
      return
    }
    if (path !== '/healthz' && path !== '/healthz/ready') {
      res.writeHead(404, headers).end('{"status":"not found"}')
      return
    }
    const readiness = await checkReadiness(store)
    const body = JSON.stringify({
      status: readiness.ready ? 'ok' : 'unavailable',
      live: true,
      ready: readiness.ready,
      checks: { store: { ok: readiness.checks.store.ok, ms: readiness.checks.store.ms } },
    })
    res.writeHead(readiness.ready ? 200 : 503, headers).end(req.method === 'HEAD' ? undefined : body)
  }
}
