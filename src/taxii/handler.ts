import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ALLOWED, requireRole } from '../auth/roles.js'
import { noteRequest } from '../ops/request-context.js'
import { authenticateRequest } from './authenticate.js'
import type { TaxiiDeps } from './context.js'
import { methodNotAllowed, noEndpoint, TaxiiError } from './errors.js'
import { send, sendError } from './http-io.js'
import { acceptsTaxii, TAXII_MEDIA_TYPE } from './media-types.js'
import { RefusalFloor } from './refusal-floor.js'
import { allowedMethods, matchRoute, pathSegments } from './routes.js'

export interface TaxiiHandlerOptions {
  /** First path segments that belong to other parts of the node (console, admin API) and are never API roots. */
  reserved: ReadonlySet<string>
  /** Logs failures the client cannot fix; receives the request id. */
  onInternalError?: (error: unknown, requestId: string) => void
}

/**
 * The TAXII 2.1 API: negotiation, authentication, routing and the single
 * error boundary that turns every failure into a TAXII error message.
 */
export function createTaxiiHandler(deps: TaxiiDeps, options: TaxiiHandlerOptions) {
  return async function handleTaxii(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = randomUUID()
    const floor = new RefusalFloor(deps.config.refusalFloorMs)
    res.setHeader('X-Request-Id', requestId)
    try {
      const segments = pathSegments(url.pathname)
      const match = segments && matchRoute(segments, options.reserved)
      if (!match) throw noEndpoint('TAXII')
      const route = `/${match.route.pattern.join('/')}`
      noteRequest(res, { route })
      const handler = match.route.methods[req.method ?? 'GET']
      if (!handler) throw methodNotAllowed(req.method, allowedMethods(match.route))
      if (!acceptsTaxii(req.headers.accept)) {
        throw new TaxiiError(406, 'Not acceptable', `this server answers with ${TAXII_MEDIA_TYPE}`, {
          errorCode: 'not-acceptable',
        })
      }
      const principal = await authenticateRequest(deps.store, req, deps.limiter)
      requireRole(principal, ALLOWED.taxii)
      floor.askedBy(principal.role)
      const instant = new Date().toISOString()
      const session = await deps.gate.open(
        {
          principalId: principal.id,
          role: principal.role,
          requestId,
          ...(principal.partnerId ? { partnerId: principal.partnerId } : {}),
        },
        instant,
      )
      const reply = await handler({ deps, req, url, route, params: match.params, session })
      send(res, reply, TAXII_MEDIA_TYPE)
    } catch (error) {
      const taxii =
        error instanceof TaxiiError
          ? error
          : new TaxiiError(
              500,
              'Internal error',
              `the server could not complete the request; quote request id ${requestId}`,
              {
                errorCode: 'internal',
                cause: error,
              },
            )
      if (taxii.status >= 500) options.onInternalError?.(error, requestId)
      if (!req.complete) req.resume()
      await floor.before(taxii.status)
      sendError(res, taxii)
    }
  }
}
