import { ALLOWED, roleList } from '../../auth/roles.js'
import type { NodeServices } from '../../server/services.js'
import { matchCollection } from '../../services/match.js'
import { fail } from '../../services/policy-input.js'
import { notFound } from '../errors.js'
import { type JsonRoute, positiveIntParam, queryParam } from './json-api.js'

const MAX_LIMIT = 1000

/** Pattern search over observed-data, through the same gate as every other read path. */
export function searchRoutes(services: NodeServices): JsonRoute[] {
  const { store, gate } = services
  return [
    {
      method: 'GET',
      path: ['match'],
      roles: roleList(ALLOWED.search),
      handle: async ({ principal, url, requestId }) => {
        const pattern = url.searchParams.get('pattern') ?? fail('pattern is required')
        const name = queryParam(url, 'collection') ?? fail('collection is required')
        const limit = Math.min(positiveIntParam(url, 'limit') ?? 100, MAX_LIMIT)
        const session = await gate.open(
          {
            principalId: principal.id,
            role: principal.role,
            requestId,
            ...(principal.partnerId ? { partnerId: principal.partnerId } : {}),
          },
          new Date().toISOString(),
        )
        const collection = await store.getCollection(url.searchParams.get('api_root') ?? 'intel', name)
        if (!collection || !session.collectionAccess(collection).canRead) throw notFound('the collection')
        const report = await matchCollection(store, session, collection.id, pattern, limit)
        await session.record(report.matches)
        return {
          matched_as_set: report.matchedAsSet,
          binding: report.binding,
          scanned: report.scanned,
          objects: report.matches.map((m) => JSON.parse(m.json)),
        }
      },
    },
  ]
}
