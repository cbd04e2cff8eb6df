import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * API keys look like `sluice_<keyId>_<secret>`. The key id lets the server find
 * the stored hash without scanning; the secret carries 256 random bits, so a
 * plain SHA-256 is enough to store it (no dictionary to protect against).
 */
const TOKEN = /^sluice_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

export interface NewApiKey {
  keyId: string
  token: string
  secretHash: Buffer
}

export function generateApiKey(): NewApiKey {
  const keyId = randomBytes(8).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  return { keyId, token: `sluice_${keyId}_${secret}`, secretHash: hashSecret(secret) }
}

export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const m = TOKEN.exec(token)
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret)
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash)
}

/** The credential in an Authorization header: a Bearer token, or the password of Basic credentials. */
export function credentialFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined
  const space = header.indexOf(' ')
  if (space < 0) return undefined
  const scheme = header.slice(0, space).toLowerCase()
  const value = header.slice(space + 1).trim()
  if (scheme === 'bearer') return value
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon >= 0 ? decoded.slice(colon + 1) : undefined
  }
  return undefined
}
