import type { CollectionRecord, Store } from '../store/types.js'
import { CliError } from './errors.js'
import { required } from './options.js'

/**
 * The collection `--collection` names in `--api-root` (default intel). A mistyped API root is said to be
 * one, not reported as a missing collection the officer can see in "sluice collections list".
 */
export async function namedCollection(
  store: Store,
  values: { collection?: string | boolean | undefined; 'api-root'?: string | boolean | undefined },
): Promise<CollectionRecord> {
  const name = required(values.collection, 'collection')
  const apiRoot = typeof values['api-root'] === 'string' ? values['api-root'] : 'intel'
  await knownApiRoot(store, apiRoot)
  const collection = await store.getCollection(apiRoot, name)
  if (!collection) throw new CliError(`no collection "${name}"; see "sluice collections list"`)
  return collection
}

/** Refuses an API root the node does not have, naming those it has. */
export async function knownApiRoot(store: Store, apiRoot: string): Promise<void> {
  const roots = (await store.listApiRoots()).map((r) => r.name)
  if (!roots.includes(apiRoot))
    throw new CliError(`no API root "${apiRoot}"; this node has ${roots.map((r) => `"${r}"`).join(', ')}`)
}
