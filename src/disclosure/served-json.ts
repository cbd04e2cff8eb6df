import { caveatsToAdd, redact } from '../policy/decide.js'
import type { Decision } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'

const REFS_KEY = '"object_marking_refs":'

/**
 * The exact text served for an allowed version: `JSON.stringify(redact(object, decision))`, without
 * re-serialising the whole object when the decision only appends caveats (the common case under an
 * agreement with caveats). Stored text is what `JSON.stringify` wrote at ingest, so splicing the
 * marking refs into it gives the same bytes: `redact` keeps an existing `object_marking_refs` in place
 * and adds a missing one last. An unescaped `"object_marking_refs":[…]` cannot occur inside a JSON
 * string, so when the existing array's text occurs exactly once it is the top-level one; otherwise
 * the version is serialised in full.
 */
export function servedJson(storedJson: string, object: StixObject, decision: Decision): string {
  if (decision.effect === 'deny') throw new TypeError(`servedJson() called for denied object ${object.id}`)
  if (decision.effect === 'allow') {
    const existing = object.object_marking_refs
    const added = caveatsToAdd(existing ?? [], decision.caveats)
    if (added.length === 0) return storedJson
    if (existing === undefined && storedJson.endsWith('}') && storedJson.length > 2)
      return `${storedJson.slice(0, -1)},${REFS_KEY}${JSON.stringify(added)}}`
    if (existing !== undefined) {
      const needle = REFS_KEY + JSON.stringify(existing)
      const at = storedJson.indexOf(needle)
      if (at >= 0 && storedJson.indexOf(needle, at + 1) < 0)
        return `${storedJson.slice(0, at)}${REFS_KEY}${JSON.stringify([...existing, ...added])}${storedJson.slice(at + needle.length)}`
    }
  }
  return JSON.stringify(redact(object, decision))
}
