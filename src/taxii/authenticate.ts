import type { IncomingMessage } from 'node:http'
import { credentialFromHeader, parseApiKey, secretMatches } from '../auth/api-key.js'
import { certificateBinding, peerFingerprint } from '../auth/client-cert.js'
import { keyUsable, touchKey } from '../auth/keys.js'
import type { PartnerRateLimiter } from '../ops/rate-limit.js'
import { noteRequest } from '../ops/request-context.js'
import type { PrincipalRecord, Store } from '../store/types.js'
import { rateLimited, unauthorized } from './errors.js'

/** Resolves the Authorization header to an active principal, or throws 401 with one reason for all failures. */
export async function authenticate(store: Store, header: string | undefined): Promise<PrincipalRecord> {
  const credential = credentialFromHeader(header)
  if (credential === undefined)
    throw unauthorized(
      'send an API key as "Authorization: Bearer <key>" or as the Basic password, or a bound client certificate',
    )
  const parsed = parseApiKey(credential)
  const key = parsed ? await store.getApiKey(parsed.keyId) : undefined
  // compare even when the key id is unknown, so timing does not tell valid key ids apart
  const ok =
    secretMatches(parsed?.secret ?? '', key?.secretHash ?? Buffer.alloc(32)) &&
    key !== undefined &&
    keyUsable(key, new Date().toISOString())
  const principal = ok ? await store.getPrincipal(key.principalId) : undefined
  if (!principal || principal.revokedAt) throw unauthorized('the API key is not valid')
  // last use is bookkeeping: a failure to record it must not fail the request
  await touchKey(store, key!.keyId).catch(() => undefined)
  return principal
}

/**
 * Authenticates a request: an API key in the Authorization header when one is
 * sent, else a client certificate bound to a principal (mutual TLS). With a
 * `limiter`, a partner's request is then admitted under its rate limit or refused with a 429.
 */
export async function authenticateRequest(
  store: Store,
  req: IncomingMessage,
  limiter?: PartnerRateLimiter,
): Promise<PrincipalRecord> {
  const header = req.headers.authorization
  let principal: PrincipalRecord
  let via: 'api-key' | 'client-certificate' = 'api-key'
  const fingerprint = header === undefined ? peerFingerprint(req.socket) : undefined
  if (fingerprint) {
    const binding = await certificateBinding(store, fingerprint)
    const bound = binding ? await store.getPrincipal(binding.principalId) : undefined
    if (!bound || bound.revokedAt)
      throw unauthorized('the client certificate is not bound to an active principal')
    principal = bound
    via = 'client-certificate'
  } else {
    principal = await authenticate(store, header)
  }
  noteRequest(req, { principalId: principal.id, role: principal.role, via })
  if (limiter && principal.role === 'partner') {
    const admission = limiter.admit(principal.partnerId!)
    if (!admission.admitted) throw rateLimited(admission.retryAfterSeconds)
  }
  return principal
}
