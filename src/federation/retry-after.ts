/** The longest a peer's Retry-After may hold one request before the client reports the 429 instead. */
export const MAX_RATE_LIMIT_WAIT_MS = 30_000
/** How many times one request is sent again after 429s before the client reports the last one. */
export const MAX_RATE_LIMIT_RETRIES = 5

/**
 * How long a 429 asks the client to wait, in milliseconds: its Retry-After in seconds or as an HTTP date
 * (RFC 9110 §10.2.3), 1 s when it names none. Undefined for any other answer, or for a wait over `capMs`,
 * which is better reported than slept through.
 */
export function rateLimitWait(
  res: Response,
  capMs = MAX_RATE_LIMIT_WAIT_MS,
  now = Date.now(),
): number | undefined {
  if (res.status !== 429) return undefined
  const header = res.headers.get('retry-after')?.trim()
  const wait =
    header === undefined || header === ''
      ? 1000
      : /^\d+$/.test(header)
        ? Number(header) * 1000
        : Math.max(0, Date.parse(header) - now)
  return Number.isNaN(wait) || wait > capMs ? undefined : wait
}

/**
 * Sends a request again after each 429, as long as its Retry-After asks, at most MAX_RATE_LIMIT_RETRIES
 * times; the answer that ends it, 429 or not, is returned. A node's partner rate limit refuses a request
 * before doing anything, so sending it again is safe for a POST too. `send` makes a fresh request each time.
 */
export async function withRateLimitRetries(
  send: () => Promise<Response>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<Response> {
  for (let retries = 0; ; retries++) {
    const res = await send()
    const wait = retries < MAX_RATE_LIMIT_RETRIES ? rateLimitWait(res) : undefined
    if (wait === undefined) return res
    await res.body?.cancel()
    await sleep(wait)
  }
}
