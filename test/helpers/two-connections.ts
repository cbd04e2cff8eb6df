import { tmpdir } from 'node:os'
import { afterEach, beforeEach } from 'vitest'
import { openStore } from '../../src/store/open.js'
import type { Store } from '../../src/store/types.js'
import type { FreshLocation, StoreFactory } from './stores.js'

/**
 * Two connections to one fresh database, as the server and a CLI command have: opened before each test of
 * the calling suite and closed after it. Read them inside tests (they change per test).
 */
export function twoConnections(factory: StoreFactory): { server: Store; cli: Store } {
  const connections = {} as { server: Store; cli: Store }
  let db: FreshLocation
  beforeEach(async () => {
    db = await factory.fresh()
    connections.server = await openStore(db.location, tmpdir())
    connections.cli = await openStore(db.location, tmpdir())
  })
  afterEach(async () => {
    await connections.server.close()
    await connections.cli.close()
    await db.drop()
  })
  return connections
}
