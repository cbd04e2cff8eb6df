import type { RequestContext } from '../context.js'
import { publicHref } from '../context.js'
import { notFound } from '../errors.js'
import type { Reply } from '../http-io.js'
import { TAXII_MEDIA_TYPE } from '../media-types.js'

export async function getDiscovery(ctx: RequestContext): Promise<Reply> {
  const { config, store } = ctx.deps
  const roots = await store.listApiRoots()
  const body = {
    title: config.title,
    description: config.description,
    ...(config.contact ? { contact: config.contact } : {}),
    ...(roots.some((r) => r.name === config.defaultApiRoot)
      ? { default: publicHref(config, `${config.defaultApiRoot}/`) }
      : {}),
    api_roots: roots.map((r) => publicHref(config, `${r.name}/`)),
  }
  return { status: 200, body: JSON.stringify(body) }
}

export async function getApiRoot(ctx: RequestContext): Promise<Reply> {
  const roots = await ctx.deps.store.listApiRoots()
  const root = roots.find((r) => r.name === ctx.params.apiRoot)
  if (!root) throw notFound('the API root')
  const body = {
    title: root.title,
    ...(root.description ? { description: root.description } : {}),
    versions: [TAXII_MEDIA_TYPE],
    max_content_length: ctx.deps.config.maxContentLength,
  }
  return { status: 200, body: JSON.stringify(body) }
}
