import { readPage } from '../../disclosure/read-page.js'
import { joinedJson } from '../../disclosure/served-text.js'
import type { ObjectQuery } from '../../store/types.js'
import type { RequestContext } from '../context.js'
import { visibleCollection } from '../context.js'
import { forbidden, notFound } from '../errors.js'
import type { Reply } from '../http-io.js'
import { pagedRequest, pageFrame } from './paging.js'

const LIST_FILTERS = [
  'added_after',
  'limit',
  'next',
  'match[id]',
  'match[type]',
  'match[version]',
  'match[spec_version]',
]
const BY_ID_FILTERS = ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]']
const VERSIONS_FILTERS = ['added_after', 'limit', 'next', 'match[spec_version]']

function requireRead(access: { canRead: boolean }) {
  if (!access.canRead) throw forbidden('this principal may not read objects from this collection')
}

/**
 * An empty first page for one object is a 404 only when the viewer can see no version of it at all: an
 * object whose versions the filters all exclude is answered with an empty envelope (TAXII 2.1 §5.6). A
 * hidden id and an unknown one are answered alike.
 */
async function refuseUnseen(ctx: RequestContext, query: ObjectQuery, served: number): Promise<void> {
  if (served > 0 || query.afterSeq !== undefined) return
  const { collectionId, ids } = query
  const any = await readPage(ctx.deps.store, ctx.session, {
    collectionId,
    ids,
    versions: [{ kind: 'all' }],
    limit: 1,
  })
  if (any.served.length === 0) throw notFound('the object')
}

/** Objects and object-by-id share everything but the id filter and the 404 for an unseen object. */
async function serveObjects(ctx: RequestContext, allowed: string[], objectId?: string): Promise<Reply> {
  const { collection, access } = await visibleCollection(ctx)
  requireRead(access)
  const request = pagedRequest(ctx, allowed, {
    collectionId: collection.id,
    ...(objectId ? { ids: [objectId] } : {}),
  })
  const page = await readPage(ctx.deps.store, ctx.session, request.query)
  if (objectId) await refuseUnseen(ctx, request.query, page.served.length)
  await ctx.session.record(page.served)
  const { headers, prefix } = pageFrame(page, request)
  const objects = page.served.length > 0 ? `,"objects":[${joinedJson(page.served)}]` : ''
  return { status: 200, headers, body: `{${prefix}${objects}}` }
}

export const getObjects = (ctx: RequestContext) => serveObjects(ctx, LIST_FILTERS)
export const getObject = (ctx: RequestContext) => serveObjects(ctx, BY_ID_FILTERS, ctx.params.objectId!)

export async function getManifest(ctx: RequestContext): Promise<Reply> {
  const { collection, access } = await visibleCollection(ctx)
  requireRead(access)
  const request = pagedRequest(ctx, LIST_FILTERS, { collectionId: collection.id })
  const page = await readPage(ctx.deps.store, ctx.session, request.query)
  const { headers, prefix } = pageFrame(page, request)
  const records = page.served.map((s) =>
    JSON.stringify({
      id: s.stored.id,
      date_added: s.stored.dateAdded,
      version: s.stored.version ?? s.stored.dateAdded,
      media_type: `application/stix+json;version=${s.stored.specVersion}`,
    }),
  )
  const objects = records.length > 0 ? `,"objects":[${records.join(',')}]` : ''
  return { status: 200, headers, body: `{${prefix}${objects}}` }
}

export async function getVersions(ctx: RequestContext): Promise<Reply> {
  const { collection, access } = await visibleCollection(ctx)
  requireRead(access)
  const objectId = ctx.params.objectId!
  const request = pagedRequest(ctx, VERSIONS_FILTERS, {
    collectionId: collection.id,
    ids: [objectId],
    versions: [{ kind: 'all' }],
  })
  const page = await readPage(ctx.deps.store, ctx.session, request.query)
  await refuseUnseen(ctx, request.query, page.served.length)
  const { headers, prefix } = pageFrame(page, request)
  const versions = page.served.map((s) => JSON.stringify(s.stored.version ?? s.stored.dateAdded))
  // a later page can come out empty (the rest deleted meanwhile); TAXII prohibits empty lists
  const list = versions.length > 0 ? `,"versions":[${versions.join(',')}]` : ''
  return { status: 200, headers, body: `{${prefix}${list}}` }
}
