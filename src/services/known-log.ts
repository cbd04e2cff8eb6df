import { type LogId, parseLogId, partnerLogId } from '../ledger/log-id.js'
import type { PolicyService } from './policy-service.js'

/**
 * A log this node keeps: the global one, or that of a partner it has (named by id or name). Asking for the
 * checkpoint of any other log would sign, store and serve an empty tree that reads as "nothing was disclosed
 * to this partner" about a partner the node never had.
 */
export async function knownLog(policy: PolicyService, text: string): Promise<LogId> {
  const log = parseLogId(text)
  return log.kind === 'partner' ? partnerLogId((await policy.partner(log.partnerId)).id) : 'global'
}
