/**
 * What the Federation page shows, computed from `GET /federation/feeds` and `GET /federation/pushes`
 * without touching the DOM (so it can be tested on its own).
 */
import type { FederationFeed, FederationHealth, FederationPush } from '../../../src/services/console-types.js'
import { keyName } from '../ledger/key-changes.js'

export const HEALTH_TEXT: Record<FederationHealth['status'], string> = {
  new: 'Not run yet',
  ok: 'Healthy',
  failing: 'Failing',
  alarm: 'Ledger alarm',
}

export const LEDGER_TEXT: Record<FederationFeed['ledger']['status'], string> = {
  unverified: 'Not verified yet',
  unavailable: 'No ledger offered',
  consistent: 'Consistent',
  alarm: 'Alarm: the remote ledger did not verify',
}

export const FEEDS_EMPTY =
  'No feeds: add one with sluice feeds add --url API_ROOT_URL --collection ID --key KEY --into LOCAL_COLLECTION --partner PARTNER'
export const PUSHES_EMPTY =
  'No pushes: add one with sluice pushes add --url API_ROOT_URL --collection ID --key KEY --from LOCAL_COLLECTION --partner PARTNER'

/** A length of time in words a duty officer reads at a glance: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** "never", or "5 min ago" from `now` (milliseconds). */
export function ago(iso: string | undefined, now: number): string {
  if (!iso) return 'never'
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return iso
  return `${duration((now - at) / 1000)} ago`
}

/** Display names for local collection and partner ids (the page takes them from the flows matrix). */
export interface Names {
  collection(id: string): string
  partner(id: string): string
}

export const AS_IS: Names = { collection: (id) => id, partner: (id) => id }

export interface HealthRow {
  kind: 'feed' | 'push'
  id: string
  status: FederationHealth['status']
  statusText: string
  /** Remote API root and collection. */
  remote: string
  /** The local collection (feeds: into; pushes: from). */
  local: string
  partner: string
  every: string
  lastSuccess: string
  /** The ISO instant behind `lastSuccess`, for a tooltip or a <time> element. */
  lastSuccessAt?: string
  lag: string
  failures: number
  lastError: string
  lastErrorAt?: string
  /** Feeds only: the remote ledger's status. */
  ledger?: {
    status: FederationFeed['ledger']['status']
    text: string
    alarm?: string
    /** Which key the remote's checkpoints are checked with, and where it came from. */
    key?: string
  }
  /** Pushes only: versions held back while a suspension is in force. */
  held?: number
  /** True when someone should look: failing, alarm, or a ledger alarm. */
  attention: boolean
}

function common(h: FederationHealth, now: number) {
  const failures = h.consecutiveFailures ?? 0
  return {
    status: h.status,
    statusText:
      h.status === 'failing' && failures > 0
        ? `${HEALTH_TEXT.failing} (${failures} in a row)`
        : HEALTH_TEXT[h.status],
    lastSuccess: ago(h.lastSuccessAt, now),
    ...(h.lastSuccessAt ? { lastSuccessAt: h.lastSuccessAt } : {}),
    lag: duration(h.lagSeconds),
    failures,
    lastError: h.lastError?.message ?? '—',
    ...(h.lastError ? { lastErrorAt: h.lastError.at } : {}),
  }
}

export function feedRow(feed: FederationFeed, now: number, names: Names = AS_IS): HealthRow {
  const base = common(feed.health, now)
  const ledgerAlarm = feed.ledger.status === 'alarm'
  return {
    kind: 'feed',
    id: feed.id,
    ...base,
    remote: `${feed.url} · ${feed.collection}`,
    local: names.collection(feed.into),
    partner: names.partner(feed.partner),
    every: feed.every,
    ledger: {
      status: feed.ledger.status,
      text:
        feed.ledger.status === 'consistent' && feed.ledger.size !== undefined
          ? `${LEDGER_TEXT.consistent} (size ${feed.ledger.size})`
          : LEDGER_TEXT[feed.ledger.status],
      ...(feed.ledger.alarm ? { alarm: feed.ledger.alarm.reason } : {}),
      ...keyText(feed),
    },
    attention: base.status === 'failing' || base.status === 'alarm' || ledgerAlarm,
  }
}

/** The key a feed checks the remote ledger with: given out of band, followed from it, or first seen. */
function keyText(feed: FederationFeed): { key?: string } {
  const { vkey, keySource, followedFrom } = feed.ledger
  if (vkey === undefined || keySource === undefined) return {}
  const from =
    followedFrom === undefined
      ? ''
      : ` from ${followedFrom === feed.vkey ? 'the given ' : ''}${keyName(followedFrom)}`
  return { key: `key ${keyName(vkey)}, ${keySource}${from}` }
}

export function pushRow(push: FederationPush, now: number, names: Names = AS_IS): HealthRow {
  const base = common(push.health, now)
  return {
    kind: 'push',
    id: push.id,
    ...base,
    remote: `${push.url} · ${push.collection}`,
    local: names.collection(push.from),
    partner: names.partner(push.partner),
    every: push.every,
    held: push.held,
    attention: base.status === 'failing' || base.status === 'alarm',
  }
}

/** One sentence for the page head and the live region: "2 feeds, 1 push: 1 failing." */
export function federationSummary(feeds: HealthRow[], pushes: HealthRow[]): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`
  const all = [...feeds, ...pushes]
  const failing = all.filter((r) => r.status === 'failing').length
  const alarms = all.filter((r) => r.status === 'alarm' || r.ledger?.status === 'alarm').length
  const problems = [
    failing ? `${failing} failing` : '',
    alarms ? n(alarms, 'ledger alarm', 'ledger alarms') : '',
  ].filter(Boolean)
  const head = `${n(feeds.length, 'feed', 'feeds')}, ${n(pushes.length, 'push', 'pushes')}`
  if (all.length === 0) return 'No feeds or pushes are defined.'
  return `${head}: ${problems.length ? problems.join(', ') : 'all healthy or not run yet'}.`
}
