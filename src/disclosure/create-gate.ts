import type { Store } from '../store/types.js'
import type { DisclosureGate } from './gate.js'
import { GrantGate } from './grant-gate.js'

/** The gate every read path of a node uses; one place decides how it is assembled. */
export function createGate(store: Store): DisclosureGate {
  return new GrantGate(store)
}
