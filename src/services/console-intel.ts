import type { GateSession, Served } from '../disclosure/gate.js'
import type { KnownMarkings } from '../policy/markings.js'
import type { StixObject } from '../stix/object.js'
import type { CollectionRecord, Store, StoredVersion } from '../store/types.js'
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

/** Versions examined per request at most; a very selective search returns a partial page and a cursor. */
const SCAN_CAP = 20_000
const BATCH = 500

/** Position of a search: collection index and sequence number. Only a position, so policy still applies on every page. */
interface Position {
  c: number
  s?: number
}

function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url')
}

function decodeCursor(text: string | undefined): Position {
  if (!text) return { c: 0 }
  try {
    const p = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Position
    if (Number.isSafeInteger(p.c) && p.c >= 0 && (p.s === undefined || Number.isSafeInteger(p.s))) return p
  } catch {
    // fall through
  }
  return fail('cursor is not one this console issued')
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

function matches(query: SearchQuery, row: ObjectRow, json: string): boolean {
  if (query.label && !row.labels.includes(query.label)) return false
  if (query.marking && !row.markings.some((m) => m.label === query.marking || m.id === query.marking))
    return false
  if (query.q && !json.toLowerCase().includes(query.q.toLowerCase())) return false
  return true
}

/** Collections the session may read, in a stable order. */
export async function readableCollections(store: Store, session: GateSession): Promise<CollectionRecord[]> {
  return (await store.listCollections()).filter((c) => session.collectionAccess(c).canRead)
}

/** One page of objects (newest versions) matching the filters, as the viewer may see them. */
export async function searchObjects(
  store: Store,
  session: GateSession,
  known: KnownMarkings,
  query: SearchQuery,
): Promise<ObjectPage> {
  const collections = (await readableCollections(store, session)).filter(
    (c) => !query.collection || c.id === query.collection || c.alias === query.collection,
  )
  let pos = decodeCursor(query.cursor)
  const items: ObjectRow[] = []
  const shown: Served[] = []
  let scanned = 0
  while (pos.c < collections.length && items.length < query.limit && scanned < SCAN_CAP) {
    const collection = collections[pos.c]!
    const batch = await store.queryObjects({
      collectionId: collection.id,
      limit: BATCH,
      ...(pos.s !== undefined ? { afterSeq: pos.s } : {}),
      ...(query.type ? { types: [query.type] } : {}),
    })
    const screened = await session.screen(batch.items)
    let consumed = 0
    for (let i = 0; i < batch.items.length && items.length < query.limit; i++) {
      consumed = i + 1
      scanned++
      const served = screened[i]
      if (!served) continue
      const { row } = rowOf(served, known)
      if (!matches(query, row, served.json)) continue
      items.push(row)
      shown.push(served)
    }
    if (consumed === batch.items.length && batch.exhausted) pos = { c: pos.c + 1 }
    else if (consumed > 0) pos = { c: pos.c, s: batch.items[consumed - 1]!.seq }
    else pos = { c: pos.c + 1 }
  }
  await session.record(shown)
  const done = pos.c >= collections.length
  return { items, scanned, ...(done ? {} : { next: encodeCursor(pos) }) }
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
    served.push(...(await screenAll(session, batch.items)))
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
