import type { IncomingObject, ProvenanceRecord, PutOutcome, Store } from '../store/types.js'
import { FederationState } from './state.js'

export interface ReceivedOrigin {
  /** The feed that brought the versions, or `push` for versions a partner posted. */
  feedId: string
  partnerId: string
}

export interface ReceivedResult {
  outcomes: PutOutcome[]
  /** Versions this node already held without provenance (its own, coming back): no record taken. */
  bounced: number
  /** Objects newly withdrawn here because a revoked version arrived. */
  revocations: number
}

/**
 * Stores versions received from another node, with their provenance. Provenance is written before the
 * versions, so a crash in between leaves a record a retry completes rather than a version without its
 * origin. A version this node already held without any provenance, in this collection or another, is its
 * own (or was posted here) coming back: it gets no record, so the onward rules never treat the node's own
 * objects as received. A revoked version stops the object flowing on from here (see onward.ts). Store-only:
 * usable by a feed and by the TAXII write handler for partners' pushes.
 */
export async function storeReceived(
  store: Store,
  collectionId: string,
  accepted: IncomingObject[],
  origin: ReceivedOrigin,
  at: string,
): Promise<ReceivedResult> {
  if (accepted.length === 0) return { outcomes: [], bounced: 0, revocations: 0 }
  const ids = [...new Set(accepted.map((o) => o.id))]
  const [known, local] = await Promise.all([
    store.provenance(ids),
    store.queryObjects({ collectionId, ids, versions: [{ kind: 'all' }], limit: 1_000_000 }),
  ])
  const held = new Set(local.items.map((v) => versionKey(v.id, v.version ?? '')))
  const recorded = new Map<string, ProvenanceRecord[]>()
  const receivedAnywhere = new Set<string>()
  for (const p of known) {
    const k = versionKey(p.objectId, p.version)
    receivedAnywhere.add(k)
    if (p.collectionId !== collectionId) continue
    recorded.set(k, [...(recorded.get(k) ?? []), p])
  }
  const heldKey = (item: IncomingObject) => versionKey(item.id, item.modified ?? item.created ?? '')
  const own = await ownElsewhere(
    store,
    collectionId,
    accepted.filter(
      (item) => !held.has(heldKey(item)) && !receivedAnywhere.has(versionKey(item.id, item.modified ?? '')),
    ),
  )
  let bounced = 0
  const records: ProvenanceRecord[] = []
  for (const item of accepted) {
    const version = item.modified ?? ''
    const prior = recorded.get(versionKey(item.id, version)) ?? []
    if (prior.some((p) => p.feedId === origin.feedId && p.partnerId === origin.partnerId)) continue
    if ((prior.length === 0 && held.has(heldKey(item))) || own.has(heldKey(item))) {
      bounced++
      continue
    }
    records.push({
      collectionId,
      objectId: item.id,
      version,
      feedId: origin.feedId,
      partnerId: origin.partnerId,
      receivedAt: at,
    })
  }
  if (records.length > 0) await store.addProvenance(records)
  const outcomes = await store.putObjects(collectionId, accepted)
  let revocations = 0
  const state = new FederationState(store)
  for (const item of accepted) {
    // cheap text test first: most versions are not revocations
    if (!item.json.includes('"revoked"') || JSON.parse(item.json).revoked !== true) continue
    if (await state.appliedFor(item.id)) continue
    await state.putApplied({
      objectId: item.id,
      kind: 'revoked',
      partnerId: origin.partnerId,
      feedId: origin.feedId,
      appliedAt: at,
      reason: 'revoked by its origin',
    })
    revocations++
  }
  return { outcomes, bounced, revocations }
}

const versionKey = (id: string, version: string) => `${id}|${version}`

/**
 * Of these versions (none held in `collectionId`, none with provenance), those the node holds in another
 * collection: its own, coming back by another way (a partner re-publishing it, a feed into an inbox
 * collection). Provenance is the object's, not the collection's, so a record taken for them would stop the
 * original flowing on to that partner. One query finds which collections hold the ids at all, so a page of
 * objects new to the node costs one lookup.
 */
async function ownElsewhere(
  store: Store,
  collectionId: string,
  candidates: IncomingObject[],
): Promise<Set<string>> {
  const own = new Set<string>()
  if (candidates.length === 0) return own
  const idsByCollection = new Map<string, Set<string>>()
  for (const latest of await store.latestVersions([...new Set(candidates.map((c) => c.id))])) {
    if (latest.collectionId === collectionId) continue
    const ids = idsByCollection.get(latest.collectionId) ?? new Set<string>()
    idsByCollection.set(latest.collectionId, ids.add(latest.id))
  }
  for (const [elsewhere, ids] of idsByCollection) {
    const batch = await store.queryObjects({
      collectionId: elsewhere,
      ids: [...ids],
      versions: [{ kind: 'all' }],
      limit: 1_000_000,
    })
    for (const v of batch.items) own.add(versionKey(v.id, v.version ?? ''))
  }
  return own
}
