import type { ObjectQuery, Store } from '../store/types.js'
import type { GateSession, Served } from './gate.js'
import { readPage } from './read-page.js'

/**
 * Every version of a collection the session may see, page by page. Pages are
 * recorded in the ledger as they go, unless the caller sends on only part of
 * what it reads and records that itself (`record: false`).
 */
export async function* streamCollection(
  store: Store,
  session: GateSession,
  query: Omit<ObjectQuery, 'limit' | 'afterSeq'>,
  options: { pageSize?: number; record?: boolean } = {},
): AsyncGenerator<Served> {
  const pageSize = options.pageSize ?? 1000
  let afterSeq: number | undefined
  for (;;) {
    const page = await readPage(store, session, {
      ...query,
      limit: pageSize,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    })
    if (options.record !== false) await session.record(page.served)
    yield* page.served
    if (!page.more) return
    afterSeq = page.served[page.served.length - 1]!.stored.seq
  }
}
