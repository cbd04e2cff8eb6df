import type { Served } from './gate.js'

const joined = new WeakMap<readonly Served[], string>()

/**
 * The texts served, joined by commas: a TAXII envelope's `objects` array without its brackets, and what
 * the ledger hashes version by version. Built once per page, so the response and the ledger record
 * share one copy of a megabyte rather than each joining their own.
 */
export function joinedJson(served: readonly Served[]): string {
  let text = joined.get(served)
  if (text === undefined) {
    text = served.map((s) => s.json).join(',')
    joined.set(served, text)
  }
  return text
}
