import type { ApiRootRecord, Store } from '../store/types.js'

/** The API root every node has, so a fresh data directory works with every command. */
export const DEFAULT_API_ROOT: ApiRootRecord = {
  name: 'intel',
  title: 'Intelligence',
  description: 'Shared intelligence collections',
}

export async function ensureDefaultApiRoot(store: Store): Promise<void> {
  const roots = await store.listApiRoots()
  if (!roots.some((r) => r.name === DEFAULT_API_ROOT.name)) await store.ensureApiRoot(DEFAULT_API_ROOT)
}
