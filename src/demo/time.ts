/** Day 1 of the demo story, 08:00 UTC. Every demo timestamp is derived from it, so output is byte-stable. */
export const DEMO_EPOCH = '2026-01-05T08:00:00.000Z'

const EPOCH_MS = Date.parse(DEMO_EPOCH)
const HOUR = 3_600_000

/** The instant `day` (1-based: day 1 is the epoch's date) at `hour` UTC, e.g. `demoInstant(3, 9.5)`. */
export function demoInstant(day: number, hour = 8): string {
  return new Date(EPOCH_MS + (day - 1) * 24 * HOUR + (hour - 8) * HOUR).toISOString()
}

/** `hoursBefore` hours before the epoch (fractions allowed), for intelligence gathered before the story. */
export function beforeEpoch(hoursBefore: number): string {
  return new Date(EPOCH_MS - Math.round(hoursBefore * HOUR)).toISOString()
}
