import { unknown } from '../services/policy-input.js'
import { SEE_PRINCIPALS } from '../services/see-also.js'
import type { PrincipalRecord, Store } from '../store/types.js'

/**
 * The principal a listing filter names. An unknown one is refused as an unknown partner is
 * (`GET /admin/agreements?partner=`): answering `[]` would read as "it has none" when it is a typo.
 */
export async function knownPrincipal(store: Store, id: string): Promise<PrincipalRecord> {
  return (await store.getPrincipal(id)) ?? unknown(id, `no principal "${id}"`, SEE_PRINCIPALS)
}
