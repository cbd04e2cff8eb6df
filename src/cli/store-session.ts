import { LedgerError } from '../ledger/errors.js'
import { createServices, type NodeServices } from '../server/services.js'
import { ensureDefaultApiRoot } from '../services/api-roots.js'
import { PolicyInputError } from '../services/policy-input.js'
import { openStore } from '../store/open.js'
import type { Store } from '../store/types.js'
import { CliError } from './errors.js'
import { dataLocation } from './options.js'

/** Runs a command against the node's store and always closes it. */
export async function withStore<T>(
  values: { data?: string | boolean | undefined; db?: string | boolean | undefined },
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const { dataDir, db } = dataLocation(values)
  const store = await openStore(db, dataDir)
  try {
    await ensureDefaultApiRoot(store)
    return await work(store)
  } finally {
    await store.close()
  }
}

/** Runs a command against the node's services (policy, ledger, gate) over its store. */
export async function withServices<T>(
  values: { data?: string | boolean | undefined; db?: string | boolean | undefined },
  work: (services: NodeServices) => Promise<T>,
): Promise<T> {
  return withStore(values, async (store) => {
    try {
      return await work(await createServices(store, dataLocation(values)))
    } catch (error) {
      if (error instanceof PolicyInputError || error instanceof LedgerError) throw new CliError(error.message)
      throw error
    }
  })
}
