import { nodeVerifierKeyProblem } from '../ledger/note-key.js'
import { FederationError } from './errors.js'

/**
 * A node verifier key an administrator gives (a feed's remote, a partner's node), checked when it is given:
 * one that can verify nothing would only fail later, at a poll or an acknowledgement.
 */
export function givenNodeKey(vkey: string, whose: string): string {
  const problem = nodeVerifierKeyProblem(vkey)
  if (problem !== undefined)
    throw new FederationError(
      'invalid',
      `vkey is not the ${whose}'s verifier key (${problem}); ask its operators for what 'sluice ledger key' prints there`,
    )
  return vkey
}
