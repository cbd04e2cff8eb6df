import { parseInstant } from '../policy/index.js'
import { compareTimestamps } from '../stix/timestamp.js'
import type { StoredVersion } from '../store/types.js'

/** Whether the node held `v` at instant `at` (microseconds): a version exists from its date_added on. */
export function storedBy(v: StoredVersion, at: number): boolean {
  return (parseInstant(v.dateAdded) ?? Number.POSITIVE_INFINITY) <= at
}

/** Newest first: by STIX version, then by when the node stored it. */
export function newestFirst(a: StoredVersion, b: StoredVersion): number {
  if (a.version !== b.version) return compareTimestamps(b.version ?? '', a.version ?? '')
  return b.seq - a.seq
}

/**
 * Of `versions`, the newest of each object in each collection among those stored by `at`: what the store's
 * newest versions were at that instant, so a view of the past judges the objects the node held then.
 */
export function newestStoredBy(versions: Iterable<StoredVersion>, at: number): StoredVersion[] {
  const newest = new Map<string, StoredVersion>()
  for (const v of versions) {
    if (!storedBy(v, at)) continue
    const key = `${v.collectionId}\n${v.id}`
    const current = newest.get(key)
    if (current === undefined || newestFirst(v, current) < 0) newest.set(key, v)
  }
  return [...newest.values()]
}
