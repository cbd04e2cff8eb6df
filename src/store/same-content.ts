import { canonicalJson } from '../stix/canonical-json.js'

/**
 * Whether an incoming version's text says what the stored one says: the same text, or the same JSON with
 * its members in another order (a client that re-sends what it sent before need not keep the order, and
 * `JSON.stringify` keeps whatever order it was given). Parsed only when the texts differ.
 */
export function sameContent(stored: string, incoming: string): boolean {
  if (stored === incoming) return true
  try {
    return canonicalJson(JSON.parse(stored)) === canonicalJson(JSON.parse(incoming))
  } catch {
    return false
  }
}
