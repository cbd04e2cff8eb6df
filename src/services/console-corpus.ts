import { endpointRefs } from '../policy/decide.js'
import type { DecisionContext, ObjectVersion } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'
import type { Store } from '../store/types.js'

/** Every newest object version on the node, with what `decide` needs to judge relationships and sightings. */
export interface Corpus {
  versions: ObjectVersion[]
  contextFor(version: ObjectVersion): DecisionContext | undefined
}

/**
 * Loads the newest version of every object in every collection. The whole corpus is held in memory: fine for
 * the 10^5 objects the console is sized for (a few hundred MB would need a streaming preview instead).
 */
export async function loadCorpus(store: Store): Promise<Corpus> {
  const versions: ObjectVersion[] = []
  for (const { id: collectionId } of await store.listCollections()) {
    let afterSeq: number | undefined
    for (;;) {
      const batch = await store.queryObjects({
        collectionId,
        limit: 2000,
        ...(afterSeq !== undefined ? { afterSeq } : {}),
      })
      for (const item of batch.items)
        versions.push({ collectionId, object: JSON.parse(item.json) as StixObject })
      if (batch.exhausted || batch.items.length === 0) break
      afterSeq = batch.items.at(-1)!.seq
    }
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
