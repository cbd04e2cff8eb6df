import { caveatsToAdd, redact } from '../policy/decide.js'
import type { Decision } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'
import { topLevelMembers } from './json-members.js'

const REFS = 'object_marking_refs'
const GRANULAR = 'granular_markings'
const REFS_KEY = `"${REFS}":`

/**
 * How an allowed version's stored text becomes the text served: as it is, with marking refs appended
 * at the end, with its marking refs array replaced, with whole top-level properties cut out (`cut`); or,
 * for `reserialise`, not by splicing at all. A pure function of the version's policy view and the
 * decision, so it can be shared by every version with the same view.
 */
export type Splice =
  | { kind: 'as-is' }
  | { kind: 'append'; text: string }
  | { kind: 'replace'; needle: string; text: string }
  | CutSplice
  | { kind: 'reserialise' }

/**
 * A redaction of top-level properties only, done on the text: members in `remove` are dropped, the
 * `granular_markings` member becomes `granular` (dropped when null), the marking refs member becomes
 * `refs` (appended last when the version has none). Each key in `present` must be a member for the
 * surviving granular markings to be what `removeSelected` keeps; if one is not, the version is parsed.
 */
export interface CutSplice {
  kind: 'cut'
  remove: ReadonlySet<string>
  present: readonly string[]
  granular: string | null | undefined
  refs: { text: string; append: boolean } | undefined
}

/**
 * Stored text is what `JSON.stringify` wrote at ingest, so editing it gives the bytes
 * `JSON.stringify(redact(object, decision))` would: `redact` keeps an existing `object_marking_refs` in
 * place and adds a missing one last, and `removeSelected` deletes the selected properties and keeps
 * `granular_markings` where it was. Redactions reach below the top level, or touch the markings
 * themselves, re-serialise. `ownId` is the version's id where it is a caveat's own definition, which is
 * not marked with itself.
 */
export function spliceFor(view: StixObject, decision: Decision, ownId?: string): Splice {
  if (decision.effect === 'deny') return { kind: 'reserialise' }
  const markingRefs = view.object_marking_refs
  const added = caveatsToAdd(markingRefs ?? [], decision.caveats, ownId)
  if (decision.effect === 'redact') return cutFor(view, decision.redactions, added)
  if (added.length === 0) return { kind: 'as-is' }
  if (markingRefs === undefined) return { kind: 'append', text: `,${REFS_KEY}${JSON.stringify(added)}}` }
  return {
    kind: 'replace',
    needle: REFS_KEY + JSON.stringify(markingRefs),
    text: REFS_KEY + JSON.stringify([...markingRefs, ...added]),
  }
}

/** Keys that a cut never removes: what identifies the version, and the markings a cut rewrites. */
const KEPT_WHOLE = new Set(['type', 'id', REFS, GRANULAR])
const TOP_LEVEL_KEY = /^[a-z0-9_-]+$/

function cutFor(view: StixObject, redactions: readonly string[], added: readonly string[]): Splice {
  const topLevel = (s: string) => TOP_LEVEL_KEY.test(s) && !KEPT_WHOLE.has(s)
  if (!redactions.every(topLevel)) return { kind: 'reserialise' }
  const remove = new Set(redactions)
  const present: string[] = []
  let granular: string | null | undefined
  if (view.granular_markings !== undefined) {
    const kept: NonNullable<StixObject['granular_markings']> = []
    for (const g of view.granular_markings) {
      // a selector below the top level would need the object's inner structure to check
      if (!g.selectors.every((s) => TOP_LEVEL_KEY.test(s))) return { kind: 'reserialise' }
      const selectors = g.selectors.filter((s) => !remove.has(s))
      present.push(...selectors)
      if (selectors.length > 0) kept.push({ ...g, selectors })
    }
    granular = kept.length > 0 ? `"${GRANULAR}":${JSON.stringify(kept)}` : null
  }
  const markingRefs = view.object_marking_refs
  const refs =
    added.length === 0
      ? undefined
      : {
          text: REFS_KEY + JSON.stringify([...(markingRefs ?? []), ...added]),
          append: markingRefs === undefined,
        }
  return { kind: 'cut', remove, present: [...new Set(present)], granular, refs }
}

/**
 * The exact text served for an allowed version: `JSON.stringify(redact(object, decision))`, without
 * re-serialising the whole object when the decision only appends caveats or removes top-level properties
 * (the common cases). An unescaped `"object_marking_refs":[…]` cannot occur inside a JSON string, so when
 * the existing array's text occurs exactly once it is the top-level one; otherwise, or when the text is
 * not as the splice expects, the version is serialised in full. `whole` is the parsed version when the
 * caller has it (else the text is parsed).
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
    case 'cut': {
      const cut = applyCut(storedJson, splice)
      if (cut !== undefined) return cut
      break
    }
  }
  return JSON.stringify(redact(whole ?? (JSON.parse(storedJson) as StixObject), decision))
}

function applyCut(text: string, splice: CutSplice): string | undefined {
  const members = topLevelMembers(text)
  if (members === undefined) return undefined
  const parts: string[] = []
  let sawGranular = false
  let sawRefs = false
  let present = 0
  for (const m of members) {
    if (splice.remove.has(m.key)) continue
    if (m.key === GRANULAR) {
      sawGranular = true
      if (typeof splice.granular === 'string') parts.push(splice.granular)
      continue
    }
    if (m.key === REFS) {
      sawRefs = true
      if (splice.refs !== undefined) {
        parts.push(splice.refs.text)
        continue
      }
    }
    if (splice.present.includes(m.key)) present++
    parts.push(text.slice(m.start, m.end))
  }
  // the text must be the version the view was taken from: same markings, every kept selector resolving
  if (sawGranular !== (splice.granular !== undefined) || present !== splice.present.length) return undefined
  if (splice.refs !== undefined) {
    if (sawRefs === splice.refs.append) return undefined
    if (splice.refs.append) parts.push(splice.refs.text)
  }
  return `{${parts.join(',')}}`
}
