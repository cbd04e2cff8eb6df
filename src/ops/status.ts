import { listKeys } from '../auth/keys.js'
import { keyName } from '../ledger/key-change.js'
import { GLOBAL_LOG } from '../ledger/log-id.js'
import { compileSnapshot, withinValidity } from '../policy/compile.js'
import { policyAt } from '../policy/snapshot.js'
import { parseInstant } from '../policy/time.js'
import type { NodeServices } from '../server/services.js'
import { keyChangeSummary } from '../services/key-changes.js'
import { type FeedLag, feedLags } from './feeds.js'
import { activeOrders } from './node-metrics.js'
import { sluiceVersion } from './version.js'

export interface NodeStatus {
  version: string
  store: { location: string; concurrent_writers: boolean; online_backup: boolean }
  origin: string
  /** The key checkpoints are signed with now, and how often it changed (`sluice ledger rotate-key`). */
  signing_key: { vkey: string; changes: number; last_changed_at?: string }
  partners: number
  agreements: number
  active_orders: number
  pending_approvals: number
  principals: Record<string, number>
  active_keys: number
  collections: number
  ledger: { global_size: number; logs: number; last_checkpoint?: { size: number; created_at: string } }
  feeds: FeedLag[]
}

/** The node at a glance, read from its store: what `sluice status` prints. */
export async function nodeStatus(services: NodeServices, location: string): Promise<NodeStatus> {
  const { store, policy, ledger } = services
  const now = new Date().toISOString()
  const history = await policy.history()
  const principals: Record<string, number> = {}
  for (const p of await store.listPrincipals())
    if (!p.revokedAt) principals[p.role] = (principals[p.role] ?? 0) + 1
  const logs = await store.ledgerLogs()
  const [checkpoint] = await store.listCheckpoints(GLOBAL_LOG, 1)
  const pending = (await store.listState('approval:')).filter(
    (s) => (JSON.parse(s.value) as { status: string }).status === 'pending',
  )
  return {
    version: sluiceVersion(),
    store: {
      location,
      concurrent_writers: store.capabilities.concurrentWriters,
      online_backup: store.capabilities.onlineBackup,
    },
    origin: ledger.origin,
    signing_key: await signingKeyStatus(ledger),
    partners: history.partners.length,
    agreements: agreementsInForce(history, now),
    active_orders: activeOrders(history, now),
    pending_approvals: pending.length,
    principals,
    active_keys: (await listKeys(store, { now })).length,
    collections: (await store.listCollections()).length,
    ledger: {
      global_size: logs.find((l) => l.logId === GLOBAL_LOG)?.size ?? 0,
      logs: logs.length,
      ...(checkpoint ? { last_checkpoint: { size: checkpoint.size, created_at: checkpoint.createdAt } } : {}),
    },
    feeds: await feedLags(store),
  }
}

async function signingKeyStatus(ledger: NodeServices['ledger']): Promise<NodeStatus['signing_key']> {
  const { count, last } = await keyChangeSummary(ledger.store)
  return {
    vkey: (await ledger.signingKey()).vkey,
    changes: count,
    ...(last ? { last_changed_at: last.recordedAt } : {}),
  }
}

export function formatStatus(s: NodeStatus): string {
  const lines = [
    `Sluice ${s.version}`,
    `store            ${s.store.location}${s.store.online_backup ? ' (sluice backup works while serving)' : ' (back up with pg_dump)'}`,
    `origin           ${s.origin}`,
    `signing key      ${keyName(s.signing_key.vkey)}${s.signing_key.last_changed_at ? ` (changed ${s.signing_key.changes} time${s.signing_key.changes === 1 ? '' : 's'}, last at ${s.signing_key.last_changed_at})` : ''}`,
    `collections      ${s.collections}`,
    `partners         ${s.partners} (${s.agreements} ${s.agreements === 1 ? 'agreement' : 'agreements'} in force)`,
    `active orders    ${s.active_orders}`,
    `pending approvals ${s.pending_approvals}`,
    `principals       ${
      Object.entries(s.principals)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ') || 'none'
    }`,
    `active keys      ${s.active_keys}`,
    `ledger           ${s.ledger.global_size} entries in the global log, ${s.ledger.logs} logs`,
    `last checkpoint  ${s.ledger.last_checkpoint ? `global log, size ${s.ledger.last_checkpoint.size} at ${s.ledger.last_checkpoint.created_at}` : 'none of the global log yet'}`,
    `feeds            ${s.feeds.length === 0 ? 'none' : ''}`,
    ...s.feeds.map(
      (f) =>
        `  ${f.id} from ${f.partnerId}: ${f.status}${f.lagSeconds === undefined ? '' : `, lag ${f.lagSeconds}s`}`,
    ),
  ]
  return `${lines.join('\n')}\n`
}

/** In force now: a withdrawn, not yet effective or expired agreement lets nothing flow, so is not counted. */
function agreementsInForce(history: Parameters<typeof policyAt>[0], now: string): number {
  const policy = compileSnapshot(policyAt(history, now))
  const t = parseInstant(now)!
  let count = 0
  for (const partner of policy.partners.values())
    count += partner.agreements.filter((a) => withinValidity(a, t)).length
  return count
}
