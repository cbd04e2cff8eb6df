/**
 * The object types, markings and labels an order narrows to or an agreement names, checked before they are
 * recorded. A misspelt narrowing matches nothing: a suspension "of indicators" would suspend nothing while
 * the officer believes it in force, and a caveat id that resolves to nothing would travel with the data as a
 * reference the partner cannot resolve either. So a name is refused unless it can match something.
 */

import { resolveMarking } from '../policy/markings.js'
import { isIdentifier } from '../stix/identifier.js'
import { isTypeName } from '../stix/names.js'
import type { StixObject } from '../stix/object.js'
import { TYPE_SPECS } from '../stix/spec/index.js'
import type { Store } from '../store/types.js'
import { knownMarkings } from './console-markings.js'
import { displayName, fail } from './policy-input.js'

/**
 * Each type must be a STIX type name and either predefined by STIX 2.1, held by an object on this node, or
 * custom by the `x-` convention (so an agreement can name a custom type before the first one arrives).
 */
async function checkTypeNames(store: Store, types: readonly string[] | undefined): Promise<void> {
  if (!types?.length) return
  let collections: string[] | undefined
  for (const type of types) {
    if (!isTypeName(type))
      fail(
        `object type "${type}" is not a STIX type name (3-250 lowercase letters, digits and single hyphens)`,
      )
    if (TYPE_SPECS.has(type) || type.startsWith('x-')) continue
    collections ??= (await store.listCollections()).map((c) => c.id)
    if (await heldAnywhere(store, collections, type)) continue
    const guess = nearestType(type)
    fail(
      `object type "${type}" is neither a STIX 2.1 type nor that of any object on this node${guess ? `; did you mean "${guess}"?` : ''} (a custom type not yet stored must start with x-)`,
    )
  }
}

async function heldAnywhere(store: Store, collections: readonly string[], type: string): Promise<boolean> {
  for (const collectionId of collections) {
    const found = await store.searchObjects({ collectionId, types: [type], limit: 1, scanLimit: 1 })
    if (found.items.length > 0) return true
  }
  return false
}

/** Each id must name a marking this node can interpret: a well-known TLP or handling id, or a stored marking-definition. */
function checkMarkingIds(
  ids: readonly string[] | undefined,
  history: { markings?: Iterable<StixObject> },
): void {
  if (!ids?.length) return
  const known = knownMarkings(history)
  for (const id of ids) {
    if (!isIdentifier(id) || !id.startsWith('marking-definition--'))
      fail(`marking "${id}" is not a marking-definition id such as marking-definition--<uuid>`)
    if (resolveMarking(id, known) === undefined && !known.has(id))
      fail(`no marking-definition "${id}" is known to this node: import it first, or use a TLP id`)
  }
}

function checkLabels(labels: readonly string[] | undefined): void {
  if (labels?.some((l) => l.trim() === '')) fail('a label must not be empty')
  // a label is shown on one line of every list and history, so it is held to a name's rules
  for (const label of labels ?? []) displayName(label, 'a label')
}

/** The predefined type within two edits of `type`, if exactly one is nearest. */
function nearestType(type: string): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of TYPE_SPECS.keys()) {
    const d = editDistance(type, candidate, bestDistance)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      current.push(value)
      if (value < rowMin) rowMin = value
    }
    if (rowMin >= limit) return limit
    previous = current
  }
  return Math.min(previous[b.length]!, limit)
}

/** Everything an order or agreement names, checked in one go: labels, then markings, then types. */
export async function checkNamed(
  store: Store,
  history: { markings?: Iterable<StixObject> },
  named: { types?: readonly string[] | '*'; markings?: readonly string[]; labels?: readonly string[] },
): Promise<void> {
  checkLabels(named.labels)
  checkMarkingIds(named.markings, history)
  await checkTypeNames(store, named.types === '*' ? undefined : named.types)
}
