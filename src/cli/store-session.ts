import { openStore } from '../store/open.js'
import type { Store } from '../store/types.js'
import { dataLocation } from './options.js'

/** Runs a command against the node's store and always closes it. */
export async function withStore<T>(values: { data?: string | boolean | undefined; db?: string | boolean | undefined }, work: (store: Store) => Promise<T>): Promise<T> {
  const { dataDir, db } = dataLocation(values)
  const store = await openStore(db, dataDir)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}
