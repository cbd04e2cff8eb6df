import type { ObjectQuery, Store, StoredVersion } from './types.js'

/**
 * Every version a query matches, batch by batch in sequence order: the loop
 * behind whole-collection scans (previews, revocation scans, graph lookups).
 * Policy is not applied here; callers that serve data go through a gate.
 */
export async function* scanBatches(
  store: Store,
  query: Omit<ObjectQuery, 'limit'>,
  batchSize = 2000,
): AsyncGenerator<StoredVersion[]> {
  let afterSeq = query.afterSeq
  for (;;) {
    const batch = await store.queryObjects({
      ...query,
      limit: batchSize,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    })
    if (batch.items.length > 0) yield batch.items
    if (batch.exhausted || batch.items.length === 0) return
    afterSeq = batch.items.at(-1)!.seq
  }
}
