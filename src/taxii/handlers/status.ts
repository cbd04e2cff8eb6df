import { formatMicros, toMicros } from '../../store/time.js'
import type { StatusRecord } from '../../store/types.js'
import type { RequestContext } from '../context.js'
import { notFound } from '../errors.js'
import type { Reply } from '../http-io.js'

/** TAXII timestamps carry microseconds (TAXII 2.1 §2); the request time is recorded in milliseconds. */
function taxiiTimestamp(timestamp: string): string {
  const micros = toMicros(timestamp)
  return micros === undefined ? timestamp : formatMicros(micros)
}

/**
 * The status resource of a POST. TAXII prohibits empty lists (§2): a list with nothing in it is left out,
 * its count (always present) saying zero.
 */
export function statusResource(s: StatusRecord) {
  return {
    id: s.id,
    status: s.status,
    request_timestamp: taxiiTimestamp(s.requestTimestamp),
    total_count: s.successes.length + s.failures.length + s.pendings.length,
    success_count: s.successes.length,
    ...(s.successes.length > 0 ? { successes: s.successes } : {}),
    failure_count: s.failures.length,
    ...(s.failures.length > 0 ? { failures: s.failures } : {}),
    pending_count: s.pendings.length,
    ...(s.pendings.length > 0 ? { pendings: s.pendings } : {}),
  }
}

/** A status resource is visible only to the principal whose request created it. */
export async function getStatus(ctx: RequestContext): Promise<Reply> {
  const status = await ctx.deps.store.getStatus(ctx.params.apiRoot!, ctx.params.statusId!)
  if (!status || status.principalId !== ctx.session.viewer.principalId) throw notFound('the status resource')
  return { status: 200, body: JSON.stringify(statusResource(status)) }
}
