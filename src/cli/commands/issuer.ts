import { userInfo } from 'node:os'
import { displayName, PolicyInputError } from '../../services/policy-input.js'
import { CliError } from '../errors.js'

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
  try {
    return displayName(given, flag ? '--issuer' : 'SLUICE_ISSUER')
  } catch (error) {
    if (error instanceof PolicyInputError) throw new CliError(error.message, 2)
    throw error
  }
}
