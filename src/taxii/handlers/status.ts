import type { StatusRecord } from '../../store/types.js'
import type { RequestContext } from '../context.js'
import { notFound } from '../errors.js'
import type { Reply } from '../http-io.js'

export function statusResource(s: StatusRecord) {
  return {
    id: s.id,
    status: s.status,
    request_timestamp: s.requestTimestamp,
    total_count: s.successes.length + s.failures.length + s.pendings.length,
    success_count: s.successes.length,
    successes: s.successes,
    failure_count: s.failures.length,
    failures: s.failures,
    pending_count: s.pendings.length,
    pendings: s.pendings,
  }
}

/** A status resource is visible only to the principal whose request created it. */
export async function getStatus(ctx: RequestContext): Promise<Reply> {
  const status = await ctx.deps.store.getStatus(ctx.params.apiRoot!, ctx.params.statusId!)
  if (!status || status.principalId !== ctx.session.viewer.principalId) throw notFound('the status resource')
  return { status: 200, body: JSON.stringify(statusResource(status)) }
}
