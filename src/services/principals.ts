import { randomUUID } from 'node:crypto'
import { generateApiKey } from '../auth/api-key.js'
import type { PrincipalRecord, PrincipalRole, Store } from '../store/types.js'
import { displayName, fail } from './policy-input.js'

export interface CreatedPrincipal {
  principal: PrincipalRecord
  /** Shown once; only its hash is stored. */
  apiKey: string
}

export async function createPrincipal(
  store: Store,
  input: { name: string; role: PrincipalRole; partnerId?: string; id?: string },
): Promise<CreatedPrincipal> {
  // the partner a principal names decides what it is shown; another role ignores it, so it is a mistake
  if (input.partnerId !== undefined && input.role !== 'partner')
    fail(`only a partner principal names a partner; the ${input.role} role sees what it allows`)
  const now = new Date().toISOString()
  const principal: PrincipalRecord = {
    id: input.id ?? `principal--${randomUUID()}`,
    name: displayName(input.name, 'the principal name'),
    role: input.role,
    createdAt: now,
    ...(input.partnerId ? { partnerId: input.partnerId } : {}),
  }
  const key = generateApiKey()
  await store.createPrincipal(principal, {
    keyId: key.keyId,
    principalId: principal.id,
    secretHash: key.secretHash,
    createdAt: now,
  })
  return { principal, apiKey: key.token }
}

/** A principal as the node shows it (admin API, CLI --json): snake_case like every other record it shows. */
export function principalView(p: PrincipalRecord) {
  return {
    id: p.id,
    name: p.name,
    role: p.role,
    ...(p.partnerId ? { partner_id: p.partnerId } : {}),
    created_at: p.createdAt,
    ...(p.revokedAt ? { revoked_at: p.revokedAt } : {}),
  }
}
