import type { Order } from '../policy/index.js'
import { parseInstant } from '../policy/index.js'

/**
 * An order effective before it was recorded changes the policy of a past the node has already served.
 * Legitimate (an order given by telephone and entered later), but never silent: one line on stderr, so the
 * printed id stays the first line of stdout. What the past got differs by kind: reads in between went out
 * without a backdated suspension, and were refused still under the suspension a backdated resumption lifts.
 */
export function warnIfBackdated(order: Order): void {
  const effective = parseInstant(order.effective_from)
  const recorded = parseInstant(order.recorded_at)
  if (effective === undefined || recorded === undefined || effective >= recorded) return
  const between =
    order.kind === 'resumption'
      ? 'reads in between were still refused under the suspension it lifts, as the ledger shows'
      : 'reads in between were served without it, and the ledger shows them'
  process.stderr.write(
    `sluice: note: ${order.id} takes effect from ${order.effective_from}, before it was recorded (${order.recorded_at}): ${between}; "sluice policy history" marks it\n`,
  )
}
