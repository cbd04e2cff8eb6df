import type { Page } from '../../disclosure/read-page.js'
import type { ObjectQuery } from '../../store/types.js'
import type { RequestContext } from '../context.js'
import { badRequest } from '../errors.js'
import { type Filters, filterKey, filtersFromKey, hasShapeFilters, parseFilters } from '../query-params.js'

export interface PagedRequest {
  query: ObjectQuery
  /** Encodes the cursor for the next page, positioned after the given sequence. */
  nextCursor: (afterSeq: number) => string
}

/**
 * Turns filters and an optional `next` into one store query. A `next` without
 * filters continues under the filters it was issued for; with filters, they
 * must be the same ones.
 */
export function pagedRequest(
  ctx: RequestContext,
  allowed: readonly string[],
  fixed: Partial<ObjectQuery>,
): PagedRequest {
  let filters: Filters = parseFilters(ctx.url.searchParams, allowed)
  // the matched route with its decoded parameters and the collection's id (not the alias it may be named
  // by), not the raw path: every spelling of one endpoint issues and accepts the same cursors
  const param = (name: string) =>
    name === 'collectionId' && fixed.collectionId !== undefined ? fixed.collectionId : ctx.params[name]!
  const scope = ctx.route.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(param(name)))
  const principalId = ctx.session.viewer.principalId
  let afterSeq: number | undefined
  if (filters.next !== undefined) {
    const cursor = ctx.deps.cursors.decode(filters.next, { scope, principalId })
    if (hasShapeFilters(filters) && filterKey(filters) !== cursor.filters) {
      throw badRequest(
        'the next parameter was issued for other filters; repeat the original filters or omit them',
        'invalid-next',
      )
    }
    filters = {
      ...filtersFromKey(cursor.filters),
      ...(filters.limit !== undefined ? { limit: filters.limit } : {}),
    }
    afterSeq = cursor.afterSeq
  }
  const { maxPageSize, defaultPageSize } = ctx.deps.config
  const limit = Math.min(filters.limit ?? defaultPageSize, maxPageSize)
  const key = filterKey(filters)
  const query: ObjectQuery = {
    collectionId: fixed.collectionId!,
    limit,
    ...(afterSeq !== undefined ? { afterSeq } : {}),
    ...(filters.addedAfter !== undefined ? { addedAfter: filters.addedAfter } : {}),
    ...(filters.ids !== undefined ? { ids: filters.ids } : {}),
    ...(filters.types !== undefined ? { types: filters.types } : {}),
    ...(filters.specVersions !== undefined ? { specVersions: filters.specVersions } : {}),
    ...(filters.versions !== undefined ? { versions: filters.versions } : {}),
    ...fixed,
  }
  return {
    query,
    nextCursor: (seq) => ctx.deps.cursors.encode({ scope, principalId, filters: key, afterSeq: seq }),
  }
}

/** `more`, `next` and the date-added headers shared by every paged TAXII response. */
export function pageFrame(page: Page, request: PagedRequest) {
  const first = page.served[0]
  const last = page.served[page.served.length - 1]
  const headers: Record<string, string> = {}
  if (first && last) {
    headers['X-TAXII-Date-Added-First'] = first.stored.dateAdded
    headers['X-TAXII-Date-Added-Last'] = last.stored.dateAdded
  }
  const next = page.more && last ? request.nextCursor(last.stored.seq) : undefined
  const prefix = next ? `"more":true,"next":${JSON.stringify(next)}` : `"more":false`
  return { headers, prefix }
}
