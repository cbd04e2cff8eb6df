import { FederationState } from '../federation/state.js'
import type { Store } from '../store/types.js'

export interface FeedLag {
  id: string
  partnerId: string
  status: string
  /** Seconds since the feed last reached the end of its remote collection; undefined before it ever did. */
  lagSeconds: number | undefined
  lastSuccessAt?: string
}

/** Each federation feed's health and lag, as the scheduler last recorded them. */
export async function feedLags(store: Store, nowMs = Date.now()): Promise<FeedLag[]> {
  const state = new FederationState(store)
  const out: FeedLag[] = []
  for (const feed of await state.feeds()) {
    const { health } = await state.feedState(feed.id)
    const caughtUp = health.caughtUpAt ? Date.parse(health.caughtUpAt) : Number.NaN
    out.push({
      id: feed.id,
      partnerId: feed.partnerId,
      status: health.status,
      lagSeconds: Number.isFinite(caughtUp) ? Math.max(0, Math.round((nowMs - caughtUp) / 1000)) : undefined,
      ...(health.lastSuccessAt ? { lastSuccessAt: health.lastSuccessAt } : {}),
    })
  }
  return out
}
