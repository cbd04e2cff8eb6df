import { readUint64, TokenSealer, uint64 } from '../auth/sealed-token.js'
import { badRequest } from './errors.js'

/**
 * `next` is opaque to clients: the position (a sequence number) plus the query it belongs to, sealed
 * with a key derived from a node secret (see TokenSealer), so a client can neither read the position,
 * which would tell it how many versions the node holds, nor forge one or point it at another
 * collection or principal. Policy is applied again on every page, so even a valid cursor discloses
 * only what the policy allows now.
 */
export interface CursorState {
  /** Canonical name of the endpoint (route and its parameters) the cursor was issued for. */
  scope: string
  principalId: string
  /** Canonical text of the filters, so a page cannot be continued under other filters. */
  filters: string
  afterSeq: number
}

/** A new label makes every cursor of an earlier format "not ours": clients restart from added_after. */
const LABEL = 'sluice taxii cursor v2'

const notOurs = () => badRequest('the next parameter is not a cursor this server issued', 'invalid-next')

export class CursorCodec {
  readonly #sealer: TokenSealer
  constructor(key: Buffer) {
    this.#sealer = new TokenSealer(key, LABEL)
  }

  encode(state: CursorState): string {
    // the sequence number first, at a fixed width; the rest is what the client sent
    const rest = Buffer.from(JSON.stringify([state.scope, state.principalId, state.filters]))
    return this.#sealer.seal(Buffer.concat([uint64(state.afterSeq), rest]))
  }

  /** Checks the cursor is ours and for this scope and principal; the caller checks the filters. */
  decode(
    token: string,
    expected: { scope: string; principalId: string },
  ): { filters: string; afterSeq: number } {
    const bytes = this.#sealer.open(token)
    if (bytes === undefined || bytes.length < 8) throw notOurs()
    const afterSeq = readUint64(bytes, 0)
    let parsed: unknown
    try {
      parsed = JSON.parse(bytes.subarray(8).toString('utf8'))
    } catch {
      throw notOurs()
    }
    if (!Array.isArray(parsed) || parsed.length !== 3) throw notOurs()
    const [scope, principalId, filters] = parsed as unknown[]
    if (scope !== expected.scope || principalId !== expected.principalId) {
      throw badRequest(
        'the next parameter belongs to another endpoint, collection or principal',
        'invalid-next',
      )
    }
    if (typeof filters !== 'string') throw notOurs()
    return { filters, afterSeq }
  }
}
