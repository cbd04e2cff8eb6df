/**
 * Whether a new agreement version would change what is in force. A version is in force from its
 * `effective_from` until a higher version's (snapshot.ts), so the draft, being the highest, replaces from
 * its start whatever each earlier version said. When every one of those said the same, recording the draft
 * would put a change that never happened in the history and the ledger.
 */
import { parseInstant } from './time.js'
import type { Agreement } from './types.js'

/** The agreement's terms, without when and by whom a version was recorded; lists compared as sets. */
function terms(agreement: Agreement): string {
  const { id: _id, version: _v, effective_from: _e, recorded_at: _r, recorded_by: _b, ...rest } = agreement
  return JSON.stringify(normalised(rest))
}

function normalised(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map(normalised).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalised((value as Record<string, unknown>)[k])]),
    )
  return value
}

/** The earlier version the draft would replace at `instant`, if one is in force then. */
function inForce(previous: readonly Agreement[], instant: number): Agreement | undefined {
  let found: Agreement | undefined
  for (const a of previous) {
    const from = parseInstant(a.effective_from)
    if (from !== undefined && from <= instant && (found === undefined || a.version > found.version)) found = a
  }
  return found
}

/** True when `draft` says, from its start on, exactly what the earlier versions say then. */
export function changesNothing(previous: readonly Agreement[], draft: Agreement): boolean {
  const start = parseInstant(draft.effective_from)
  if (start === undefined || previous.length === 0) return false
  const wanted = terms(draft)
  const later = previous
    .map((a) => parseInstant(a.effective_from))
    .filter((t) => t !== undefined && t > start)
  return [start, ...(later as number[])].every((t) => {
    const replaced = inForce(previous, t)
    return replaced !== undefined && terms(replaced) === wanted
  })
}
