import { join } from 'node:path'
import type { DisclosureGate } from '../disclosure/gate.js'
import { PolicyGate } from '../disclosure/policy-gate.js'
import { withFederationRules } from '../federation/onward-gate.js'
import { LedgerService, loadOrCreateNodeKey } from '../services/ledger-service.js'
import { LedgerWriter } from '../services/ledger-writer.js'
import { PolicyService } from '../services/policy-service.js'
import type { Store } from '../store/types.js'

export interface NodeServices {
  store: Store
  policy: PolicyService
  ledger: LedgerService
  /** The one way out for every read path: policy, plus federation's onward-sharing rules. */
  gate: DisclosureGate
  /** The policy gate inside `gate`, for observers (metrics). */
  policyGate: PolicyGate
}

export interface ServiceOptions {
  dataDir: string
  /** Names the node's logs in checkpoints (env SLUICE_ORIGIN). */
  origin?: string
  /** Path of the Ed25519 node key; created on first start. */
  keyPath?: string
  /**
   * Where `store` was opened from: given, large disclosure batches are appended by a worker thread
   * with its own connection there (see ledger-writer.ts). Without it, every append runs here.
   */
  storeLocation?: string
}

export const DEFAULT_ORIGIN = 'sluice.localhost'

/** Assembles the services every entry point (server, CLI) shares, around one store. */
export async function createServices(store: Store, options: ServiceOptions): Promise<NodeServices> {
  const origin = options.origin ?? process.env.SLUICE_ORIGIN ?? DEFAULT_ORIGIN
  const key = await loadOrCreateNodeKey(
    options.keyPath ?? process.env.SLUICE_NODE_KEY ?? join(options.dataDir, 'node.key'),
    origin,
  )
  const policy = new PolicyService(store)
  const writer = options.storeLocation ? LedgerWriter.for(options.storeLocation, options.dataDir) : undefined
  const ledger = new LedgerService(store, key, origin, writer)
  const policyGate = new PolicyGate(store, policy, ledger)
  return { store, policy, ledger, policyGate, gate: withFederationRules(policyGate, store, policy) }
}
