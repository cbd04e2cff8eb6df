import { TAXII_MEDIA_TYPE } from './media-types.js'

/**
 * A failure the client should see as a TAXII error message (spec §3.6.1).
 * Handlers throw it; the server's single error boundary renders it.
 */
export class TaxiiError extends Error {
  readonly status: number
  readonly title: string
  readonly description: string | undefined
  readonly errorCode: string | undefined
  readonly headers: Record<string, string>

  constructor(
    status: number,
    title: string,
    description?: string,
    options: { errorCode?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(description ? `${title}: ${description}` : title, { cause: options.cause })
    this.status = status
    this.title = title
    this.description = description
    this.errorCode = options.errorCode
    this.headers = options.headers ?? {}
  }

  body(): string {
    return JSON.stringify({
      title: this.title,
      ...(this.description ? { description: this.description } : {}),
      ...(this.errorCode ? { error_code: this.errorCode } : {}),
      http_status: String(this.status),
    })
  }

  static contentType = TAXII_MEDIA_TYPE
}

export const badRequest = (description: string, errorCode = 'bad-request') =>
  new TaxiiError(400, 'Bad request', description, { errorCode })

export const notFound = (what: string) =>
  new TaxiiError(404, 'Not found', `${what} does not exist or is not available to you`, {
    errorCode: 'not-found',
  })

/** No route of the named API (TAXII, admin, ledger, …) answers this path. */
export const noEndpoint = (api: string) =>
  new TaxiiError(404, 'Not found', `no ${api} endpoint at this path`, { errorCode: 'no-endpoint' })

export const methodNotAllowed = (method: string | undefined, allowed: readonly string[]) =>
  new TaxiiError(405, 'Method not allowed', `${method} is not supported here; use ${allowed.join(', ')}`, {
    errorCode: 'method-not-allowed',
    headers: { Allow: allowed.join(', ') },
  })

/** A partner over the node's rate limit (serve --partner-rate): nothing was done, retry after the wait named. */
export const rateLimited = (retryAfterSeconds: number) =>
  new TaxiiError(
    429,
    'Too many requests',
    `this partner's requests are over the node's rate limit; retry after ${retryAfterSeconds} s`,
    { errorCode: 'rate-limited', headers: { 'Retry-After': String(retryAfterSeconds) } },
  )

export const forbidden = (description: string) =>
  new TaxiiError(403, 'Forbidden', description, { errorCode: 'forbidden' })

export const unauthorized = (description: string) =>
  new TaxiiError(401, 'Unauthorized', description, {
    errorCode: 'unauthorized',
    headers: { 'WWW-Authenticate': 'Basic realm="sluice", Bearer realm="sluice"' },
  })
