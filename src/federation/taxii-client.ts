import { TlsSetupError } from '../ops/tls-check.js'
import { describeInexactNumber, iJsonProblems } from '../stix/i-json.js'
import { boundedText, MAX_RESPONSE_BYTES, ResponseTooLarge } from './bounded-body.js'
import { discoveryUrlRefusal, remoteTrustHint, suggestedApiRoot } from './remote-hints.js'
import { readRemoteTls } from './remote-tls.js'
import { withRateLimitRetries } from './retry-after.js'
import { tlsFetch } from './tls-fetch.js'
import type { RemoteCollection } from './types.js'

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'

/** A remote answered with an error, or could not be reached. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

export interface ObjectsPage {
  objects: unknown[]
  more: boolean
  next?: string
  /** X-TAXII-Date-Added-First / -Last of the page. */
  first?: string
  last?: string
}

export interface StatusResource {
  status?: string
  success_count?: number
  failure_count?: number
  failures?: { id: string; version?: string; message?: string }[]
}

export interface ClientOptions {
  fetch?: typeof fetch
  timeoutMs?: number
  /** The most of one response body read; default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number
}

/** Removes a trailing slash so paths join cleanly. */
const trim = (url: string) => url.replace(/\/+$/, '')

/**
 * Just enough of a TAXII 2.1 client for federation: one collection's objects (with `added_after`,
 * `match[version]`, `limit` and `next`), posting an envelope, and the JSON APIs a Sluice node offers
 * beside TAXII (ledger, federation). Works against any server that follows the specification.
 */
export class TaxiiClient {
  #fetch: typeof fetch | undefined
  readonly #timeoutMs: number
  readonly #maxResponseBytes: number

  constructor(
    readonly remote: RemoteCollection,
    options: ClientOptions = {},
  ) {
    this.#fetch = options.fetch ?? (remote.tls ? undefined : fetch)
    this.#timeoutMs = options.timeoutMs ?? 30_000
    this.#maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES
  }

  #readJson(res: Response): Promise<unknown> {
    return readJson(res, this.#maxResponseBytes)
  }

  /** The remote's TLS files are read at the first request, so that a bad one fails that poll, and says why. */
  #fetcher(): typeof fetch {
    if (this.#fetch) return this.#fetch
    try {
      this.#fetch = tlsFetch(readRemoteTls(this.remote.tls!))
    } catch (error) {
      if (!(error instanceof TlsSetupError)) throw error
      throw new RemoteError(`cannot reach ${new URL(this.remote.apiRoot).origin}: ${error.message}`)
    }
    return this.#fetch
  }

  #authorization(): string {
    return this.remote.auth === 'basic'
      ? `Basic ${Buffer.from(this.remote.key).toString('base64')}`
      : `Bearer ${this.remote.key}`
  }

  async #request(
    url: string,
    init: { method?: string; body?: string; accept: string; contentType?: string },
  ): Promise<Response> {
    const fetcher = this.#fetcher()
    try {
      // a peer's rate limit is waited out, as it asks, rather than failing the poll
      return await withRateLimitRetries(() =>
        fetcher(url, {
          method: init.method ?? 'GET',
          headers: {
            Accept: init.accept,
            Authorization: this.#authorization(),
            ...(init.contentType ? { 'Content-Type': init.contentType } : {}),
          },
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal: AbortSignal.timeout(this.#timeoutMs),
        }),
      )
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      const hint = remoteTrustHint(cause, this.remote.tls?.caFile)
      throw new RemoteError(
        `cannot reach ${new URL(url).origin}: ${cause ?? (error as Error).message}${hint ? `; ${hint}` : ''}`,
      )
    }
  }

  /**
   * Why the collection answered 404 when the configured API root is in fact the discovery resource (a
   * common mistake: it is the URL a server advertises); undefined when it is not.
   */
  async #discoveryRefusal(): Promise<RemoteError | undefined> {
    let body: unknown
    try {
      const res = await this.#request(this.remote.apiRoot, { accept: TAXII_MEDIA_TYPE })
      body = res.ok ? await this.#readJson(res) : undefined
    } catch {
      return undefined
    }
    if (!isRecord(body) || !Array.isArray(body.api_roots)) return undefined
    const url = new URL(this.remote.apiRoot)
    const root = suggestedApiRoot(url, [body.default, ...body.api_roots])
    return new RemoteError(discoveryUrlRefusal(url, root, 'define the feed or push again with'), 404)
  }

  /** The error for an answer a request did not want, saying so when the URL is the discovery URL. */
  async #refusal(what: string, res: Response, body: unknown): Promise<RemoteError> {
    if (res.status === 404) {
      const discovery = await this.#discoveryRefusal()
      if (discovery) return discovery
    }
    return new RemoteError(`${what} answered ${res.status}: ${errorText(body)}`, res.status)
  }

  get objectsUrl(): string {
    return `${trim(this.remote.apiRoot)}/collections/${encodeURIComponent(this.remote.collection)}/objects/`
  }

  /** One page of the collection's objects, every version, oldest first. */
  async objects(params: { addedAfter?: string; next?: string; limit: number }): Promise<ObjectsPage> {
    const query = new URLSearchParams()
    if (params.addedAfter) query.set('added_after', params.addedAfter)
    query.set('match[version]', 'all')
    query.set('limit', String(params.limit))
    if (params.next) query.set('next', params.next)
    const res = await this.#request(`${this.objectsUrl}?${query}`, { accept: TAXII_MEDIA_TYPE })
    const body = await this.#readJson(res)
    if (res.status !== 200) throw await this.#refusal('GET objects', res, body)
    if (!isRecord(body)) throw new RemoteError('GET objects did not answer a TAXII envelope')
    const objects = body.objects ?? []
    if (!Array.isArray(objects)) throw new RemoteError('the envelope\'s "objects" is not an array')
    const next = typeof body.next === 'string' ? body.next : undefined
    const first = res.headers.get('x-taxii-date-added-first') ?? undefined
    const last = res.headers.get('x-taxii-date-added-last') ?? undefined
    return {
      objects,
      more: body.more === true,
      ...(next ? { next } : {}),
      ...(first ? { first } : {}),
      ...(last ? { last } : {}),
    }
  }

  /** Posts an envelope (given as its exact text) and returns the status resource. */
  async post(envelope: string): Promise<StatusResource> {
    const res = await this.#request(this.objectsUrl, {
      method: 'POST',
      body: envelope,
      accept: TAXII_MEDIA_TYPE,
      contentType: TAXII_MEDIA_TYPE,
    })
    const body = await this.#readJson(res)
    if (res.status !== 202 && res.status !== 200) throw await this.#refusal('POST objects', res, body)
    return isRecord(body) ? (body as StatusResource) : {}
  }

  /** A JSON API of the remote node (`ledger/...`, `federation/...`); undefined when the node has none (404). */
  async node(path: string, post?: unknown): Promise<unknown | undefined> {
    const res = await this.#request(`${trim(this.remote.nodeUrl)}/${path}`, {
      accept: 'application/json',
      ...(post !== undefined
        ? { method: 'POST', body: JSON.stringify(post), contentType: 'application/json' }
        : {}),
    })
    const body = await this.#readJson(res)
    if (res.status === 404) return undefined
    if (res.status >= 300)
      throw new RemoteError(
        `${post !== undefined ? 'POST' : 'GET'} ${path} answered ${res.status}: ${errorText(body)}`,
        res.status,
      )
    return body
  }
}

async function readJson(res: Response, max: number): Promise<unknown> {
  let text: string
  try {
    text = await boundedText(res, max)
  } catch (error) {
    if (error instanceof ResponseTooLarge) throw new RemoteError(error.message, res.status)
    throw error
  }
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new RemoteError(`the server answered ${res.status} with a body that is not JSON`, res.status)
  }
  const { repeatedMember: repeated, inexactNumber: inexact } = iJsonProblems(text)
  if (repeated !== undefined)
    throw new RemoteError(
      `the server answered ${res.status} with a body that gives the member "${repeated}" twice in one object`,
      res.status,
    )
  // stored, it would be served changed, as if the peer had sent it so
  if (inexact !== undefined)
    throw new RemoteError(
      `the server answered ${res.status} with a body in which ${describeInexactNumber(inexact)}`,
      res.status,
    )
  return value
}

function errorText(body: unknown): string {
  if (isRecord(body))
    return [body.title, body.description].filter((s) => typeof s === 'string').join(': ') || 'no details'
  return 'no details'
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
