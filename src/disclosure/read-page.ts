import type { ObjectQuery, Store } from '../store/types.js'
import type { GateSession, Served } from './gate.js'

export interface Page {
  served: Served[]
  /** True when at least one further version the viewer may see exists after the page. */
  more: boolean
}

/**
 * Reads one page of what the viewer may see. The store is asked for batches in
 * sequence order and each batch is screened; the loop stops once one version
 * beyond the page is found, so `more` reflects visible versions only and says
 * nothing about withheld ones.
 */
export async function readPage(store: Store, session: GateSession, query: ObjectQuery): Promise<Page> {
  const served: Served[] = []
  let afterSeq = query.afterSeq
  const batchSize = Math.min(Math.max(query.limit + 1, 64), 5000)
  for (;;) {
    const batch = await store.queryObjects({
      ...query,
      limit: batchSize,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    })
    const screened = await session.screen(batch.items)
    for (const item of screened) {
      if (item) served.push(item)
      if (served.length > query.limit) break
    }
    if (served.length > query.limit || batch.exhausted || batch.items.length === 0) break
    afterSeq = batch.items[batch.items.length - 1]!.seq
  }
  const more = served.length > query.limit
  if (more) served.length = query.limit
  return { served, more }
}
