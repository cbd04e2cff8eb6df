import { endpointRefs } from '../policy/decide.js'
import type { DecisionContext, ObjectVersion } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'
import { scanBatches } from '../store/scan.js'
import type { Store, StoredVersion } from '../store/types.js'
import { newestStoredBy } from './stored-at.js'

/** Every newest object version on the node, with what `decide` needs to judge relationships and sightings. */
export interface Corpus {
  versions: ObjectVersion[]
  contextFor(version: ObjectVersion): DecisionContext | undefined
}

/**
 * Loads the newest version of every object in every collection, or, given `storedBy` (microseconds), the
 * newest of those the node had stored by then. The whole corpus is held in memory: fine for the 10^5 objects
 * the console and `policy preview` are sized for (a few hundred MB would need a streaming preview instead).
 */
export async function loadCorpus(store: Store, storedBy?: number): Promise<Corpus> {
  const versions: ObjectVersion[] = []
  for (const { id: collectionId } of await store.listCollections()) {
    if (storedBy === undefined) {
      for await (const batch of scanBatches(store, { collectionId }))
        for (const item of batch) versions.push({ collectionId, object: JSON.parse(item.json) as StixObject })
      continue
    }
    const every: StoredVersion[] = []
    for await (const batch of scanBatches(store, { collectionId, versions: [{ kind: 'all' }] }))
      every.push(...batch)
    for (const item of newestStoredBy(every, storedBy))
      versions.push({ collectionId, object: JSON.parse(item.json) as StixObject })
  }
  const byId = new Map<string, ObjectVersion[]>()
  for (const v of versions) {
    const list = byId.get(v.object.id)
    if (list) list.push(v)
    else byId.set(v.object.id, [v])
  }
  return {
    versions,
    contextFor: (v) => {
      const refs = endpointRefs(v.object)?.refs
      return refs ? { endpoints: new Map(refs.map((r) => [r, byId.get(r) ?? []])) } : undefined
    },
  }
}
