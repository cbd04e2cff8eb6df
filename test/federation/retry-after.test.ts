/** Sluice's own clients (feeds, pushes, `ledger verify`) wait out a peer's rate limit as its 429 asks. */
import { describe, expect, it } from 'vitest'
import {
  MAX_RATE_LIMIT_RETRIES,
  rateLimitWait,
  withRateLimitRetries,
} from '../../src/federation/retry-after.js'
import { TaxiiClient } from '../../src/federation/taxii-client.js'
import { PEER, taxiiResponse } from './helpers.js'

const limited = (retryAfter?: string) =>
  new Response('{"title":"Too many requests"}', {
    status: 429,
    headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
  })

describe('the wait a 429 asks for', () => {
  it('reads Retry-After as seconds or as an HTTP date, and 1 s when there is none', () => {
    const now = Date.parse('2026-12-07T10:00:00Z')
    expect(rateLimitWait(limited('3'), 30_000, now)).toBe(3000)
    expect(rateLimitWait(limited('Mon, 07 Dec 2026 10:00:02 GMT'), 30_000, now)).toBe(2000)
    expect(rateLimitWait(limited('Mon, 07 Dec 2026 09:00:00 GMT'), 30_000, now)).toBe(0)
    expect(rateLimitWait(limited(), 30_000, now)).toBe(1000)
  })

  it('is none for other answers, for a wait over the cap, or for a header it cannot read', () => {
    expect(rateLimitWait(new Response('', { status: 503, headers: { 'Retry-After': '1' } }))).toBeUndefined()
    expect(rateLimitWait(new Response('{}', { status: 200 }))).toBeUndefined()
    expect(rateLimitWait(limited('31'), 30_000)).toBeUndefined()
    expect(rateLimitWait(limited('soon'))).toBeUndefined()
  })
})

describe('a request refused by a rate limit', () => {
  it('is sent again after each wait asked for, and the first other answer is returned', async () => {
    const answers = [limited('2'), limited('1'), new Response('{}', { status: 200 })]
    const slept: number[] = []
    const res = await withRateLimitRetries(
      async () => answers.shift()!,
      async (ms) => {
        slept.push(ms)
      },
    )
    expect(res.status).toBe(200)
    expect(slept).toEqual([2000, 1000])
  })

  it('is given up after a bounded number of retries, returning the last 429', async () => {
    let sent = 0
    const res = await withRateLimitRetries(
      async () => {
        sent++
        return limited('0')
      },
      async () => {},
    )
    expect(res.status).toBe(429)
    expect(sent).toBe(MAX_RATE_LIMIT_RETRIES + 1)
  })

  it('does not fail a feed’s page: the client waits and reads it', async () => {
    let calls = 0
    const client = new TaxiiClient(PEER, {
      fetch: async () =>
        calls++ === 0 ? limited('0') : taxiiResponse('{"more":false,"objects":[{"type":"x-fictional"}]}'),
    })
    const page = await client.objects({ limit: 10 })
    expect(calls).toBe(2)
    expect(page.objects).toEqual([{ type: 'x-fictional' }])
  })
})
