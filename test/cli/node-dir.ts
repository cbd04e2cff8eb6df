import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices } from '../../src/server/services.js'
import { openStore } from '../../src/store/open.js'

/**
 * A fresh data directory holding an empty node, as "sluice serve" leaves it on first start: the store, and
 * the node key (named `origin`) that the store records.
 */
export async function newNodeDir(prefix: string, origin?: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const store = await openStore(undefined, dir)
  try {
    await createServices(store, { dataDir: dir, createKey: true, ...(origin ? { origin } : {}) })
  } finally {
    await store.close()
  }
  return dir
}
