import { Agent, request } from 'node:http'
import { nowMs } from './stats.js'

/** The TAXII 2.1 media type, for Accept and Content-Type. */
export const TAXII = 'application/taxii+json;version=2.1'

export interface HttpResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface RequestSpec {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: Buffer | string
}

/**
 * A keep-alive client for one loopback base URL. The benches only ever talk to a node they
 * started themselves on 127.0.0.1; anything else is refused.
 */
export class LoopbackClient {
  readonly #base: URL
  readonly #agent: Agent

  constructor(baseUrl: string, sockets = 4) {
    this.#base = new URL(baseUrl)
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(this.#base.hostname)) {
      throw new Error(`bench clients only talk to loopback addresses, not ${this.#base.hostname}`)
    }
    this.#agent = new Agent({ keepAlive: true, maxSockets: sockets })
  }

  /** Sends a request; a GET whose reused socket was reset before any answer is retried once. */
  async send(spec: RequestSpec): Promise<HttpResult> {
    try {
      return await this.#once(spec)
    } catch (error) {
      if ((spec.method ?? 'GET') === 'GET' && (error as NodeJS.ErrnoException).code === 'ECONNRESET')
        return this.#once(spec)
      throw error
    }
  }

  #once(spec: RequestSpec): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const body =
        spec.body === undefined
          ? undefined
          : typeof spec.body === 'string'
            ? Buffer.from(spec.body)
            : spec.body
      const req = request(
        {
          agent: this.#agent,
          host: this.#base.hostname.replace(/^\[|\]$/g, ''),
          port: this.#base.port,
          method: spec.method ?? 'GET',
          path: spec.path,
          headers: { ...spec.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          )
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  close(): void {
    this.#agent.destroy()
  }
}

export interface LoadOptions {
  /** Stop after this many requests… */
  count: number
  /** …or once this much time has passed, whichever comes first. */
  maxMs: number
  /** Requests in flight at once. */
  concurrency: number
  /** The i-th request. */
  make(i: number): RequestSpec
  /** Checks each answer; throw to abort the run (a bench must not time errors). */
  check?(result: HttpResult, i: number): void
}

export interface LoadResult {
  /** Per-request latency in ms, in completion order. */
  latencies: number[]
  totalMs: number
  bytes: number
}

/** A bounded request loop: at most `count` requests, at most `maxMs`, `concurrency` at a time. */
export async function loadLoop(client: LoopbackClient, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  let next = 0
  let bytes = 0
  const start = nowMs()
  const deadline = start + options.maxMs
  const worker = async () => {
    while (next < options.count && nowMs() < deadline) {
      const i = next++
      const t0 = nowMs()
      const result = await client.send(options.make(i))
      latencies.push(nowMs() - t0)
      bytes += result.body.length
      options.check?.(result, i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker))
  return { latencies, totalMs: nowMs() - start, bytes }
}

/** Throws with the body when the status is not the expected one. */
export function expectStatus(result: HttpResult, status: number, what: string): void {
  if (result.status !== status) {
    throw new Error(
      `${what}: HTTP ${result.status}, expected ${status}: ${result.body.toString('utf8').slice(0, 500)}`,
    )
  }
}
