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
const MAX_BATCH = 5000
/** The first batch is at most 1 / MIN_SHARE times the page, however little was lately served. */
const MIN_SHARE = 0.25
const SHARE_MARGIN = 1.03

export async function readPage(store: Store, session: GateSession, asked: ObjectQuery): Promise<Page> {
  const query = session.narrow ? session.narrow(asked) : asked
  if (query === undefined) return { served: [], more: false }
  const served: Served[] = []
  let afterSeq = query.afterSeq
  // first as much as usually fills the page (what the viewer was lately served of what the query returns,
  // with a little margin), then what is still missing; when the policy withholds most of a batch, more at once
  const share = Math.min(1, Math.max(MIN_SHARE, session.servedShare?.(query.collectionId) ?? 1))
  const margin = share < 1 ? SHARE_MARGIN : 1
  let batchSize = Math.min(Math.max(Math.ceil(((query.limit + 1) / share) * margin), 64), MAX_BATCH)
  for (;;) {
    const batch = await store.queryObjects({
      ...query,
      limit: batchSize,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    })
    const screened = await session.screen(batch.items)
    const before = served.length
    for (const item of screened) {
      if (item) served.push(item)
      if (served.length > query.limit) break
    }
    if (served.length > query.limit || batch.exhausted || batch.items.length === 0) break
    afterSeq = batch.items[batch.items.length - 1]!.seq
    const missing = query.limit + 1 - served.length
    const mostlyWithheld = (served.length - before) * 2 < batch.items.length
    batchSize = Math.min(Math.max(missing, 64, mostlyWithheld ? batchSize * 2 : 0), MAX_BATCH)
  }
  const more = served.length > query.limit
  if (more) served.length = query.limit
  return { served, more }
}
