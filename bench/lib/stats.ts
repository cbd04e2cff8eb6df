/** Small statistics helpers for benchmarks: percentiles over samples, best-of-N with spread. */

/** The p-th percentile (0–100) of samples, nearest-rank on a sorted copy. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!
}

export interface LatencySummary {
  count: number
  /** Milliseconds. */
  mean: number
  p50: number
  p99: number
  /** Operations per second over the whole measured span (count / total seconds). */
  perSecond: number
}

/** Summarises per-operation latencies (ms) measured back to back over `totalMs`. */
export function summarize(latenciesMs: readonly number[], totalMs: number): LatencySummary {
  const count = latenciesMs.length
  const mean = count === 0 ? Number.NaN : latenciesMs.reduce((a, b) => a + b, 0) / count
  return {
    count,
    mean,
    p50: percentile(latenciesMs, 50),
    p99: percentile(latenciesMs, 99),
    perSecond: count / (totalMs / 1000),
  }
}

export interface Repeated<T> {
  best: T
  all: T[]
  /** (best − worst) / best of the score, as a fraction: how much the runs disagreed. */
  spread: number
}

/** Picks the run with the highest score and reports how far the worst run was from it. */
export function bestOf<T>(runs: readonly T[], score: (run: T) => number): Repeated<T> {
  if (runs.length === 0) throw new Error('bestOf needs at least one run')
  let best: T = runs[0] as T
  let worst: T = runs[0] as T
  for (const r of runs) {
    if (score(r) > score(best)) best = r
    if (score(r) < score(worst)) worst = r
  }
  const b = score(best)
  return { best, all: [...runs], spread: b === 0 ? 0 : (b - score(worst)) / b }
}

/** Milliseconds since an arbitrary origin, high resolution. */
export function nowMs(): number {
  return performance.now()
}

/** Runs the garbage collector when node was started with --expose-gc, so runs start from a similar heap. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) gc()
}
