import { existsSync } from 'node:fs'
import { LedgerError } from '../ledger/errors.js'
import { createServices, type NodeServices } from '../server/services.js'
import { ensureDefaultApiRoot } from '../services/api-roots.js'
import { PolicyInputError } from '../services/policy-input.js'
import {
  displayLocation,
  isPostgresLocation,
  openStore,
  storeHoldsNode,
  storeLocation,
} from '../store/open.js'
import type { Store } from '../store/types.js'
import { CliError } from './errors.js'
import { dataLocation } from './options.js'

/**
 * Opening a store that holds no node would create an empty one (and a new node key) for a command that only
 * means to read or change one; only serve, restore and migrate start a node.
 */
async function refuseMissingNode(dataDir: string, db: string | undefined): Promise<void> {
  const location = storeLocation(db, dataDir)
  if (await storeHoldsNode(location)) return
  if (isPostgresLocation(location))
    throw new CliError(
      `no node in ${displayLocation(location)} (no Sluice tables in that database); start one with "sluice serve --db URL"`,
    )
  const path = location.replace(/^sqlite:/, '')
  const why = existsSync(path)
    ? 'no Sluice tables in that file'
    : db
      ? 'no such SQLite file'
      : 'no sluice.db there'
  throw new CliError(
    db
      ? `no node at ${path} (${why}); start one with "sluice serve --db ${db}"`
      : `no node at ${dataDir} (${why}); start one with "sluice serve --data ${dataDir}"`,
  )
}

/** Runs a command against the node's store and always closes it. */
export async function withStore<T>(
  values: { data?: string | boolean | undefined; db?: string | boolean | undefined },
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const { dataDir, db } = dataLocation(values)
  await refuseMissingNode(dataDir, db)
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
