import { caveatsToAdd, redact } from '../policy/decide.js'
import type { Decision } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'

const REFS_KEY = '"object_marking_refs":'

/**
 * How an allowed version's stored text becomes the text served: as it is, with marking refs appended
 * at the end, or with its marking refs array replaced; or, for `reserialise`, not by splicing at all.
 * A pure function of the version's marking refs and the decision, so it can be shared by every
 * version with the same policy view.
 */
export type Splice =
  | { kind: 'as-is' }
  | { kind: 'append'; text: string }
  | { kind: 'replace'; needle: string; text: string }
  | { kind: 'reserialise' }

/**
 * Stored text is what `JSON.stringify` wrote at ingest, so splicing the marking refs into it gives the
 * bytes `JSON.stringify(redact(object, decision))` would: `redact` keeps an existing
 * `object_marking_refs` in place and adds a missing one last. Redactions always re-serialise.
 */
export function spliceFor(markingRefs: readonly string[] | undefined, decision: Decision): Splice {
  if (decision.effect !== 'allow') return { kind: 'reserialise' }
  const added = caveatsToAdd(markingRefs ?? [], decision.caveats)
  if (added.length === 0) return { kind: 'as-is' }
  if (markingRefs === undefined) return { kind: 'append', text: `,${REFS_KEY}${JSON.stringify(added)}}` }
  return {
    kind: 'replace',
    needle: REFS_KEY + JSON.stringify(markingRefs),
    text: REFS_KEY + JSON.stringify([...markingRefs, ...added]),
  }
}

/**
 * The exact text served for an allowed version: `JSON.stringify(redact(object, decision))`, without
 * re-serialising the whole object when the decision only appends caveats (the common case under an
 * agreement with caveats). An unescaped `"object_marking_refs":[…]` cannot occur inside a JSON string, so
 * when the existing array's text occurs exactly once it is the top-level one; otherwise the version is
 * serialised in full. `whole` is the parsed version when the caller has it (else the text is parsed).
 */
export function applySplice(
  storedJson: string,
  splice: Splice,
  decision: Decision,
  whole?: StixObject,
): string {
  if (decision.effect === 'deny') throw new TypeError('applySplice() called for a denied version')
  switch (splice.kind) {
    case 'as-is':
      return storedJson
    case 'append':
      if (storedJson.endsWith('}') && storedJson.length > 2) return storedJson.slice(0, -1) + splice.text
      break
    case 'replace': {
      const at = storedJson.indexOf(splice.needle)
      if (at >= 0 && storedJson.indexOf(splice.needle, at + 1) < 0)
        return storedJson.slice(0, at) + splice.text + storedJson.slice(at + splice.needle.length)
      break
    }
  }
  return JSON.stringify(redact(whole ?? (JSON.parse(storedJson) as StixObject), decision))
}
