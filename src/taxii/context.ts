import type { IncomingMessage } from 'node:http'
import type { DisclosureGate, GateSession } from '../disclosure/gate.js'
import type { PrepareOptions } from '../ingest/prepare.js'
import type { PartnerRateLimiter } from '../ops/rate-limit.js'
import type { CollectionRecord, Store } from '../store/types.js'
import type { TaxiiConfig } from './config.js'
import type { CursorCodec } from './cursor.js'
import { notFound } from './errors.js'

/** What every handler may use; built once per server. */
export interface TaxiiDeps {
  store: Store
  gate: DisclosureGate
  cursors: CursorCodec
  config: TaxiiConfig
  ingest: PrepareOptions
  /** Admits partners' requests under the node's rate limit; absent, there is none. */
  limiter?: PartnerRateLimiter
  /** Called after a write commits, so caches keyed on content can be dropped. */
  onObjectsAdded?: (collectionId: string, count: number) => void
}

export interface RequestContext {
  deps: TaxiiDeps
  req: IncomingMessage
  url: URL
  /** The matched route pattern, e.g. `/:apiRoot/collections/:collectionId/objects`. */
  route: string
  params: Record<string, string>
  session: GateSession
}

/** The collection named in the path, if it exists and the viewer may know it exists. */
export async function visibleCollection(ctx: RequestContext) {
  const apiRoot = ctx.params.apiRoot!
  const collection = await ctx.deps.store.getCollection(apiRoot, ctx.params.collectionId!)
  if (!collection) throw notFound('the collection')
  const access = ctx.session.collectionAccess(collection)
  if (!access.visible) throw notFound('the collection')
  return { collection, access }
}

export function collectionResource(
  collection: CollectionRecord,
  access: { canRead: boolean; canWrite: boolean },
) {
  return {
    id: collection.id,
    title: collection.title,
    ...(collection.description ? { description: collection.description } : {}),
    ...(collection.alias ? { alias: collection.alias } : {}),
    can_read: access.canRead,
    can_write: access.canWrite,
    media_types: collection.mediaTypes,
  }
}

/** Joins the public base URL and a path without doubling or losing slashes. */
export function publicHref(config: TaxiiConfig, path: string): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}
