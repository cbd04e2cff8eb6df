import type { ApiKeyRecord, Store } from '../store/types.js'
import { generateApiKey } from './api-key.js'
import { CredentialError } from './credential-error.js'
import { knownPrincipal } from './known-principal.js'

export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked'

/** A key as operators see it: never the secret, never its hash. */
export interface KeyView {
  key_id: string
  principal_id: string
  created_at: string
  state: KeyState
  expires_at?: string
  last_used_at?: string
  revoked_at?: string
}

export class KeyError extends CredentialError {}

export function keyState(key: ApiKeyRecord, now: string): KeyState {
  if (key.revokedAt) return 'revoked'
  if (key.expiresAt) return Date.parse(key.expiresAt) <= Date.parse(now) ? 'expired' : 'expiring'
  return 'active'
}

/** A key accepts requests: not revoked and not past its expiry. */
export function keyUsable(key: ApiKeyRecord, now: string): boolean {
  const state = keyState(key, now)
  return state === 'active' || state === 'expiring'
}

export function keyView(key: ApiKeyRecord, now: string): KeyView {
  return {
    key_id: key.keyId,
    principal_id: key.principalId,
    created_at: key.createdAt,
    state: keyState(key, now),
    ...(key.expiresAt ? { expires_at: key.expiresAt } : {}),
    ...(key.lastUsedAt ? { last_used_at: key.lastUsedAt } : {}),
    ...(key.revokedAt ? { revoked_at: key.revokedAt } : {}),
  }
}

/** Keys of one principal, or of every principal; `all` includes revoked and expired ones. */
export async function listKeys(
  store: Store,
  options: { principalId?: string; all?: boolean; now?: string } = {},
): Promise<KeyView[]> {
  const now = options.now ?? new Date().toISOString()
  const principals = options.principalId
    ? [(await knownPrincipal(store, options.principalId)).id]
    : (await store.listPrincipals()).map((p) => p.id)
  const views: KeyView[] = []
  for (const id of principals) for (const key of await store.listApiKeys(id)) views.push(keyView(key, now))
  return options.all ? views : views.filter((v) => v.state === 'active' || v.state === 'expiring')
}

export interface Rotation {
  /** Shown once; only its hash is stored. */
  token: string
  key: KeyView
  /** The keys that stay valid until the end of the overlap, then stop. */
  retiring: KeyView[]
}

/**
 * Issues a new key and gives the principal's other usable keys an expiry at
 * the end of the overlap window (never later than one they already have), so
 * clients can switch without an outage. An overlap of 0 retires them at once.
 */
export async function rotateKey(
  store: Store,
  principalId: string,
  overlapSeconds: number,
  nowDate = new Date(),
): Promise<Rotation> {
  if (!Number.isFinite(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > 90 * 86400)
    throw new KeyError('the overlap must be between 0 seconds and 90 days')
  const principal = await store.getPrincipal(principalId)
  if (!principal || principal.revokedAt) throw new KeyError(`no active principal "${principalId}"`, true)
  const now = nowDate.toISOString()
  const until = new Date(nowDate.getTime() + overlapSeconds * 1000).toISOString()
  const retiring: KeyView[] = []
  for (const key of await store.listApiKeys(principalId)) {
    if (!keyUsable(key, now)) continue
    const expiresAt = key.expiresAt && Date.parse(key.expiresAt) < Date.parse(until) ? key.expiresAt : until
    await store.updateApiKey(key.keyId, { expiresAt })
    retiring.push(keyView({ ...key, expiresAt }, now))
  }
  const fresh = generateApiKey()
  const record: ApiKeyRecord = {
    keyId: fresh.keyId,
    principalId,
    secretHash: fresh.secretHash,
    createdAt: now,
  }
  await store.addApiKey(record)
  return { token: fresh.token, key: keyView(record, now), retiring }
}

/** Revokes one key at once; the principal's other keys keep working. */
export async function revokeKey(
  store: Store,
  keyId: string,
  now = new Date().toISOString(),
): Promise<KeyView> {
  const key = await store.getApiKey(keyId)
  if (!key) throw new KeyError(`no key "${keyId}"`, true)
  if (key.revokedAt) throw new KeyError(`key "${keyId}" was already revoked at ${key.revokedAt}`)
  await store.updateApiKey(keyId, { revokedAt: now })
  return keyView({ ...key, revokedAt: now }, now)
}

const TOUCH_EVERY_MS = 60_000
const touched = new WeakMap<Store, Map<string, number>>()

/**
 * Records that a key was used, at most once a minute per key and process, so
 * authentication does not turn every read into a write.
 */
export async function touchKey(store: Store, keyId: string, nowMs = Date.now()): Promise<void> {
  let seen = touched.get(store)
  if (!seen) {
    seen = new Map()
    touched.set(store, seen)
  }
  const last = seen.get(keyId)
  if (last !== undefined && nowMs - last < TOUCH_EVERY_MS) return
  seen.set(keyId, nowMs)
  if (seen.size > 10_000) seen.clear()
  await store.updateApiKey(keyId, { lastUsedAt: new Date(nowMs).toISOString() })
}

/** `90s`, `15m`, `24h`, `7d` or plain seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim())
  if (!m) return undefined
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd']
  return Number(m[1]) * unit
}
