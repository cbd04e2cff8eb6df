/**
 * "Policy at instant T" from the append-only history.
 */
import type { StixObject } from '../stix/object.js'
import { formatMicros } from '../stix/timestamp.js'
import { BUILTIN_MARKINGS } from './markings.js'
import { parseInstant, requireInstant } from './time.js'
import type { Agreement, PolicyHistory, PolicySnapshot, Resumption, Suspension } from './types.js'

export interface PolicyAtOptions {
  /**
   * Bitemporal view: consider only rows recorded at or before this instant ("what the node knew then").
   * Without it every row counts, including ones recorded later with an earlier `effective_from`.
   */
  asKnownAt?: string
}

/**
 * The policy in force at `instant`.
 *
 * - An agreement version is in force when its `effective_from` <= instant and no higher version of the same
 *   agreement has `effective_from` <= instant; a withdrawn version in force means the agreement is not.
 * - A suspension is active when its `effective_from` <= instant and no resumption lifting it has
 *   `effective_from` <= instant.
 * - Rows with `effective_from` after `instant` are ignored; the earliest of them sets `staleAt`, the instant
 *   at which a cached snapshot must be rebuilt.
 *
 * Malformed `effective_from` values make a row count as never effective (it is ignored, fail-closed for
 * agreements; a malformed suspension is treated as effective from the beginning of time, fail-closed too).
 */
export function policyAt(
  history: PolicyHistory,
  instant: string,
  options: PolicyAtOptions = {},
): PolicySnapshot {
  const t = requireInstant(instant, 'instant')
  const known = options.asKnownAt === undefined ? undefined : requireInstant(options.asKnownAt, 'asKnownAt')
  const recorded = (row: { recorded_at: string }): boolean => {
    if (known === undefined) return true
    const r = parseInstant(row.recorded_at)
    return r !== undefined && r <= known
  }
  let stale: number | undefined
  const noteFuture = (e: number | undefined): void => {
    if (e !== undefined && e > t && (stale === undefined || e < stale)) stale = e
  }

  const latest = new Map<string, Agreement>()
  for (const a of history.agreements) {
    if (!recorded(a)) continue
    const e = parseInstant(a.effective_from)
    if (e === undefined) continue
    if (e > t) {
      noteFuture(e)
      continue
    }
    const cur = latest.get(a.id)
    if (cur === undefined || a.version > cur.version) latest.set(a.id, a)
  }
  const agreements = [...latest.values()]
    .filter((a) => a.withdrawn !== true)
    .sort((x, y) => cmp(x.partner_id, y.partner_id) || cmp(x.id, y.id))

  const lifted = new Set<string>()
  const suspensions: Suspension[] = []
  for (const o of history.orders) {
    if (!recorded(o) || o.kind !== 'resumption') continue
    const e = parseInstant(o.effective_from)
    if (e === undefined) continue
    if (e > t) noteFuture(e)
    else lifted.add((o as Resumption).lifts)
  }
  for (const o of history.orders) {
    if (!recorded(o) || o.kind !== 'suspension') continue
    const e = parseInstant(o.effective_from) ?? Number.NEGATIVE_INFINITY
    if (e > t) noteFuture(e)
    else if (!lifted.has(o.id)) suspensions.push(o)
  }
  suspensions.sort((x, y) => cmp(x.partner_id, y.partner_id) || cmp(x.id, y.id))

  const markings = new Map<string, StixObject>(BUILTIN_MARKINGS)
  for (const m of history.markings ?? []) if (m.type === 'marking-definition') markings.set(m.id, m)

  const snapshot: PolicySnapshot = {
    at: instant,
    partners: new Map(history.partners.map((p) => [p.id, p])),
    agreements,
    suspensions,
    markings,
  }
  if (stale !== undefined) snapshot.staleAt = formatMicros(stale)
  if (history.collections !== undefined) snapshot.collections = history.collections
  return snapshot
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
