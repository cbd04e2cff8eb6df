import type { Entry } from './entry.js'
import { LedgerError } from './errors.js'

/**
 * Which log a tree belongs to: `global`, or `partner:<partner id>`. Every tree function works on one log;
 * the store keys its nodes and checkpoints by this string.
 */
export type LogId = 'global' | `partner:${string}`

/** The node-wide log. */
export const GLOBAL_LOG: LogId = 'global'

// Partner ids become part of checkpoint origins: no whitespace, no '+', no control characters.
const PARTNER_ID = /^[^\s+\p{Cc}]+$/u

/** The log of one partner. */
export function partnerLogId(partnerId: string): LogId {
  if (!PARTNER_ID.test(partnerId)) {
    throw new LedgerError('invalid_argument', `partner id ${JSON.stringify(partnerId)} cannot name a log`)
  }
  return `partner:${partnerId}`
}

/** Parses a log id string; throws `invalid_argument` if it is neither form. */
export function parseLogId(text: string): { kind: 'global' } | { kind: 'partner'; partnerId: string } {
  if (text === GLOBAL_LOG) return { kind: 'global' }
  if (text.startsWith('partner:') && PARTNER_ID.test(text.slice(8))) {
    return { kind: 'partner', partnerId: text.slice(8) }
  }
  throw new LedgerError('invalid_argument', `not a log id: ${JSON.stringify(text)}`)
}

/**
 * The logs an entry is appended to: every entry goes to the global log, and to the log of the partner it
 * concerns (a disclosure to that partner, an order about it, a change to its agreement), so a partner's
 * own log shows what it received and every policy change that affected it. A key change concerns every
 * partner alike and goes to the global log only.
 */
export function logsForEntry(entry: Entry): LogId[] {
  return entry.kind === 'key' ? [GLOBAL_LOG] : [GLOBAL_LOG, partnerLogId(entry.partnerId)]
}

/**
 * The checkpoint origin of a log of this node: `<node origin>/<log id with ':' replaced by '/'>`, e.g.
 * `ledger.meridia.example/global`, `ledger.meridia.example/partner/northland-deb`.
 */
export function logOrigin(nodeOrigin: string, logId: LogId): string {
  if (nodeOrigin.length === 0 || /[\s+]/u.test(nodeOrigin) || nodeOrigin.endsWith('/')) {
    throw new LedgerError('invalid_argument', `node origin ${JSON.stringify(nodeOrigin)} is not usable`)
  }
  const parsed = parseLogId(logId)
  return parsed.kind === 'global' ? `${nodeOrigin}/global` : `${nodeOrigin}/partner/${parsed.partnerId}`
}
