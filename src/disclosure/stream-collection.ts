import type { ObjectQuery, Store } from '../store/types.js'
import type { GateSession, Served } from './gate.js'
import { readPage } from './read-page.js'

/** Every version of a collection the session may see, page by page, recorded as it goes. */
export async function* streamCollection(
  store: Store,
  session: GateSession,
  query: Omit<ObjectQuery, 'limit' | 'afterSeq'>,
  pageSize = 1000,
): AsyncGenerator<Served> {
  let afterSeq: number | undefined
  for (;;) {
    const page = await readPage(store, session, {
      ...query,
      limit: pageSize,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    })
    await session.record(page.served)
    yield* page.served
    if (!page.more) return
    afterSeq = page.served[page.served.length - 1]!.stored.seq
  }
}
