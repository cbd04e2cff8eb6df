import { userInfo } from 'node:os'
import { displayName } from '../../services/policy-input.js'
import { asUsage } from '../options.js'

/**
 * Who a local command acts as: --issuer, else SLUICE_ISSUER, else the operating-system user. It is
 * recorded for good (the ledger, the policy history), so it is one printable line of at most 200 characters.
 */
export function issuer(flag: string | undefined): string {
  const given = flag || process.env.SLUICE_ISSUER
  if (!given) {
    try {
      return `local:${userInfo().username}`
    } catch {
      return 'local:unknown'
    }
  }
  return asUsage(() => displayName(given, flag ? '--issuer' : 'SLUICE_ISSUER'))
}
