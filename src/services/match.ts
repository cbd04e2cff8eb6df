import type { GateSession, Served } from '../disclosure/gate.js'
import { streamCollection } from '../disclosure/stream-collection.js'
import type { StixObject } from '../stix/object.js'
import { compilePattern, PatternMatchError } from '../stix/pattern/index.js'
import type { Store } from '../store/types.js'
import { PolicyInputError } from './policy-input.js'

export interface MatchReport {
  /** Observed-data that match the pattern on their own, in date_added order, as the viewer may see them. */
  matches: Served[]
  /** Whether the pattern matches the visible observed-data taken together (needed for FOLLOWEDBY, REPEATS, …). */
  matchedAsSet: boolean
  /** Ids of the observed-data in the first binding of the set-wide match. */
  binding: string[]
  scanned: number
}

const MAX_SCANNED = 200_000

/**
 * Which observed-data in a collection a STIX pattern matches, seen through the
 * viewer's gate: only observed-data and referenced SCOs the viewer may see are
 * considered, so a match never reveals withheld data.
 */
export async function matchCollection(
  store: Store,
  session: GateSession,
  collectionId: string,
  pattern: string,
  limit: number,
): Promise<MatchReport> {
  let compiled: ReturnType<typeof compilePattern>
  try {
    compiled = compilePattern(pattern)
  } catch (error) {
    // the matcher's message already says what failed and where
    throw new PolicyInputError((error as Error).message)
  }
  // only the matches leave the node, so only they are recorded (by the caller)
  const observed: Served[] = []
  for await (const served of streamCollection(
    store,
    session,
    { collectionId, types: ['observed-data'] },
    { record: false },
  )) {
    observed.push(served)
    if (observed.length >= MAX_SCANNED) break
  }
  const parsed = observed.map((s) => JSON.parse(s.json) as StixObject)
  const refs = [
    ...new Set(parsed.flatMap((o) => (Array.isArray(o.object_refs) ? (o.object_refs as string[]) : []))),
  ]
  const visibleRefs = new Map<string, Record<string, unknown>>()
  for (let i = 0; i < refs.length; i += 500) {
    const stored = await store.latestVersions(refs.slice(i, i + 500))
    const screened = await session.screen(stored)
    for (const s of screened)
      if (s) visibleRefs.set(s.stored.id, JSON.parse(s.json) as Record<string, unknown>)
  }
  const options = { objects: (id: string) => visibleRefs.get(id) }
  const matches: Served[] = []
  try {
    parsed.forEach((o, i) => {
      if (matches.length < limit && compiled.match([o], options).matched) matches.push(observed[i]!)
    })
    const all = compiled.match(parsed, options)
    return {
      matches,
      matchedAsSet: all.matched,
      binding: (all.bindings ?? []).map((b) => String(b.observedData.id)),
      scanned: parsed.length,
    }
  } catch (error) {
    if (error instanceof PatternMatchError)
      throw new PolicyInputError(`the pattern cannot be evaluated: ${error.message}`)
    throw error
  }
}
