import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { roleRequired } from '../../auth/roles.js'
import { LedgerError } from '../../ledger/errors.js'
import type { PartnerRateLimiter } from '../../ops/rate-limit.js'
import { noteRequest } from '../../ops/request-context.js'
import {
  type BodyShape,
  checkBody,
  PolicyInputError,
  UnknownSubjectError,
} from '../../services/policy-input.js'
import { describeInexactNumber, iJsonProblems } from '../../stix/i-json.js'
import { PolicyChangedError } from '../../store/errors.js'
import type { PrincipalRecord, Store } from '../../store/types.js'
import { authenticateRequest } from '../authenticate.js'
import { badRequest, methodNotAllowed, noEndpoint, TaxiiError } from '../errors.js'
import { readBody, send, sendError } from '../http-io.js'
import { parseJsonBody } from '../json-body.js'
import { RefusalFloor } from '../refusal-floor.js'

export interface JsonRequest {
  principal: PrincipalRecord
  url: URL
  params: Record<string, string>
  body: Record<string, unknown>
  requestId: string
}

export interface JsonRoute {
  method: 'GET' | 'POST'
  /** Path segments after the mount prefix; `:name` captures. */
  path: string[]
  /** Roles allowed; a refusal names them. */
  roles: PrincipalRecord['role'][]
  /** The fields a POST body may have; anything else is refused before `handle` runs. Absent: not checked. */
  body?: BodyShape
  /** Query parameters that may be given more than once; any other given twice is refused. */
  repeatable?: readonly string[]
  handle: (req: JsonRequest) => Promise<unknown>
}

/**
 * The first query parameter given more than once that the route does not take several of. Routes read one
 * value; acting on the first of two (`?partner=a&partner=b`) answers a question the caller did not ask.
 */
function repeatedParam(url: URL, repeatable: readonly string[]): string | undefined {
  const seen = new Set<string>()
  for (const name of url.searchParams.keys()) {
    if (seen.has(name) && !repeatable.includes(name)) return name
    seen.add(name)
  }
  return undefined
}

const MAX_BODY = 1024 * 1024

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

function match(route: JsonRoute, segments: string[]): Record<string, string> | undefined {
  if (route.path.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < segments.length; i++) {
    const p = route.path[i]!
    if (p.startsWith(':')) {
      // a malformed escape names no resource: the route does not match (404), it is not a server error
      const value = safeDecode(segments[i]!)
      if (value === undefined) return undefined
      params[p.slice(1)] = value
    } else if (p !== segments[i]) return undefined
  }
  return params
}

/** What a JSON API shares with TAXII: the partners' refusal floor and rate limit. */
export interface JsonApiOptions {
  refusalFloorMs?: number
  limiter?: PartnerRateLimiter
}

/**
 * The node's JSON APIs besides TAXII (admin, ledger): authenticated like
 * TAXII, answered as application/json, with errors as TAXII error messages
 * so a client handles one error format.
 */
export function jsonApi(store: Store, prefix: string, routes: JsonRoute[], options: JsonApiOptions = {}) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const requestId = randomUUID()
    // as on TAXII: a partner's 404 for something hidden must take as long as one for something unknown
    const floor = new RefusalFloor(options.refusalFloorMs ?? 0)
    res.setHeader('X-Request-Id', requestId)
    let pathParams: Record<string, string> = {}
    try {
      const segments = url.pathname.split('/').filter(Boolean).slice(1)
      const candidates = routes.flatMap((r) => {
        const params = match(r, segments)
        return params ? [{ route: r, params }] : []
      })
      if (candidates.length === 0) throw noEndpoint(prefix)
      const found = candidates.find((c) => c.route.method === req.method)
      if (!found)
        throw methodNotAllowed(
          req.method,
          candidates.map((c) => c.route.method),
        )
      pathParams = found.params
      noteRequest(res, { route: `/${prefix}/${found.route.path.join('/')}` })
      const principal = await authenticateRequest(store, req, options.limiter)
      floor.askedBy(principal.role)
      if (!found.route.roles.includes(principal.role)) throw roleRequired(found.route.roles)
      const repeated = repeatedParam(url, found.route.repeatable ?? [])
      if (repeated !== undefined)
        throw badRequest(`the query parameter "${repeated}" is given more than once`)
      const body = req.method === 'POST' ? await readObject(req) : {}
      if (found.route.body) checkBody(body, found.route.body)
      const result = await found.route.handle({ principal, url, params: found.params, body, requestId })
      send(
        res,
        { status: req.method === 'POST' ? 201 : 200, body: JSON.stringify(result) },
        'application/json',
      )
    } catch (error) {
      const mapped =
        error instanceof TaxiiError
          ? error
          : error instanceof UnknownSubjectError && Object.values(pathParams).includes(error.subject)
            ? new TaxiiError(404, 'Not found', error.forApi, { errorCode: 'not-found' })
            : error instanceof PolicyInputError
              ? badRequest(error.forApi, 'invalid-input')
              : error instanceof LedgerError
                ? badRequest(error.message, 'invalid-input')
                : error instanceof PolicyChangedError
                  ? new TaxiiError(503, 'Service unavailable', error.message, {
                      errorCode: 'policy-busy',
                      headers: { 'Retry-After': '1' },
                    })
                  : new TaxiiError(500, 'Internal error', `quote request id ${requestId}`, {
                      errorCode: 'internal',
                      cause: error,
                    })
      // a fault to investigate; a 503 to retry is not one
      if (mapped.status === 500)
        console.error(
          JSON.stringify({ level: 'error', requestId, error: String(error), stack: (error as Error)?.stack }),
        )
      if (!req.complete) req.resume()
      await floor.before(mapped.status)
      sendError(res, mapped)
    }
  }
}

/** application/json or a structured +json type, such as TAXII's own. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/

function isJsonMediaType(header: string): boolean {
  return JSON_MEDIA_TYPE.test(header.split(';')[0]!.trim().toLowerCase())
}

/**
 * A body must be declared as JSON. A browser sends a cross-site form (text/plain, urlencoded, multipart)
 * with whatever credentials it holds for the node, Basic ones included, and without asking first; a JSON
 * type it only sends after a CORS preflight the node never grants. So a form-encoded change is refused
 * even when its text happens to be JSON.
 */
async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type']
  const text = await readBody(req, MAX_BODY)
  if (type === undefined ? text.trim() !== '' : !isJsonMediaType(type))
    throw new TaxiiError(415, 'Unsupported media type', 'send the body as Content-Type: application/json', {
      errorCode: 'unsupported-media-type',
    })
  const parsed = text.trim() === '' ? {} : parseJsonBody(text, 32)
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('the body must be a JSON object')
  const { repeatedMember: repeated, inexactNumber: inexact } = iJsonProblems(text)
  if (repeated !== undefined)
    throw badRequest(`the field "${repeated}" is given more than once`, 'invalid-input')
  if (inexact !== undefined) throw badRequest(describeInexactNumber(inexact), 'invalid-input')
  return parsed as Record<string, unknown>
}

/**
 * A query parameter naming something (a partner, a principal, a collection): undefined when absent, refused
 * when empty, since `?partner=` read as "no filter" answers about every partner.
 */
export function queryParam(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name)
  if (value !== null && value.trim() === '') throw badRequest(`${name} is empty; give one`)
  return value ?? undefined
}

/** A positive integer query parameter, or undefined when absent; anything else is refused, not read as absent. */
export function positiveIntParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name)
  if (value === null) return undefined
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badRequest(`${name} must be a positive integer`)
  return Number(value)
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A list field of a body `checkBody` has passed; undefined when absent. */
export function names(value: unknown): string[] | undefined {
  return Array.isArray(value) ? (value as string[]) : undefined
}
