import { credentialFromHeader, parseApiKey, secretMatches } from '../auth/api-key.js'
import type { PrincipalRecord, Store } from '../store/types.js'
import { unauthorized } from './errors.js'

/** Resolves the Authorization header to an active principal, or throws 401 with one reason for all failures. */
export async function authenticate(store: Store, header: string | undefined): Promise<PrincipalRecord> {
  const credential = credentialFromHeader(header)
  if (credential === undefined)
    throw unauthorized('send an API key as "Authorization: Bearer <key>" or as the Basic password')
  const parsed = parseApiKey(credential)
  const key = parsed ? await store.getApiKey(parsed.keyId) : undefined
  // compare even when the key id is unknown, so timing does not tell valid key ids apart
  const ok =
    secretMatches(parsed?.secret ?? '', key?.secretHash ?? Buffer.alloc(32)) &&
    key !== undefined &&
    !key.revokedAt
  const principal = ok ? await store.getPrincipal(key.principalId) : undefined
  if (!principal || principal.revokedAt) throw unauthorized('the API key is not valid')
  return principal
}
