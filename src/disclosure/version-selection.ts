import { storedVersionKey, versionKey } from '../store/time.js'
import type { ObjectQuery, Store, StoredVersion, VersionSelector } from '../store/types.js'
import type { GateSession, Served } from './gate.js'

/**
 * A viewer whose session withholds some versions of an object and serves others sees the object only while
 * its newest version is one it may see, and `first`, `last` and a timestamp select among the versions it may
 * see (docs/POLICY.md, "Versions"). Were they chosen among every stored version, the answers to `first`,
 * `last` and the versions endpoint would disagree, and the disagreement would tell that a hidden version
 * exists. The newest rule is the one SRO endpoints follow, and keeps the default read (newest versions) as
 * cheap as it was: only reads asking for other versions pay for the look-ups here.
 */
export function selectsAmongVisible(session: GateSession, selectors: VersionSelector[] | undefined): boolean {
  return (
    session.screensVersions === true && selectors !== undefined && selectors.some((s) => s.kind !== 'last')
  )
}

/** What the store is asked for such a read: every version when `first` is asked, as the first stored may be withheld. */
export function candidateQuery(query: ObjectQuery): ObjectQuery {
  return query.versions?.some((s) => s.kind === 'first') ? { ...query, versions: [{ kind: 'all' }] } : query
}

/** A screened batch of one collection, keeping only the versions `selectors` select among the visible ones. */
export async function selectVisibleVersions(
  store: Store,
  session: GateSession,
  collectionId: string,
  selectors: VersionSelector[],
  screened: (Served | undefined)[],
): Promise<(Served | undefined)[]> {
  if (session.screensVersions !== true) return screened
  const ids = [...new Set(screened.flatMap((s) => (s ? [s.stored.id] : [])))]
  if (ids.length === 0) return screened
  const newest = await visibleSeqs(store, session, collectionId, ids, 'last')
  const first = selectors.some((s) => s.kind === 'first')
    ? await visibleSeqs(store, session, collectionId, ids, 'first')
    : undefined
  const at = new Set(
    selectors.flatMap((s) => (s.kind === 'at' ? [versionKey(s.timestamp) ?? s.timestamp] : [])),
  )
  const every = selectors.some((s) => s.kind === 'all')
  const selected = (s: Served) => {
    const { id, seq } = s.stored
    if (newest.get(id) === undefined) return false
    return (
      every ||
      (selectors.some((x) => x.kind === 'last') && newest.get(id) === seq) ||
      first?.get(id) === seq ||
      // named as the manifest names it: modified, else created, else date_added (as the SQL side does)
      at.has(versionKey(s.stored.version ?? s.stored.dateAdded) ?? '')
    )
  }
  return screened.map((s) => (s && selected(s) ? s : undefined))
}

/**
 * By id, the sequence number of the newest version (it must be one the session serves, else the id is
 * absent) or of the earliest version the session serves.
 */
async function visibleSeqs(
  store: Store,
  session: GateSession,
  collectionId: string,
  ids: string[],
  end: 'first' | 'last',
): Promise<Map<string, number>> {
  const asked: ObjectQuery = {
    collectionId,
    ids,
    versions: [{ kind: end === 'last' ? 'last' : 'all' }],
    limit: LOOKUP_BATCH,
  }
  const query = session.narrow ? session.narrow(asked) : asked
  const found = new Map<string, { seq: number; key: string }>()
  if (query === undefined) return new Map()
  let afterSeq: number | undefined
  for (;;) {
    const batch = await store.queryObjects(afterSeq === undefined ? query : { ...query, afterSeq })
    const screened = await session.screen(batch.items)
    for (const s of screened) {
      if (!s) continue
      const key = keyOf(s.stored)
      const known = found.get(s.stored.id)
      if (!known || key < known.key) found.set(s.stored.id, { seq: s.stored.seq, key })
    }
    if (batch.exhausted || batch.items.length === 0) break
    afterSeq = batch.items[batch.items.length - 1]!.seq
  }
  return new Map([...found].map(([id, { seq }]) => [id, seq]))
}

const LOOKUP_BATCH = 2000

/** Every version, as a push sends them. */
export const EVERY_VERSION: VersionSelector[] = [{ kind: 'all' }]

/** The store's version key of a version read with gate facts (which carry its `modified`). */
function keyOf(stored: StoredVersion): string {
  return storedVersionKey(stored.gate ? stored.gate.modified : stored.version)
}
