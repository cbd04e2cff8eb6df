import type { FederationContext } from './context.js'
import { type PollOptions, pollFeed } from './feed.js'
import { runPush } from './push.js'
import { scanRevocations } from './revocations.js'
import type { FeedState, PushState } from './types.js'

export interface SchedulerOptions {
  /** How often due work is looked for (and definitions re-read, so CLI changes are picked up). */
  tickMs?: number
  /** How often new revocations are looked for. */
  revocationsEveryMs?: number
  /** Pages per feed poll; default PAGES_PER_POLL. */
  pagesPerPoll?: number
  onError?: (error: unknown) => void
}

/**
 * Runs every feed and push of the node on its own interval, one run at a time per feed or push, with the
 * backoff each run computes after a failure. Definitions live in the store, so a feed added by the CLI
 * while the node runs is picked up on the next tick; a restarted node resumes at once from the stored
 * cursors.
 */
export class FederationScheduler {
  readonly #ctx: FederationContext
  readonly #tickMs: number
  readonly #revocationsEveryMs: number
  readonly #poll: PollOptions
  readonly #onError: (error: unknown) => void
  readonly #running = new Map<string, Promise<unknown>>()
  /** Earliest next run, by `feed:ID` / `push:ID`; absent means now. */
  readonly #due = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined
  #stopped = true
  #nextRevocationScan = 0
  #ticking = false
  #wakeAt = 0

  constructor(ctx: FederationContext, options: SchedulerOptions = {}) {
    this.#ctx = ctx
    this.#tickMs = options.tickMs ?? 250
    this.#revocationsEveryMs = options.revocationsEveryMs ?? 5000
    this.#poll = options.pagesPerPoll ? { maxPages: options.pagesPerPoll } : {}
    this.#onError =
      options.onError ??
      ((error) => console.error(JSON.stringify({ level: 'error', msg: 'federation', error: String(error) })))
  }

  get context(): FederationContext {
    return this.#ctx
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#schedule()
  }

  /** Stops scheduling and waits for runs under way. */
  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    await Promise.allSettled([...this.#running.values()])
  }

  #schedule(delay = this.#tickMs): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#ticking = true
      this.#tick()
        .catch(this.#onError)
        .finally(() => {
          this.#ticking = false
          this.#schedule()
        })
    }, delay)
    this.#timer.unref()
    this.#wakeAt = Date.now() + delay
  }

  /** Brings the next tick forward to `at` (a run falling due), so lag is not rounded up to the tick. */
  #wake(at: number): void {
    if (this.#stopped || this.#ticking || at >= this.#wakeAt) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#schedule(Math.max(0, at - Date.now()))
  }

  async #tick(): Promise<void> {
    const now = this.#ctx.now()
    const [feeds, pushes] = await Promise.all([this.#ctx.state.feeds(), this.#ctx.state.pushes()])
    for (const feed of feeds)
      this.#maybeRun(`feed:${feed.id}`, now, () => pollFeed(this.#ctx, feed, this.#poll))
    for (const push of pushes) this.#maybeRun(`push:${push.id}`, now, () => runPush(this.#ctx, push))
    if (now >= this.#nextRevocationScan) {
      this.#nextRevocationScan = now + this.#revocationsEveryMs
      this.#maybeRun('revocations', now, () => scanRevocations(this.#ctx))
    }
  }

  #maybeRun(key: string, now: number, run: () => Promise<FeedState | PushState | number>): void {
    if (this.#running.has(key) || this.#stopped || now < (this.#due.get(key) ?? 0)) return
    const task = run()
      .then((result) => {
        if (typeof result !== 'number' && result.health.nextAttemptAt) {
          const due = Date.parse(result.health.nextAttemptAt)
          this.#due.set(key, due)
          this.#wake(due + (Date.now() - this.#ctx.now()))
        }
      })
      .catch(this.#onError)
      .finally(() => this.#running.delete(key))
    this.#running.set(key, task)
  }

  /** Runs a feed now (waiting for a run under way first); for the API's "poll now". */
  async pollNow(feedId: string): Promise<FeedState | undefined> {
    await this.#running.get(`feed:${feedId}`)
    const feed = await this.#ctx.state.feed(feedId)
    if (!feed) return undefined
    const task = pollFeed(this.#ctx, feed, this.#poll)
    this.#running.set(`feed:${feedId}`, task)
    try {
      const state = await task
      if (state.health.nextAttemptAt) this.#due.set(`feed:${feedId}`, Date.parse(state.health.nextAttemptAt))
      return state
    } finally {
      this.#running.delete(`feed:${feedId}`)
    }
  }
}
