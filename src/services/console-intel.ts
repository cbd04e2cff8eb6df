import { createHash } from 'node:crypto'
import { readUint64, TokenSealer, uint64 } from '../auth/sealed-token.js'
import type { GateSession, Served } from '../disclosure/gate.js'
import { EVERY_VERSION, selectVisibleVersions } from '../disclosure/version-selection.js'
import type { KnownMarkings } from '../policy/markings.js'
import type { StixObject } from '../stix/object.js'
import { asciiLower } from '../store/object-search.js'
import type { CollectionRecord, ObjectSearch, Store, StoredVersion } from '../store/types.js'
import { markingLabel } from './console-markings.js'
import type { ObjectPage, ObjectRow, ObjectVersionView } from './console-types.js'
import { fail } from './policy-input.js'

/*
 * Browsing intelligence in the console. Every version shown goes through the viewer's gate session (screen,
 * then record), exactly like a TAXII read: a partner sees what policy lets it see, redacted, and the ledger
 * records it; nothing here serializes a stored object without the gate.
 */

export interface SearchQuery {
  collection?: string
  type?: string
  label?: string
  /** A marking label such as `TLP:AMBER`, or a marking id. */
  marking?: string
  q?: string
  cursor?: string
  limit: number
}

/**
 * Versions examined per request at most, over all collections: the store filters type, label, marking and
 * text in SQL inside this window, so a request costs about the same whatever the node holds. A selective
 * search returns a short (even empty) page with a cursor and "searched N of M"; it never drops a match.
 */
export const SEARCH_WINDOW = 20_000

/**
 * Position of a search: collection index, sequence number in it, versions searched so far and how many
 * there are in all (counted once, on the first page). Only a position, so policy still applies on every page.
 */
interface Position {
  c: number
  s?: number
  n: number
  m: number
}

/*
 * The cursor is sealed (see TokenSealer) and bound to the principal it was issued to: the sequence number
 * is node-wide, so a readable one would tell a partner how many versions the node holds, hidden ones
 * included. Its fields have a fixed width, so its length tells nothing either. The key comes from the same
 * node secret as the TAXII cursors', under another label.
 */
const CURSOR_LABEL = 'sluice console search cursor v2'
/**
 * A flag byte (is `s` set), then `c`, `s`, `n` and `m` at 8 bytes each, then the digest of the search's
 * filters (`c` indexes the collections those filters chose); the principal id follows.
 */
const POSITION_BYTES = 33
const FILTERS_BYTES = 32
const sealers = new WeakMap<Store, Promise<TokenSealer>>()

function cursorSealer(store: Store): Promise<TokenSealer> {
  let sealer = sealers.get(store)
  if (!sealer) {
    sealer = store.secret('cursor').then((secret) => new TokenSealer(secret, CURSOR_LABEL))
    sealers.set(store, sealer)
    sealer.catch(() => sealers.delete(store))
  }
  return sealer
}

/** What a cursor continues: the same filters (the page size may change between pages). */
function filtersDigest(query: SearchQuery): Buffer {
  const { collection, type, label, marking, q } = query
  return createHash('sha256')
    .update(JSON.stringify([collection ?? null, type ?? null, label ?? null, marking ?? null, q ?? null]))
    .digest()
}

async function encodeCursor(
  store: Store,
  session: GateSession,
  query: SearchQuery,
  p: Position,
): Promise<string> {
  const bytes = Buffer.concat([
    Buffer.from([p.s === undefined ? 0 : 1]),
    uint64(p.c),
    uint64(p.s ?? 0),
    uint64(p.n),
    uint64(p.m),
    filtersDigest(query),
    Buffer.from(session.viewer.principalId),
  ])
  return (await cursorSealer(store)).seal(bytes)
}

async function decodeCursor(
  store: Store,
  session: GateSession,
  query: SearchQuery,
  text: string,
): Promise<Position> {
  const bytes = (await cursorSealer(store)).open(text)
  const principalAt = POSITION_BYTES + FILTERS_BYTES
  // only what we sealed opens, so an opened cursor is well formed
  if (!bytes || bytes.length < principalAt) return fail('cursor is not one this console issued')
  if (bytes.subarray(principalAt).toString('utf8') !== session.viewer.principalId)
    return fail('cursor was issued to another principal')
  if (!bytes.subarray(POSITION_BYTES, principalAt).equals(filtersDigest(query)))
    return fail('cursor continues a search with other filters; start the search again without it')
  const at = (offset: number) => readUint64(bytes, offset)
  return { c: at(1), ...(bytes[0] === 1 ? { s: at(9) } : {}), n: at(17), m: at(25) }
}

export function displayName(object: Record<string, unknown>): string {
  for (const key of ['name', 'value', 'relationship_type', 'pattern', 'number', 'iban']) {
    const v = object[key]
    if (typeof v === 'string' && v !== '') return v.length > 120 ? `${v.slice(0, 117)}…` : v
  }
  if (object.type === 'sighting') return 'sighting'
  if (object.type === 'observed-data') return `observed ${String(object.first_observed ?? '')}`
  return String(object.id)
}

function rowOf(served: Served, known: KnownMarkings): { row: ObjectRow; object: StixObject } {
  const object = JSON.parse(served.json) as StixObject
  return {
    object,
    row: {
      id: object.id,
      type: object.type,
      name: displayName(object),
      collectionId: served.stored.collectionId,
      ...(typeof object.modified === 'string' ? { modified: object.modified } : {}),
      labels: object.labels ?? [],
      markings: (object.object_marking_refs ?? []).map((id) => markingLabel(id, known)),
    },
  }
}

/**
 * The filters again, on what the viewer is served: the store matched the stored bytes, and redaction may have
 * removed the very property that matched, which must not turn the search into an oracle for withheld text.
 * Text compares A–Z case-insensitively, exactly as the store does.
 */
function matches(query: SearchQuery, row: ObjectRow, json: string): boolean {
  if (query.label && !row.labels.includes(query.label)) return false
  if (query.marking && !row.markings.some((m) => m.label === query.marking || m.id === query.marking))
    return false
  if (query.q && !asciiLower(json).includes(asciiLower(query.q))) return false
  return true
}

/**
 * Marking ids the marking filter stands for, to narrow in SQL; undefined when it cannot be narrowed
 * (a label that only unknown markings carry), and then the check on served rows alone decides.
 */
function markingIds(marking: string, known: KnownMarkings): string[] | undefined {
  const ids = [...known.keys()].filter((id) => id === marking || markingLabel(id, known).label === marking)
  if (marking.startsWith('marking-definition--') && !ids.includes(marking)) ids.push(marking)
  return ids.length > 0 ? ids : undefined
}

/** Collections the session may read, in a stable order. */
export async function readableCollections(store: Store, session: GateSession): Promise<CollectionRecord[]> {
  return (await store.listCollections()).filter((c) => session.collectionAccess(c).canRead)
}

/**
 * One page of objects (newest versions) matching the filters, as the viewer may see them. Pages follow the
 * node's sequence order collection by collection; each request examines at most `SEARCH_WINDOW` versions.
 * A viewer restricted by policy gets counts of what it was shown only (see `shownCounts`).
 */
export async function searchObjects(
  store: Store,
  session: GateSession,
  known: KnownMarkings,
  query: SearchQuery,
  window = SEARCH_WINDOW,
): Promise<ObjectPage> {
  const collections = (await readableCollections(store, session)).filter(
    (c) => !query.collection || c.id === query.collection || c.alias === query.collection,
  )
  const markings = query.marking ? markingIds(query.marking, known) : undefined
  const filters: Omit<ObjectSearch, 'collectionId' | 'limit' | 'scanLimit'> = {
    ...(query.type ? { types: [query.type] } : {}),
    ...(query.label ? { label: query.label } : {}),
    ...(markings ? { markings } : {}),
    // the store folds A–Z only; non-ASCII letters are matched as typed, here and on served rows alike
    ...(query.q ? { text: [query.q] } : {}),
  }
  const restricted = restrictedByPolicy(session)
  let pos: Position = query.cursor
    ? await decodeCursor(store, session, query, query.cursor)
    : { c: 0, n: 0, m: restricted ? 0 : await indexedTotal(store, collections, query.type) }
  const items: ObjectRow[] = []
  const shown: Served[] = []
  let scanned = 0
  while (pos.c < collections.length && items.length < query.limit && scanned < window) {
    const batch = await store.searchObjects({
      ...filters,
      collectionId: collections[pos.c]!.id,
      ...(pos.s !== undefined ? { afterSeq: pos.s } : {}),
      limit: query.limit - items.length,
      scanLimit: window - scanned,
    })
    scanned += batch.scanned
    const screened = await session.screen(batch.items)
    for (const served of screened) {
      if (!served) continue
      const { row } = rowOf(served, known)
      if (!matches(query, row, served.json)) continue
      items.push(row)
      shown.push(served)
    }
    if (batch.exhausted) pos = { ...pos, c: pos.c + 1, s: undefined }
    else if (batch.lastSeq !== undefined) pos = { ...pos, s: batch.lastSeq }
    else break
  }
  await session.record(shown)
  const done = pos.c >= collections.length
  const counts = restricted ? shownCounts(pos.n, items.length) : storeCounts(pos, scanned, done)
  const next: Position = {
    c: pos.c,
    ...(pos.s !== undefined ? { s: pos.s } : {}),
    n: counts.searched,
    m: restricted ? 0 : pos.m,
  }
  return { items, ...counts, ...(done ? {} : { next: await encodeCursor(store, session, query, next) }) }
}

type SearchCounts = Pick<ObjectPage, 'scanned' | 'searched' | 'total'>

/**
 * Whether policy withholds versions inside the collections the viewer reads (partners). Counting the store's
 * versions would then tell it how many it is not shown, so its counts are of what it was shown.
 */
function restrictedByPolicy(session: GateSession): boolean {
  return session.policy !== undefined || session.viewer.partnerId !== undefined
}

/** "Of M": what the indexed filters leave, counted with one window of one version per collection. */
async function indexedTotal(store: Store, collections: CollectionRecord[], type?: string): Promise<number> {
  let m = 0
  for (const c of collections) {
    const head = await store.searchObjects({
      collectionId: c.id,
      ...(type ? { types: [type] } : {}),
      limit: 1,
      scanLimit: 1,
      withTotal: true,
    })
    m += head.total ?? 0
  }
  return m
}

/** Counts of the store's versions, for viewers who may read every version of their collections. */
function storeCounts(pos: Position, scanned: number, done: boolean): SearchCounts {
  const searched = Math.min(pos.n + scanned, pos.m)
  return { scanned, searched: done ? pos.m : searched, total: pos.m }
}

/**
 * Counts of the rows shown, for a viewer restricted by policy: only what it found so far, so the total grows
 * page by page. Not even versions it was served but that failed the filters once redacted are counted.
 */
function shownCounts(before: number, shown: number): SearchCounts {
  return { scanned: shown, searched: before + shown, total: before + shown }
}

async function screenAll(session: GateSession, items: StoredVersion[]): Promise<Served[]> {
  return (await session.screen(items)).filter((s): s is Served => s !== undefined)
}

/** Every version of one object the viewer may see, across collections, oldest first. */
export async function objectVersions(
  store: Store,
  session: GateSession,
  known: KnownMarkings,
  id: string,
): Promise<{ served: Served[]; views: ObjectVersionView[] }> {
  const served: Served[] = []
  for (const c of await readableCollections(store, session)) {
    const batch = await store.queryObjects({
      collectionId: c.id,
      ids: [id],
      versions: [{ kind: 'all' }],
      limit: 1000,
    })
    // the versions a TAXII read would list: none of them while the newest is withheld (POLICY.md, "Versions")
    const screened = await session.screen(batch.items)
    const visible = await selectVisibleVersions(store, session, c.id, EVERY_VERSION, screened)
    served.push(...visible.filter((s): s is Served => s !== undefined))
  }
  const views = served.map((s): ObjectVersionView => {
    const object = JSON.parse(s.json) as StixObject
    return {
      collectionId: s.stored.collectionId,
      ...(s.stored.version ? { version: s.stored.version } : {}),
      dateAdded: s.stored.dateAdded,
      markings: (object.object_marking_refs ?? []).map((m) => markingLabel(m, known)),
      granular: (object.granular_markings ?? []).flatMap((g) =>
        g.marking_ref ? [{ selectors: g.selectors, marking: markingLabel(g.marking_ref, known) }] : [],
      ),
      object,
    }
  })
  return { served, views }
}

export { screenAll }
