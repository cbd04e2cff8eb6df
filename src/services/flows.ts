import { partnerLogId } from '../ledger/log-id.js'
import { compiled } from '../policy/decide.js'
import { policyAt } from '../policy/snapshot.js'
import { TLP_LEVELS } from '../policy/tlp.js'
import type { PolicyHistory, PolicySnapshot, Suspension } from '../policy/types.js'
import type { NodeServices } from '../server/services.js'
import { type DisclosureTally, tallyDisclosures } from './console-disclosures.js'
import type { FlowCell, FlowRow, FlowStatus, FlowsMatrix } from './console-types.js'

export type PolicyCell = Pick<FlowCell, 'collectionId' | 'status' | 'orders' | 'scheduled'> & {
  maxTlp?: string
}

function touches(scope: Suspension['scope'], collectionId: string): boolean {
  return scope?.collections === undefined || scope.collections.includes(collectionId)
}

/** Only the collection (or nothing) narrows it: everything in the collection is withheld. */
function blocksWhole(scope: Suspension['scope']): boolean {
  return (
    scope?.object_types === undefined &&
    scope?.markings === undefined &&
    scope?.labels === undefined &&
    scope?.above_tlp === undefined
  )
}

/** Suspensions recorded with a later `effective_from` and not lifted before they start. */
export function scheduledSuspensions(history: PolicyHistory, partnerId: string, atMs: number): Suspension[] {
  return history.orders.filter((o): o is Suspension => {
    if (o.kind !== 'suspension' || o.partner_id !== partnerId || Date.parse(o.effective_from) <= atMs)
      return false
    return !history.orders.some(
      (r) =>
        r.kind === 'resumption' &&
        r.lifts === o.id &&
        Date.parse(r.effective_from) <= Date.parse(o.effective_from),
    )
  })
}

/**
 * The policy side of one flows-matrix row, read from the same compiled snapshot `decide` uses:
 * - no-agreement: no in-force agreement (inside its validity window) covers the collection;
 * - suspended: an active order withholds the whole collection (whole partner, or by collection only);
 * - partial: an active order narrowed by type, marking, label or TLP applies to the collection;
 * - allowed: otherwise. Agreement terms (TLP ceiling, types) are shown as `maxTlp`, not as restrictions.
 */
export function flowCells(
  snapshot: PolicySnapshot,
  partnerId: string,
  collectionIds: readonly string[],
  instant: string,
  scheduled: readonly Suspension[] = [],
): PolicyCell[] {
  const policy = compiled(snapshot)
  const partner = policy.partners.get(partnerId)
  const t = Date.parse(instant) * 1000
  return collectionIds.map((collectionId): PolicyCell => {
    const later = scheduled.filter((s) => touches(s.scope, collectionId)).map((s) => s.id)
    const covering = (partner?.agreements ?? []).filter(
      (a) =>
        t >= a.validFrom && t < a.validUntil && (a.collections === '*' || a.collections.has(collectionId)),
    )
    if (covering.length === 0) return { collectionId, status: 'no-agreement', orders: [], scheduled: later }
    const maxTlp = TLP_LEVELS[Math.max(...covering.map((a) => a.maxRank))]
    const active = (partner?.suspensions ?? []).filter((s) => touches(s.source.scope, collectionId))
    const status: FlowStatus =
      active.length === 0
        ? 'allowed'
        : active.some((s) => blocksWhole(s.source.scope))
          ? 'suspended'
          : 'partial'
    return {
      collectionId,
      status,
      orders: active.map((s) => s.source.id),
      scheduled: later,
      ...(maxTlp ? { maxTlp } : {}),
    }
  })
}

// Tallies are cached per log while its size and checkpoint are unchanged, for a short while (the 24 h window slides).
const TALLY_TTL_MS = 15_000
const tallies = new WeakMap<object, Map<string, { at: number; tally: DisclosureTally }>>()

async function cachedTally(services: NodeServices, logId: string, nowMs: number): Promise<DisclosureTally> {
  const { store } = services
  let perStore = tallies.get(store)
  if (!perStore) {
    perStore = new Map()
    tallies.set(store, perStore)
  }
  const hit = perStore.get(logId)
  if (hit && nowMs - hit.at < TALLY_TTL_MS) {
    const [head, checkpoints] = await Promise.all([store.ledgerHead(logId), store.listCheckpoints(logId, 1)])
    if (head.size === hit.tally.logSize && (checkpoints[0]?.size ?? 0) === hit.tally.checkpointSize)
      return hit.tally
  }
  const tally = await tallyDisclosures(store, logId, nowMs)
  perStore.set(logId, { at: nowMs, tally })
  return tally
}

/** The flows matrix at `now`: every partner (or only `onlyPartner`) × every collection. */
export async function flowsMatrix(
  services: NodeServices,
  now: string,
  onlyPartner?: string,
): Promise<FlowsMatrix> {
  const { store, policy } = services
  const [history, policyVersion, collections] = await Promise.all([
    policy.history(),
    store.policyVersion(),
    store.listCollections(),
  ])
  const snapshot = policyAt(history, now)
  const ids = collections.map((c) => c.id)
  const nowMs = Date.parse(now)
  const rows: FlowRow[] = []
  for (const partner of history.partners) {
    if (onlyPartner !== undefined && partner.id !== onlyPartner) continue
    const tally = await cachedTally(services, partnerLogId(partner.id), nowMs)
    const cells = flowCells(
      snapshot,
      partner.id,
      ids,
      now,
      scheduledSuspensions(history, partner.id, nowMs),
    ).map((cell) => ({
      ...cell,
      disclosures24h: tally.byCollection.get(cell.collectionId)?.last24h ?? 0,
      disclosuresSinceCheckpoint: tally.byCollection.get(cell.collectionId)?.sinceCheckpoint ?? 0,
    }))
    rows.push({
      partner: { id: partner.id, name: partner.name, kind: partner.kind },
      cells,
      disclosures24h: tally.last24h,
      disclosuresSinceCheckpoint: tally.sinceCheckpoint,
      logSize: tally.logSize,
      checkpointSize: tally.checkpointSize,
      truncated: tally.truncated,
    })
  }
  // a partner learns nothing about collections no agreement gives it (TAXII hides them too)
  const shown =
    onlyPartner === undefined
      ? collections
      : collections.filter((c) =>
          rows.some((r) => r.cells.some((x) => x.collectionId === c.id && x.status !== 'no-agreement')),
        )
  if (onlyPartner !== undefined) {
    for (const row of rows) row.cells = row.cells.filter((x) => shown.some((c) => c.id === x.collectionId))
  }
  return {
    at: now,
    policyVersion: onlyPartner === undefined ? policyVersion : ownPolicyChanges(history, onlyPartner),
    collections: shown.map((c) => ({
      id: c.id,
      title: c.title,
      ...(c.alias ? { alias: c.alias } : {}),
    })),
    rows,
  }
}

/**
 * A partner's own count of policy changes, which moves only when its agreements or orders change: the
 * node's policy version moves with every partner's, and a partner watching it would see others' orders come.
 */
function ownPolicyChanges(history: PolicyHistory, partnerId: string): number {
  const suspensions = new Set(
    history.orders.filter((o) => o.kind === 'suspension' && o.partner_id === partnerId).map((o) => o.id),
  )
  const lifts = history.orders.filter((o) => o.kind === 'resumption' && suspensions.has(o.lifts)).length
  return history.agreements.filter((a) => a.partner_id === partnerId).length + suspensions.size + lifts
}
