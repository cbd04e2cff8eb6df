import { randomUUID } from 'node:crypto'
import { STIX_MEDIA_TYPE } from '../stix/media-type.js'
import type { CollectionRecord, Store } from '../store/types.js'
import { displayName, fail, optionalText, PolicyInputError } from './policy-input.js'
import { SEE_COLLECTIONS } from './see-also.js'

/** An alias is a path segment clients type: URL-safe without escaping, and never mistaken for an id. */
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/
export const COLLECTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const ALIAS_RULE =
  '1-64 letters, digits, ".", "_", "~" or "-", starting with a letter or digit, and not a UUID'

export function isAlias(text: string): boolean {
  return ALIAS.test(text) && !COLLECTION_ID.test(text.toLowerCase())
}

/** The collection a command names, by id or alias, among `collections` (of every API root). */
export function collectionNamed(
  collections: readonly CollectionRecord[],
  name: string,
): CollectionRecord | undefined {
  return collections.find((c) => c.id === name || c.alias === name)
}

/** A collection as the CLI's `--json` shows it: snake_case like the TAXII collection resource and every admin answer. */
export function collectionView(c: CollectionRecord) {
  return {
    id: c.id,
    api_root: c.apiRoot,
    title: c.title,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.alias !== undefined ? { alias: c.alias } : {}),
    media_types: c.mediaTypes,
  }
}

export async function createCollection(
  store: Store,
  input: { apiRoot: string; title: string; description?: string; alias?: string; id?: string },
): Promise<CollectionRecord> {
  const roots = await store.listApiRoots()
  if (!roots.some((r) => r.name === input.apiRoot)) fail(`API root "${input.apiRoot}" does not exist`)
  const title = displayName(input.title, 'the collection title')
  const description = optionalText(input.description, 'the description')
  if (input.id !== undefined && !COLLECTION_ID.test(input.id))
    fail(`the collection id must be a lowercase UUID, not "${input.id}"`)
  if (input.alias !== undefined && !isAlias(input.alias))
    fail(`the alias "${input.alias}" must be ${ALIAS_RULE}`)
  // every command names a collection by id or alias in any API root, so both share one namespace
  const all = await store.listCollections()
  for (const name of [input.id, input.alias]) {
    const holder = name === undefined ? undefined : collectionNamed(all, name)
    if (holder)
      fail(
        `"${name}" already names collection ${holder.id} (${holder.apiRoot}/${holder.alias ?? holder.title})`,
      )
  }
  const collection: CollectionRecord = {
    id: input.id ?? randomUUID(),
    apiRoot: input.apiRoot,
    title,
    mediaTypes: [STIX_MEDIA_TYPE],
    ...(description ? { description } : {}),
    ...(input.alias ? { alias: input.alias } : {}),
  }
  await store.createCollection(collection)
  return collection
}

/** Collection ids for names given as ids or aliases, in any API root; unknown names are an error. */
export async function resolveCollectionIds(store: Store, names: string[]): Promise<string[]> {
  const all = await store.listCollections()
  return names.map((name) => {
    const found = collectionNamed(all, name)
    if (!found) throw new PolicyInputError(`no collection "${name}"`, SEE_COLLECTIONS)
    return found.id
  })
}
