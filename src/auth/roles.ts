import type { PrincipalRecord, PrincipalRole } from '../store/types.js'
import { TaxiiError } from '../taxii/errors.js'

/** Every role a principal may hold; `admin` may do everything. */
export const ROLES: readonly PrincipalRole[] = ['admin', 'officer', 'analyst', 'auditor', 'partner']

export function isRole(value: unknown): value is PrincipalRole {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/**
 * Who may do what. Each list is what an endpoint declares; a refusal names
 * the list, so the caller learns which role was needed.
 *
 * - analyst: reads intelligence and imports it (TAXII, search), within its collection grants
 * - officer: issues and lifts orders, changes partners and agreements, reads policy history
 * - auditor: reads policy history and the whole ledger, and the metrics; nothing else
 * - partner: reads what policy allows it over TAXII, and its own ledger log
 */
export const ALLOWED = {
  taxii: ['admin', 'analyst', 'partner'],
  search: ['admin', 'analyst', 'partner'],
  policyRead: ['admin', 'officer', 'auditor'],
  policyChange: ['admin', 'officer'],
  policyExplain: ['admin', 'officer'],
  ledger: ['admin', 'auditor', 'partner'],
  /** Every log, not only a partner's own. */
  ledgerAll: ['admin', 'auditor'],
  principals: ['admin'],
  metrics: ['admin', 'auditor'],
} as const satisfies Record<string, readonly PrincipalRole[]>

export function roleList(roles: readonly PrincipalRole[]): PrincipalRole[] {
  return [...roles]
}

export function hasRole(principal: PrincipalRecord, roles: readonly PrincipalRole[]): boolean {
  return roles.includes(principal.role)
}

/** "admin", "admin or officer", "admin, officer or auditor". */
function alternatives(roles: readonly PrincipalRole[]): string {
  return roles.length <= 2 ? roles.join(' or ') : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`
}

/** The one refusal shape: 403 naming the roles that would have been allowed. */
export function roleRequired(roles: readonly PrincipalRole[]): TaxiiError {
  return new TaxiiError(403, 'Forbidden', `this needs the ${alternatives(roles)} role`, {
    errorCode: 'role-required',
  })
}

export function requireRole(principal: PrincipalRecord, roles: readonly PrincipalRole[]): void {
  if (!hasRole(principal, roles)) throw roleRequired(roles)
}
