/** How many requests a partner may make: `perSecond` on average, up to `burst` at once. */
export interface RateLimit {
  perSecond: number
  burst: number
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number }

interface Bucket {
  tokens: number
  at: number
}

/**
 * One token bucket per partner, shared by every principal of that partner and every API it may call, so
 * that one agency's runaway client slows that agency and no other. State is per process: a node of several
 * processes admits up to that many times the limit.
 */
export class PartnerRateLimiter {
  readonly #buckets = new Map<string, Bucket>()

  constructor(
    readonly limit: RateLimit,
    readonly now: () => number = () => performance.now(),
    /** Told of each refusal, e.g. to count it per partner. */
    readonly onRefused: (partnerId: string) => void = () => {},
  ) {}

  admit(partnerId: string): Admission {
    const now = this.now()
    const bucket = this.#buckets.get(partnerId) ?? { tokens: this.limit.burst, at: now }
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) * this.limit.perSecond) / 1000,
    )
    bucket.at = now
    this.#buckets.set(partnerId, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { admitted: true }
    }
    this.onRefused(partnerId)
    // whole seconds, as Retry-After is written; by then at least one token is back
    return {
      admitted: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond)),
    }
  }
}
