import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PartnerRateLimiter, type RateLimit } from '../../src/ops/rate-limit.js'

const limits = fc.record({
  perSecond: fc.integer({ min: 1, max: 200 }),
  burst: fc.integer({ min: 1, max: 50 }),
})
/** Requests as (partner, milliseconds since the one before), from three partners. */
const traffic = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 400 })), {
  maxLength: 300,
})

interface Outcome {
  partner: string
  at: number
  admitted: boolean
  retryAfterSeconds?: number
}

function replay(limit: RateLimit, requests: [string, number][]): Outcome[] {
  let clock = 0
  const limiter = new PartnerRateLimiter(limit, () => clock)
  return requests.map(([partner, gap]) => {
    clock += gap
    const admission = limiter.admit(partner)
    return {
      partner,
      at: clock,
      ...(admission.admitted
        ? { admitted: true }
        : { admitted: false, retryAfterSeconds: admission.retryAfterSeconds }),
    }
  })
}

describe('the partner rate limiter', () => {
  it('admits no more than the burst plus the rate over any stretch of one partner’s requests', () => {
    fc.assert(
      fc.property(limits, traffic, (limit, requests) => {
        const outcomes = replay(limit, requests)
        for (const partner of ['a', 'b', 'c']) {
          const admitted = outcomes.filter((o) => o.partner === partner && o.admitted).map((o) => o.at)
          for (let i = 0; i < admitted.length; i++)
            for (let j = i; j < admitted.length; j++) {
              const allowance = limit.burst + (limit.perSecond * (admitted[j]! - admitted[i]!)) / 1000
              expect(j - i + 1).toBeLessThanOrEqual(allowance + 1e-9)
            }
        }
      }),
    )
  })

  it('admits a refused partner once it has waited the Retry-After it was given', () => {
    fc.assert(
      fc.property(limits, traffic, (limit, requests) => {
        const outcomes = replay(limit, requests)
        outcomes.forEach((refused, i) => {
          if (refused.admitted) return
          expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1)
          const waited: [string, number][] = [
            ...requests.slice(0, i + 1),
            [refused.partner, refused.retryAfterSeconds! * 1000],
          ]
          expect(replay(limit, waited).at(-1)!.admitted).toBe(true)
        })
      }),
    )
  })

  it('decides each partner alone: what others send changes nothing for it', () => {
    fc.assert(
      fc.property(limits, traffic, (limit, requests) => {
        const together = replay(limit, requests).filter((o) => o.partner === 'a')
        // the same requests of partner a at the same instants, with nobody else's in between
        let clock = 0
        const alone = requests.flatMap(([partner, gap]): [string, number][] => {
          clock += gap
          return partner === 'a' ? [['a', clock]] : []
        })
        const gaps = alone.map(([p, at], i): [string, number] => [p, at - (alone[i - 1]?.[1] ?? 0)])
        expect(replay(limit, gaps)).toEqual(together)
      }),
    )
  })

  it('refuses the request after a burst at one instant, and admits a full burst after an idle spell', () => {
    const outcomes = replay({ perSecond: 2, burst: 3 }, [
      ['a', 0],
      ['a', 0],
      ['a', 0],
      ['a', 0],
      ['a', 1500],
      ['a', 0],
      ['a', 0],
      ['a', 0],
    ])
    expect(outcomes.map((o) => o.admitted)).toEqual([true, true, true, false, true, true, true, false])
    expect(outcomes[3]!.retryAfterSeconds).toBe(1)
  })
})
