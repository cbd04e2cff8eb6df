import { createHmac, timingSafeEqual } from 'node:crypto'
import { badRequest } from './errors.js'

/**
 * `next` is opaque to clients: the position (a sequence number) plus the query
 * it belongs to, authenticated with a node secret so it cannot be forged or
 * pointed at another collection or principal. Policy is applied again on every
 * page, so even a valid cursor discloses only what the policy allows now.
 */
export interface CursorState {
  /** Endpoint + collection + object id the cursor was issued for. */
  scope: string
  principalId: string
  /** Canonical text of the filters, so a page cannot be continued under other filters. */
  filters: string
  afterSeq: number
}

export class CursorCodec {
  readonly #key: Buffer
  constructor(key: Buffer) {
    this.#key = key
  }

  encode(state: CursorState): string {
    const payload = Buffer.from(
      JSON.stringify([state.scope, state.principalId, state.filters, state.afterSeq]),
    ).toString('base64url')
    return `${payload}.${this.#mac(payload)}`
  }

  /** Checks the cursor is ours and for this scope and principal; the caller checks the filters. */
  decode(
    token: string,
    expected: { scope: string; principalId: string },
  ): { filters: string; afterSeq: number } {
    const dot = token.indexOf('.')
    const payload = token.slice(0, dot)
    const mac = token.slice(dot + 1)
    const good = dot > 0 && safeEqual(mac, this.#mac(payload))
    if (!good) throw badRequest('the next parameter is not a cursor this server issued', 'invalid-next')
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    } catch {
      throw badRequest('the next parameter is not a cursor this server issued', 'invalid-next')
    }
    const [scope, principalId, filters, afterSeq] = parsed as [string, string, string, number]
    if (scope !== expected.scope || principalId !== expected.principalId) {
      throw badRequest(
        'the next parameter belongs to another endpoint, collection or principal',
        'invalid-next',
      )
    }
    if (typeof filters !== 'string' || !Number.isSafeInteger(afterSeq)) {
      throw badRequest('the next parameter is not a cursor this server issued', 'invalid-next')
    }
    return { filters, afterSeq }
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url').slice(0, 32)
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
