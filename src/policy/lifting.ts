/**
 * When a suspension may be lifted. A suspension can carry more than one resumption: an officer who
 * scheduled the lift for Friday may be told on Tuesday to lift it now. The earliest resumption in
 * effect is the one that counts (snapshot.ts lifts on any), so a new resumption is only worth
 * recording when it takes effect before every one already recorded.
 */
import { parseInstant } from './time.js'
import type { Order, Resumption, Suspension } from './types.js'

// read as snapshot.ts reads a malformed time: fail closed, a suspension in force since ever, a resumption never
const at = (o: Order) =>
  parseInstant(o.effective_from) ??
  (o.kind === 'resumption' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)

/** The resumption that lifts `suspensionId` first, if any. */
export function firstLift(orders: readonly Order[], suspensionId: string): Resumption | undefined {
  let first: Resumption | undefined
  for (const o of orders)
    if (o.kind === 'resumption' && o.lifts === suspensionId && (first === undefined || at(o) < at(first)))
      first = o
  return first
}

/**
 * When a lift given no time takes effect: now, or, for a suspension not yet in force, the moment it
 * would start, so that lifting a scheduled order cancels it rather than being refused as too early.
 */
export function defaultLiftTime(suspension: Suspension, now: string): string {
  const start = parseInstant(suspension.effective_from)
  const current = parseInstant(now)
  return start !== undefined && current !== undefined && start > current ? suspension.effective_from : now
}

/** A lift taking effect at the suspension's start cancels it: the suspension never comes into force. */
export function cancels(lift: Resumption, suspension: Suspension): boolean {
  return at(lift) <= at(suspension)
}

/** Why `suspension` cannot be lifted at `effectiveFrom` as of `now`, or undefined when it can. */
export function liftRefusal(
  orders: readonly Order[],
  suspension: Suspension,
  effectiveFrom: string,
  now: string,
): string | undefined {
  const t = parseInstant(effectiveFrom) ?? Number.NaN
  if (t < at(suspension)) return 'a resumption cannot take effect before the suspension it lifts'
  const lift = firstLift(orders, suspension.id)
  if (lift === undefined || t < at(lift)) return undefined
  if (cancels(lift, suspension))
    return `order "${suspension.id}" was cancelled by ${lift.id} before it took effect: there is nothing left to lift`
  if (at(lift) <= (parseInstant(now) ?? Number.NaN))
    return `order "${suspension.id}" has already been lifted, by ${lift.id} from ${lift.effective_from}`
  return `order "${suspension.id}" is already to be lifted at ${lift.effective_from} by ${lift.id}; a new resumption can only bring that forward`
}
