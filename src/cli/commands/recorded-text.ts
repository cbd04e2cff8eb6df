import { displayName, prose } from '../../services/policy-input.js'
import { asUsage, required } from '../options.js'

/**
 * A --reason recorded for good (the policy history, the ledger's commitment): checked as the service checks
 * it, but before the store is opened, so that a malformed one is a usage error (exit 2) like any other.
 */
export function reasonFlag(value: string | undefined): string {
  return asUsage(() => prose(required(value, 'reason'), '--reason'))
}

/** A --reference, printed on one line in histories: one printable line of at most 200 characters. */
export function referenceFlag(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : asUsage(() => displayName(value, '--reference'))
}
