import type { ObjectQuery, Store } from '../store/types.js'
import type { GateSession, Served } from './gate.js'
import { candidateQuery, selectsAmongVisible, selectVisibleVersions } from './version-selection.js'

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
/** A batch is at most 1 / MIN_SHARE times what is missing, however little was served (unless withheld runs grow it). */
const MIN_SHARE = 0.25
const SHARE_MARGIN = 1.03
/** Smaller store batches cost more per row than they save. */
const MIN_BATCH = 64

export async function readPage(store: Store, session: GateSession, asked: ObjectQuery): Promise<Page> {
  const query = session.narrow ? session.narrow(asked) : asked
  if (query === undefined) return { served: [], more: false }
  const selectors = selectsAmongVisible(session, query.versions) ? query.versions : undefined
  const storeQuery = selectors ? candidateQuery(query) : query
  const served: Served[] = []
  let afterSeq = query.afterSeq
  let screenedRows = 0
  // each batch is what is missing divided by the share expected to be served, with a little margin: first the
  // share the viewer was lately served of what the query returns, then the share of this page so far
  let share = session.servedShare?.(query.collectionId) ?? 1
  // when a batch is mostly withheld, the next is at least twice as large, so a long withheld run costs few queries
  let floor = MIN_BATCH
  for (;;) {
    const bounded = Math.min(1, Math.max(MIN_SHARE, share))
    const wanted = ((query.limit + 1 - served.length) / bounded) * (bounded < 1 ? SHARE_MARGIN : 1)
    const limit = Math.min(Math.max(Math.ceil(wanted), floor), MAX_BATCH)
    const batch = await store.queryObjects({
      ...storeQuery,
      limit,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    })
    const visible = await session.screen(batch.items)
    const screened = selectors
      ? await selectVisibleVersions(store, session, query.collectionId, selectors, visible)
      : visible
    const before = served.length
    for (const item of screened) {
      if (item) served.push(item)
      if (served.length > query.limit) break
    }
    if (served.length > query.limit || batch.exhausted || batch.items.length === 0) break
    afterSeq = batch.items[batch.items.length - 1]!.seq
    screenedRows += batch.items.length
    share = served.length / screenedRows
    floor = (served.length - before) * 2 < batch.items.length ? limit * 2 : MIN_BATCH
  }
  const more = served.length > query.limit
  if (more) served.length = query.limit
  return { served, more }
}
