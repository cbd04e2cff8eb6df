import type { RequestContext } from '../context.js'
import { collectionResource, visibleCollection } from '../context.js'
import { notFound } from '../errors.js'
import type { Reply } from '../http-io.js'

export async function getCollections(ctx: RequestContext): Promise<Reply> {
  const apiRoot = ctx.params.apiRoot!
  const roots = await ctx.deps.store.listApiRoots()
  if (!roots.some((r) => r.name === apiRoot)) throw notFound('the API root')
  const collections = await ctx.deps.store.listCollections(apiRoot)
  const visible = collections.flatMap((c) => {
    const access = ctx.session.collectionAccess(c)
    return access.visible ? [collectionResource(c, access)] : []
  })
  return { status: 200, body: JSON.stringify(visible.length > 0 ? { collections: visible } : {}) }
}

export async function getCollection(ctx: RequestContext): Promise<Reply> {
  const { collection, access } = await visibleCollection(ctx)
  return { status: 200, body: JSON.stringify(collectionResource(collection, access)) }
}
