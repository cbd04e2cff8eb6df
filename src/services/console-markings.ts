import { BUILTIN_MARKINGS, type KnownMarkings, resolveMarking } from '../policy/markings.js'
import { tlpLabel } from '../policy/tlp.js'
import type { StixObject } from '../stix/object.js'
import type { MarkingLabel } from './console-types.js'

/** A short human label for a marking id, from what the policy engine makes of it. */
export function markingLabel(id: string, known: KnownMarkings): MarkingLabel {
  const info = resolveMarking(id, known)
  if (info === undefined) return { id, label: 'unknown marking', kind: 'unknown' }
  const named = known.get(id)?.name
  const name = typeof named === 'string' ? named : undefined
  switch (info.kind) {
    case 'tlp':
      return { id, label: tlpLabel(info.tlp), kind: 'tlp', tlp: info.tlp }
    case 'iep':
      return { id, label: name ?? 'IEP', kind: 'iep', ...(info.tlp ? { tlp: info.tlp } : {}) }
    case 'handling':
      return { id, label: name ?? `Handling ${info.code}`, kind: 'handling' }
    case 'statement':
      return { id, label: name ?? info.statement.slice(0, 40), kind: 'statement' }
    default:
      return { id, label: name ?? id.slice(0, 28), kind: 'other' }
  }
}

/** Built-in markings plus the marking-definitions the node stores. */
export function knownMarkings(history: { markings?: Iterable<StixObject> }): KnownMarkings {
  const map = new Map(BUILTIN_MARKINGS)
  for (const m of history.markings ?? []) if (m.type === 'marking-definition') map.set(m.id, m)
  return map
}

/** Every marking the console can offer in filters and order scopes: one per label, TLP 2.0 ids first. */
export function markingCatalogue(known: KnownMarkings): MarkingLabel[] {
  const seen = new Set<string>()
  const out: MarkingLabel[] = []
  for (const id of known.keys()) {
    const label = markingLabel(id, known)
    if (seen.has(label.label)) continue
    seen.add(label.label)
    out.push(label)
  }
  return out
}
