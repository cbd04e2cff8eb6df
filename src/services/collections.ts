import { randomUUID } from 'node:crypto'
import { STIX_MEDIA_TYPE } from '../stix/media-type.js'
import type { CollectionRecord, Store } from '../store/types.js'
import { PolicyInputError } from './policy-input.js'

export async function createCollection(
  store: Store,
  input: { apiRoot: string; title: string; description?: string; alias?: string; id?: string },
): Promise<CollectionRecord> {
  const roots = await store.listApiRoots()
  if (!roots.some((r) => r.name === input.apiRoot))
    throw new Error(`API root "${input.apiRoot}" does not exist`)
  if (input.alias && (await store.getCollection(input.apiRoot, input.alias))) {
    throw new Error(`a collection with alias "${input.alias}" already exists in API root "${input.apiRoot}"`)
  }
  const collection: CollectionRecord = {
    id: input.id ?? randomUUID(),
    apiRoot: input.apiRoot,
    title: input.title,
    mediaTypes: [STIX_MEDIA_TYPE],
    ...(input.description ? { description: input.description } : {}),
    ...(input.alias ? { alias: input.alias } : {}),
  }
  await store.createCollection(collection)
  return collection
}

/** Collection ids for names given as ids or aliases, in any API root; unknown names are an error. */
export async function resolveCollectionIds(store: Store, names: string[]): Promise<string[]> {
  const all = await store.listCollections()
  return names.map((name) => {
    const found = all.find((c) => c.id === name || c.alias === name)
    if (!found) throw new PolicyInputError(`no collection "${name}"; see "sluice collections list"`)
    return found.id
  })
}
