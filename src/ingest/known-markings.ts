import { BUILTIN_MARKINGS } from '../policy/markings.js'
import { WELL_KNOWN_TLP_IDS } from '../policy/tlp.js'
import type { Store } from '../store/types.js'

/**
 * Marking ids the node can resolve: the built-in TLP and handling markings, the TLP ids other
 * platforms emit (e.g. OpenCTI's AMBER+STRICT), and stored marking-definitions.
 */
export async function knownMarkings(store: Store, ids: string[]): Promise<Set<string>> {
  const known = new Set(ids.filter((id) => BUILTIN_MARKINGS.has(id) || WELL_KNOWN_TLP_IDS.has(id)))
  const rest = ids.filter((id) => !known.has(id))
  for (const v of await store.latestVersions(rest)) if (v.type === 'marking-definition') known.add(v.id)
  return known
}
