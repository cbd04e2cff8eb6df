import { join } from 'node:path'
import type { DisclosureGate } from '../disclosure/gate.js'
import { PolicyGate } from '../disclosure/policy-gate.js'
import { withFederationRules } from '../federation/onward-gate.js'
import { LedgerService } from '../services/ledger-service.js'
import { LedgerWriter } from '../services/ledger-writer.js'
import { PolicyService } from '../services/policy-service.js'
import type { Store } from '../store/types.js'
import { NodeConfigError } from './errors.js'
import { nodeKeyFor, nodeKeyReloader } from './node-key.js'

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
  /** Path of the Ed25519 node key (default SLUICE_NODE_KEY, else DATA/node.key). */
  keyPath?: string
  /**
   * Whether this process creates the node (serve): a missing key file then becomes a new key if no key has
   * signed in the store yet. Otherwise a missing key is refused, as a new one would break partners' checks.
   */
  createKey?: boolean
  /**
   * Where `store` was opened from: given, large disclosure batches are appended by a worker thread
   * with its own connection there (see ledger-writer.ts). Without it, every append runs here.
   */
  storeLocation?: string
}

export const DEFAULT_ORIGIN = 'sluice.localhost'

/** Where the node key is: the path given, else SLUICE_NODE_KEY, else DATA/node.key. */
export function nodeKeyPath(options: Pick<ServiceOptions, 'dataDir' | 'keyPath'>): string {
  return options.keyPath ?? process.env.SLUICE_NODE_KEY ?? join(options.dataDir, 'node.key')
}

/**
 * Assembles the services every entry point (server, CLI) shares, around one store.
 *
 * The origin names the node's logs in every checkpoint partners keep, so it is fixed when the node key is
 * created (the key carries it as its name): a CLI run without SLUICE_ORIGIN signs under the node's own origin,
 * and one with a different origin is refused rather than fork the logs' names.
 */
export async function createServices(store: Store, options: ServiceOptions): Promise<NodeServices> {
  // an empty variable is an unset one, as a shell's `SLUICE_ORIGIN= sluice …` means it
  const asked = options.origin ?? (process.env.SLUICE_ORIGIN || undefined)
  const keyPath = nodeKeyPath(options)
  const key = await nodeKeyFor(store, {
    path: keyPath,
    pathFrom:
      options.keyPath !== undefined
        ? 'the key path given'
        : process.env.SLUICE_NODE_KEY !== undefined
          ? 'SLUICE_NODE_KEY'
          : "the data directory's node.key",
    origin: asked ?? DEFAULT_ORIGIN,
    create: options.createKey === true,
  })
  if (asked !== undefined && asked !== key.name)
    throw new NodeConfigError(
      `the origin "${asked}" (SLUICE_ORIGIN) is not this node's origin "${key.name}", fixed when its key ${keyPath} was created; leave SLUICE_ORIGIN unset or set it to "${key.name}"`,
    )
  const origin = key.name
  const policy = new PolicyService(store)
  const writer = options.storeLocation ? LedgerWriter.for(options.storeLocation, options.dataDir) : undefined
  const ledger = new LedgerService(store, key, origin, writer, nodeKeyReloader(keyPath))
  const policyGate = new PolicyGate(store, policy, ledger)
  return { store, policy, ledger, policyGate, gate: withFederationRules(policyGate, store, policy) }
}
