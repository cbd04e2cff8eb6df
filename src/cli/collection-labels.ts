import type { Store } from '../store/types.js'

/** Collection ids as people read them: `alias (id)`, or `title (id)` for a collection without an alias. */
export async function collectionLabels(store: Store): Promise<Map<string, string>> {
  return new Map(
    (await store.listCollections()).map((c) => [c.id, `${c.alias ?? c.title} (${c.id})`] as const),
  )
}

// a bare UUID: the ones inside STIX ids (type--uuid) are objects, not collections
const BARE_UUID = /(?<!-)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g

/** The text with every collection id it mentions labelled. */
export function labelCollections(text: string, labels: ReadonlyMap<string, string>): string {
  return text.replace(BARE_UUID, (id) => labels.get(id) ?? id)
}
