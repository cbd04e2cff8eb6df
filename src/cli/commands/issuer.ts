import { userInfo } from 'node:os'

/** Who a local command acts as: --issuer, else SLUICE_ISSUER, else the operating-system user. */
export function issuer(flag: string | undefined): string {
  if (flag) return flag
  if (process.env.SLUICE_ISSUER) return process.env.SLUICE_ISSUER
  try {
    return `local:${userInfo().username}`
  } catch {
    return 'local:unknown'
  }
}
