import { isWellKnownMarkingId } from '../policy/markings.js'
import type { Store } from '../store/types.js'

/**
 * Marking ids the node can resolve: the built-in TLP and handling markings, the TLP ids other
 * platforms emit (e.g. OpenCTI's AMBER+STRICT), and stored marking-definitions.
 */
export async function knownMarkings(store: Store, ids: string[]): Promise<Set<string>> {
  const known = new Set(ids.filter(isWellKnownMarkingId))
  const rest = ids.filter((id) => !known.has(id))
  for (const v of await store.latestVersions(rest)) if (v.type === 'marking-definition') known.add(v.id)
  return known
}
