/**
 * A coarse bound on what a partner may see in one collection, cheap enough for a store to apply while it
 * scans. It never decides: it only rules out versions that `decideCompiled` would deny for certain, so
 * a store skips them without parsing them, and `decide` still judges every version that passes. Without it,
 * a partner allowed a sliver of a large collection costs a full decision per version it may not see.
 *
 * The store keeps one number per version, {@link screeningTlpRank}, computed at ingest from the well-known
 * TLP marking ids alone. Those ids resolve the same way for ever (`resolveMarking` checks them before any
 * marking definition), so the stored rank can only understate the TLP `decide` will find, never overstate
 * it; understating lets more through, which is safe.
 */
import type { StixObject } from '../stix/object.js'
import { type CompiledPolicy, DEFAULT_TLP } from './compile.js'
import { requireInstant } from './time.js'
import { tlpRank, WELL_KNOWN_TLP_IDS } from './tlp.js'

/** Stored rank of a version with no object-level marking at all: `decide` reads it as untagged. */
export const UNMARKED_TLP_RANK = -1

/**
 * The rank a store keeps for `object`: {@link UNMARKED_TLP_RANK} when it has no `object_marking_refs`, the
 * highest rank among its well-known TLP marking ids, or null when it has markings but none of them is a
 * well-known TLP id (a custom definition may still carry a TLP; null never screens anything out).
 */
export function screeningTlpRank(object: StixObject): number | null {
  const refs = object.object_marking_refs
  if (refs === undefined || refs.length === 0) return UNMARKED_TLP_RANK
  let rank: number | null = null
  for (const id of refs) {
    const known = WELL_KNOWN_TLP_IDS.get(id)
    if (known !== undefined) rank = Math.max(rank ?? 0, tlpRank(known.level))
  }
  return rank
}

export interface ScreeningBound {
  /** Versions whose stored rank is known and above this are denied. */
  maxTlpRank: number
  /** Whether versions stored as {@link UNMARKED_TLP_RANK} can be allowed. */
  unmarked: boolean
  /** When set, versions of other types are denied. */
  types?: ReadonlySet<string>
}

/**
 * What `partnerId` can possibly see in `collectionId` at `instant`, or undefined when nothing there can be
 * allowed. Derived from the same compiled policy `decideCompiled` uses, rule by rule:
 * - an agreement can allow a version only if it is in its window, covers the collection, has no unresolved
 *   caveat, covers the type, and the version's rank (its TLP, or the agreement's default when unmarked) is
 *   at most the agreement's maximum;
 * - a suspension narrowed by nothing but collections and TLP denies every version in scope whose rank (its
 *   TLP, or the default TLP when unmarked) is above the order's.
 */
export function screeningBound(
  policy: CompiledPolicy,
  partnerId: string,
  collectionId: string,
  instant: string,
): ScreeningBound | undefined {
  const t = requireInstant(instant, 'instant')
  const partner = policy.partners.get(partnerId)
  if (partner === undefined || t < policy.at || t >= policy.staleAt) return undefined
  let maxTlpRank = -1
  let unmarked = false
  let types: Set<string> | undefined = new Set()
  for (const a of partner.agreements) {
    if (t < a.validFrom || t >= a.validUntil) continue
    if (a.collections !== '*' && !a.collections.has(collectionId)) continue
    if (a.unresolvedCaveats.length > 0) continue
    maxTlpRank = Math.max(maxTlpRank, a.maxRank)
    if (a.defaultRank <= a.maxRank) unmarked = true
    if (a.types === '*') types = undefined
    else if (types !== undefined) for (const type of a.types) types.add(type)
  }
  if (maxTlpRank < 0) return undefined
  for (const s of partner.suspensions) {
    if (s.types !== undefined || s.markings !== undefined || s.labels !== undefined) continue
    if (s.collections !== undefined && !s.collections.has(collectionId)) continue
    if (s.aboveRank === undefined) return undefined
    maxTlpRank = Math.min(maxTlpRank, s.aboveRank)
    if (tlpRank(DEFAULT_TLP) > s.aboveRank) unmarked = false
  }
  if (types !== undefined && types.size === 0) return undefined
  return { maxTlpRank, unmarked, ...(types !== undefined ? { types } : {}) }
}

/**
 * Whether `object` may pass `bound`: the same test the store applies with
 * `ObjectQuery.tlpScreen` and `types`, for versions already in memory. False means `decideCompiled` denies
 * the version for certain; true decides nothing.
 */
export function withinBound(bound: ScreeningBound | undefined, object: StixObject): boolean {
  if (bound === undefined) return false
  if (bound.types !== undefined && !bound.types.has(object.type)) return false
  const rank = screeningTlpRank(object)
  if (rank === null) return true
  if (rank === UNMARKED_TLP_RANK) return bound.unmarked
  return rank <= bound.maxTlpRank
}
