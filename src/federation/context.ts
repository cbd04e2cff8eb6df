import type { DisclosureGate } from '../disclosure/gate.js'
import type { LedgerService } from '../services/ledger-service.js'
import type { PolicyService } from '../services/policy-service.js'
import type { Store } from '../store/types.js'
import { withFederationRules } from './onward-gate.js'
import { type BackoffPolicy, DEFAULT_BACKOFF } from './schedule.js'
import { FederationState } from './state.js'

/** Everything federation code needs from the node, plus the clock and randomness (injectable for tests). */
export interface FederationContext {
  store: Store
  /** The node's gate with the federation rules applied (see onward-gate.ts). */
  gate: DisclosureGate
  policy: PolicyService
  ledger: LedgerService
  state: FederationState
  now: () => number
  random: () => number
  backoff: BackoffPolicy
  fetch?: typeof fetch
}

export interface ContextOptions {
  now?: () => number
  random?: () => number
  backoff?: BackoffPolicy
  fetch?: typeof fetch
}

/** Builds the context from the node's services; the gate is wrapped unless it already carries the rules. */
export function federationContext(
  services: { store: Store; gate: DisclosureGate; policy: PolicyService; ledger: LedgerService },
  options: ContextOptions = {},
): FederationContext {
  return {
    store: services.store,
    gate: withFederationRules(services.gate, services.store, services.policy),
    policy: services.policy,
    ledger: services.ledger,
    state: new FederationState(services.store),
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  }
}

export const iso = (ms: number) => new Date(ms).toISOString()
