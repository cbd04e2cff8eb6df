import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeEntry,
  followAnsweredChanges,
  followKeyChanges,
  generateNodeKey,
  type KeyChangeEvidence,
  keyChangesJson,
  MemoryLog,
  type NodeSigningKey,
  parseKeyChanges,
  signCheckpoint,
} from '../../src/ledger/index.js'
import { flipBit } from './helpers.js'

const nodeOrigin = 'ledger.meridia.example'
const origin = `${nodeOrigin}/global`
const keys = [0, 1, 2, 3].map(() => generateNodeKey(nodeOrigin))
const stranger = generateNodeKey(nodeOrigin)

const filler = (i: number) =>
  encodeEntry({
    kind: 'agreement',
    agreementId: `agr-${i}`,
    version: 1,
    partnerId: 'isles-coast-guard',
    change: 'created',
    changedBy: 'officer-12',
    changedAt: '2026-03-01T09:30:00.000000Z',
    agreementSha256: 'a'.repeat(64),
  })

const keyLeaf = (previous: NodeSigningKey, next: NodeSigningKey) =>
  encodeEntry({
    kind: 'key',
    previousVkey: previous.vkey,
    vkey: next.vkey,
    issuer: 'local:ops',
    reason: 'annual rotation',
    recordedAt: '2026-06-01T08:00:00.000000Z',
  })

/**
 * A global log with `changes` key changes, keys[0] → keys[1] → …, and `gaps[i]` other entries before each;
 * each handover checkpoint covers its entry and `lag[i]` entries after it, as a node serving between the
 * append and the signature would. `sign` chooses the keys of each handover (default: both).
 */
function world(
  gaps: readonly number[],
  lag: readonly number[] = [],
  sign: (previous: NodeSigningKey, next: NodeSigningKey) => NodeSigningKey[] = (p, n) => [p, n],
): KeyChangeEvidence[] {
  const log = new MemoryLog()
  let n = 0
  const changes: KeyChangeEvidence[] = []
  gaps.forEach((gap, i) => {
    log.appendLeaves(Array.from({ length: gap }, () => filler(n++)))
    const leaf = keyLeaf(keys[i]!, keys[i + 1]!)
    log.appendLeaves([leaf])
    const index = log.size - 1
    log.appendLeaves(Array.from({ length: lag[i] ?? 0 }, () => filler(n++)))
    changes.push({
      index,
      leaf,
      checkpoint: signCheckpoint(log.checkpoint(origin), sign(keys[i]!, keys[i + 1]!)),
      proof: log.inclusionProof(index, log.size),
    })
  })
  return changes
}

const gapsArb = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 3 })

describe('following key changes', () => {
  it('leads from the first key to the newest, whatever the log around the changes', () => {
    fc.assert(
      fc.property(gapsArb, fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), (gaps, lag) => {
        const followed = followKeyChanges([keys[0]!.vkey], world(gaps, lag), origin)
        expect(followed.current).toBe(keys[gaps.length]!.vkey)
        expect(followed.keys).toEqual(keys.slice(0, gaps.length + 1).map((k) => k.vkey))
        expect(followed.rows.map((r) => r.status)).toEqual(gaps.map(() => 'proven'))
      }),
      { numRuns: 200 },
    )
  })

  it('survives its JSON form unchanged', () => {
    const changes = world([3, 0])
    const parsed = parseKeyChanges(JSON.parse(JSON.stringify(keyChangesJson(changes))))
    expect(followKeyChanges([keys[0]!.vkey], parsed!, origin).current).toBe(keys[2]!.vkey)
  })

  it('follows no tampered change, and keeps what came before it', () => {
    type Tamper = (c: KeyChangeEvidence, bit: number) => KeyChangeEvidence
    const tampers: Record<string, Tamper> = {
      leaf: (c, bit) => ({ ...c, leaf: flipBit(c.leaf, bit) }),
      proof: (c, bit) =>
        c.proof.length === 0
          ? { ...c, proof: [new Uint8Array(32)] }
          : { ...c, proof: c.proof.map((h, i) => (i === bit % c.proof.length ? flipBit(h, bit) : h)) },
      index: (c, bit) => ({ ...c, index: c.index + 1 + (bit % 3) }),
      checkpoint: (c, bit) => {
        // a signature bit: the note's last line is a signature; the body stays parseable
        const lines = c.checkpoint.split('\n')
        const sig = lines.length - 2
        const text = lines[sig]!
        const at = text.length - 2 - (bit % 20)
        const flipped = text[at] === 'A' ? 'B' : 'A'
        lines[sig] = text.slice(0, at) + flipped + text.slice(at + 1)
        return { ...c, checkpoint: lines.join('\n') }
      },
    }
    fc.assert(
      fc.property(
        gapsArb,
        fc.constantFrom(...Object.keys(tampers)),
        fc.nat(),
        fc.nat(),
        (gaps, how, which, bit) => {
          const changes = world(gaps)
          const at = which % changes.length
          const tampered = changes.map((c, i) => (i === at ? tampers[how]!(c, bit) : c))
          const followed = followKeyChanges([keys[0]!.vkey], tampered, origin)
          expect(followed.current).toBeUndefined()
          expect(followed.keys).toEqual(keys.slice(0, at + 1).map((k) => k.vkey))
          expect(followed.rows.at(-1)!.status).toBe('failed')
        },
      ),
      { numRuns: 300 },
    )
  })

  it('needs the previous key to vouch, and the next key to sign', () => {
    const onlyNext = followKeyChanges(
      [keys[0]!.vkey],
      world([2], [], (_p, n) => [n]),
      origin,
    )
    expect(onlyNext.current).toBeUndefined()
    expect(onlyNext.rows[0]!.reason).toMatch(/not signed by the previous key/)
    // a thief with the next key alone cannot claim the change; one with the previous alone cannot either
    const onlyPrevious = followKeyChanges(
      [keys[0]!.vkey],
      world([2], [], (p) => [p]),
      origin,
    )
    expect(onlyPrevious.current).toBeUndefined()
    expect(onlyPrevious.rows[0]!.reason).toMatch(/not signed by the next key/)
  })

  it('refuses changes out of order or that do not chain', () => {
    const [first, second] = world([1, 1])
    const reversed = followKeyChanges([keys[0]!.vkey], [second!, first!], origin)
    expect(reversed.current).toBeUndefined()
    expect(reversed.rows.at(-1)!.status).toBe('failed')
    // keys[0] → keys[1], then a change that starts from keys[2]
    const other = world([1, 1])
    const broken = followKeyChanges(
      [keys[0]!.vkey],
      [other[0]!, { ...world([0, 0, 0])[2]!, index: 9 }],
      origin,
    )
    expect(broken.rows.at(-1)!.reason).toMatch(/starts from/)
  })

  it('refuses a handover of another log', () => {
    const followed = followKeyChanges([keys[0]!.vkey], world([2]), `${nodeOrigin}/partner/isles-coast-guard`)
    expect(followed.current).toBeUndefined()
    expect(followed.rows[0]!.status).toBe('failed')
  })

  it('takes a given next key without vouching, and reports changes between keys it was not given', () => {
    const changes = world([1, 2, 0])
    const newest = followKeyChanges([keys[3]!.vkey], changes, origin)
    expect(newest.current).toBe(keys[3]!.vkey)
    expect(newest.rows.map((r) => r.status)).toEqual(['unproven', 'unproven', 'proven'])
    const neither = followKeyChanges([stranger.vkey], changes, origin)
    expect(neither.current).toBeUndefined()
    expect(neither.rows.every((r) => r.status === 'unproven')).toBe(true)
    expect(followKeyChanges([stranger.vkey], [], origin)).toEqual({ keys: [stranger.vkey], rows: [] })
  })

  it('reads no malformed JSON as key changes', () => {
    const [good] = keyChangesJson(world([1]))
    for (const bad of [
      {},
      'x',
      [null],
      [{ ...good, index: -0.5 }],
      [{ ...good, leaf: '%%' }],
      [{ ...good, proof: 'x' }],
      [{ ...good, proof: [7] }],
      [{ ...good, checkpoint: 3 }],
    ])
      expect(parseKeyChanges(bad), JSON.stringify(bad)).toBeUndefined()
  })

  it('follows the changes a node answered: absent is no change, malformed is a failed row', () => {
    const trusted = [keys[0]!.vkey]
    expect(followAnsweredChanges(trusted, undefined, origin)).toEqual({ keys: trusted, rows: [] })
    for (const bad of [null, 'x', [{}]])
      expect(followAnsweredChanges(trusted, bad, origin)).toEqual({
        keys: trusted,
        rows: [{ item: 'key changes', status: 'failed', reason: 'the node answered malformed key changes' }],
      })
    const answered = JSON.parse(JSON.stringify(keyChangesJson(world([2]))))
    expect(followAnsweredChanges(trusted, answered, origin).current).toBe(keys[1]!.vkey)
  })
})
