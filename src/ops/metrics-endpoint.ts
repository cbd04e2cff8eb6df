import type { IncomingMessage, ServerResponse } from 'node:http'
import { ALLOWED, requireRole } from '../auth/roles.js'
import type { Store } from '../store/types.js'
import { authenticateRequest } from '../taxii/authenticate.js'
import { TaxiiError } from '../taxii/errors.js'
import { sendError } from '../taxii/http-io.js'
import type { MetricsRegistry } from './metrics.js'
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js'
import { noteRequest } from './request-context.js'

/**
 * `/metrics` in Prometheus text format. Partner names and traffic are
 * operational secrets, so scrapes authenticate (admin or auditor; Prometheus
 * sends a bearer token or a client certificate).
 */
export function metricsHandler(store: Store, registry: MetricsRegistry) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    noteRequest(res, { route: '/metrics' })
    try {
      if (url.pathname.replace(/\/+$/, '') !== '/metrics')
        throw new TaxiiError(404, 'Not found', 'the metrics live at /metrics', { errorCode: 'no-endpoint' })
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new TaxiiError(405, 'Method not allowed', 'use GET', {
          errorCode: 'method-not-allowed',
          headers: { Allow: 'GET, HEAD' },
        })
      requireRole(await authenticateRequest(store, req), ALLOWED.metrics)
      const text = await registry.render()
      res.writeHead(200, {
        'Content-Type': PROMETHEUS_CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      })
      res.end(req.method === 'HEAD' ? undefined : text)
    } catch (error) {
      sendError(
        res,
        error instanceof TaxiiError
          ? error
          : new TaxiiError(500, 'Internal error', 'the metrics could not be rendered', {
              errorCode: 'internal',
            }),
      )
    }
  }
}
