import type { Order } from '../policy/index.js'
import { parseInstant } from '../policy/index.js'

/**
 * An order effective before it was recorded changes the policy of a past the node has already served: reads
 * in between went out without it and the ledger shows them. Legitimate (an order given by telephone and
 * entered later), but never silent: one line on stderr, so the printed id stays the first line of stdout.
 */
export function warnIfBackdated(order: Order): void {
  const effective = parseInstant(order.effective_from)
  const recorded = parseInstant(order.recorded_at)
  if (effective === undefined || recorded === undefined || effective >= recorded) return
  process.stderr.write(
    `sluice: note: ${order.id} takes effect from ${order.effective_from}, before it was recorded (${order.recorded_at}): reads in between were served without it, and the ledger shows them; "sluice policy history" marks it\n`,
  )
}
