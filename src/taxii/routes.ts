import type { RequestContext } from './context.js'
import { getCollection, getCollections } from './handlers/collections.js'
import { getApiRoot, getDiscovery } from './handlers/discovery.js'
import { getManifest, getObject, getObjects, getVersions } from './handlers/objects.js'
import { getStatus } from './handlers/status.js'
import { deleteObject, postObjects } from './handlers/write.js'
import type { Reply } from './http-io.js'

type Handler = (ctx: RequestContext) => Promise<Reply>

interface Route {
  pattern: string[]
  methods: Partial<Record<string, Handler>>
}

/** TAXII 2.1 endpoints (spec §4–5); `:name` segments become parameters. */
const ROUTES: Route[] = [
  { pattern: ['taxii2'], methods: { GET: getDiscovery } },
  { pattern: [':apiRoot'], methods: { GET: getApiRoot } },
  { pattern: [':apiRoot', 'status', ':statusId'], methods: { GET: getStatus } },
  { pattern: [':apiRoot', 'collections'], methods: { GET: getCollections } },
  { pattern: [':apiRoot', 'collections', ':collectionId'], methods: { GET: getCollection } },
  { pattern: [':apiRoot', 'collections', ':collectionId', 'manifest'], methods: { GET: getManifest } },
  {
    pattern: [':apiRoot', 'collections', ':collectionId', 'objects'],
    methods: { GET: getObjects, POST: postObjects },
  },
  {
    pattern: [':apiRoot', 'collections', ':collectionId', 'objects', ':objectId'],
    methods: { GET: getObject, DELETE: deleteObject },
  },
  {
    pattern: [':apiRoot', 'collections', ':collectionId', 'objects', ':objectId', 'versions'],
    methods: { GET: getVersions },
  },
]

export type RouteMatch = { route: Route; params: Record<string, string> }

/** Splits a path into decoded segments; undefined for paths no route could mean (bad escapes, dot segments). */
export function pathSegments(pathname: string): string[] | undefined {
  const raw = pathname.replace(/^\/+/, '').replace(/\/+$/, '')
  if (raw === '') return []
  const segments: string[] = []
  for (const part of raw.split('/')) {
    let decoded: string
    try {
      decoded = decodeURIComponent(part)
    } catch {
      return undefined
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || decoded.includes('/')) return undefined
    segments.push(decoded)
  }
  return segments
}

export function matchRoute(segments: string[], reserved: ReadonlySet<string>): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue
    const params: Record<string, string> = {}
    const ok = route.pattern.every((p, i) => {
      const s = segments[i]!
      if (p.startsWith(':')) {
        if (i === 0 && reserved.has(s)) return false
        params[p.slice(1)] = s
        return true
      }
      return p === s
    })
    if (ok) return { route, params }
  }
  return undefined
}

export function allowedMethods(route: Route): string[] {
  return Object.keys(route.methods)
}
