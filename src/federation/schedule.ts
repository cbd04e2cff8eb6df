import type { Health } from './types.js'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Parses an interval such as `500ms`, `30s`, `5m` or `1h` (a bare number is seconds); undefined if malformed. */
export function parseInterval(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m) return undefined
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!
  return Number.isFinite(ms) && ms >= 1 ? Math.round(ms) : undefined
}

export function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

export interface BackoffPolicy {
  /** First retry delay; doubles per consecutive failure. */
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000 }

/**
 * Delay before the next attempt after `failures` consecutive failures: exponential, capped, never
 * longer than the cap, with "equal jitter" (half fixed, half random) so partners that failed together do
 * not retry together. `random` is in [0, 1).
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1))
  return Math.round(exp / 2 + (exp / 2) * random)
}

const RECENT = 5

export function recordSuccess(health: Health, at: string): void {
  health.status = health.status === 'alarm' ? 'alarm' : 'ok'
  health.lastSuccessAt = at
  health.consecutiveFailures = 0
}

export function recordFailure(health: Health, at: string, message: string): void {
  if (health.status !== 'alarm') health.status = 'failing'
  health.consecutiveFailures++
  health.lastError = { at, message }
}

export function count(health: Health, name: string, by = 1): void {
  if (by !== 0) health.counts[name] = (health.counts[name] ?? 0) + by
}

export function noteProblem(health: Health, at: string, message: string): void {
  health.recent.push({ at, message })
  if (health.recent.length > RECENT) health.recent.splice(0, health.recent.length - RECENT)
}

/** Seconds since the feed was last caught up (undefined before the first complete pass). */
export function lagSeconds(health: Health, now: number): number | undefined {
  return health.caughtUpAt ? Math.max(0, (now - Date.parse(health.caughtUpAt)) / 1000) : undefined
}

/**
 * When a feed or push runs next: after a failure, the backoff; after a run that reached the end,
 * one interval from the start of that run (a fixed rate, not "interval after finishing"); after a
 * run cut short, at once.
 */
export function nextRunAt(
  health: Health,
  run: { now: number; startedAt: string; everyMs: number; finished: boolean },
  backoff: BackoffPolicy,
  random: number,
): number {
  if (health.consecutiveFailures > 0)
    return run.now + backoffDelay(health.consecutiveFailures, backoff, random)
  return run.finished ? Math.max(run.now, Date.parse(run.startedAt) + run.everyMs) : run.now
}

/**
 * Ends a feed's or a push's round: sets when it runs next, from how the round went (backoff after a failure,
 * the next interval once caught up, at once while there is more to fetch).
 */
export function scheduleNext(
  health: Health,
  clock: { now: () => number; backoff: BackoffPolicy; random: () => number },
  run: { startedAt: string; everyMs: number; finished: boolean },
): void {
  const next = nextRunAt(health, { now: clock.now(), ...run }, clock.backoff, clock.random())
  health.nextAttemptAt = new Date(next).toISOString()
}
