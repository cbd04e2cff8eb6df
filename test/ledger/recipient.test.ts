import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  checkExtension,
  type DisclosureEntry,
  disclosureFromReceived,
  encodeEntry,
  generateNodeKey,
  logOrigin,
  MemoryLedger,
  type ReceivedDisclosure,
  signCheckpoint,
  verificationReport,
} from '../../src/ledger/index.js'
import { flipBit } from './helpers.js'

const nodeOrigin = 'ledger.meridia.example'
const partnerId = 'isles-coast-guard'
const origin = logOrigin(nodeOrigin, `partner:${partnerId}`)
const key = generateNodeKey(origin)

const served = (i: number) =>
  new TextEncoder().encode(`{"type":"location","id":"location--${i}","name":"Port ${i}"}`)
const receivedOf = (i: number): ReceivedDisclosure => ({
  bytes: served(i),
  partnerId,
  collectionId: 'maritime-routes',
  objectId: `location--${i}`,
  objectModified: '2026-02-01T10:00:00.000Z',
  disclosedAt: `2026-03-01T09:30:00.${String(i).padStart(6, '0')}Z`,
  agreementId: 'agr-isles-1',
  requestId: `req-${i}`,
})

function world(count: number) {
  const ledger = new MemoryLedger()
  const log = ledger.log(`partner:${partnerId}`)
  const entries: DisclosureEntry[] = []
  for (let i = 0; i < count; i++) {
    const entry = disclosureFromReceived(receivedOf(i))
    entries.push(entry)
    ledger.record(entry)
  }
  return { ledger, log, entries }
}

describe('disclosureFromReceived', () => {
  it('hashes the exact bytes received', () => {
    const entry = disclosureFromReceived(receivedOf(3))
    expect(entry.contentSha256).toBe(createHash('sha256').update(served(3)).digest('hex'))
    expect(entry.kind).toBe('disclosure')
  })
})

describe('checkExtension', () => {
  const { log } = world(10)
  const note = (size: number, root = log.store.rootAt(size)) =>
    signCheckpoint({ origin, size, rootHash: root, extensions: [] }, key)

  it('a later checkpoint with a valid proof extends the earlier one', () => {
    const verdict = checkExtension(key.vkey, note(4), note(10), log.consistencyProof(4, 10), origin)
    expect(verdict.status).toBe('consistent')
    expect(checkExtension(key.vkey, note(7), note(7), [], origin).status).toBe('consistent')
    expect(checkExtension(key.vkey, note(0), note(7), [], origin).status).toBe('consistent')
  })

  it('same size with another root, a shrinking log, or a failing proof is a fork', () => {
    const other = flipBit(log.store.rootAt(7), 0)
    expect(checkExtension(key.vkey, note(7), note(7, other), []).reason).toMatch(/rewritten/)
    expect(checkExtension(key.vkey, note(7), note(7, other), []).status).toBe('forked')
    expect(checkExtension(key.vkey, note(8), note(5), []).status).toBe('forked')
    const proof = log.consistencyProof(4, 10)
    expect(checkExtension(key.vkey, note(4), note(10, other), proof).status).toBe('forked')
    expect(checkExtension(key.vkey, note(4), note(10), proof.slice(1)).status).toBe('forked')
  })

  it('a bad signature, another key or another origin says nothing (invalid)', () => {
    const proof = log.consistencyProof(4, 10)
    const forged = note(10).replace(
      / (\S)(\S+)\n$/,
      (_m, c: string, rest: string) => ` ${c === 'A' ? 'B' : 'A'}${rest}\n`,
    )
    expect(checkExtension(key.vkey, note(4), forged, proof).status).toBe('invalid')
    expect(checkExtension(generateNodeKey(origin).vkey, note(4), note(10), proof).status).toBe('invalid')
    expect(checkExtension(key.vkey, note(4), note(10), proof, 'elsewhere.example/global').status).toBe(
      'invalid',
    )
  })
})

describe('verificationReport', () => {
  const { log, entries } = world(12)
  const checkpoint = signCheckpoint(log.checkpoint(origin), key)
  const previous = signCheckpoint({ origin, size: 5, rootHash: log.store.rootAt(5), extensions: [] }, key)

  it('proves each item, from received bytes, entries or leaf bytes, with reasons', () => {
    const report = verificationReport({
      keys: key.vkey,
      expectedOrigin: origin,
      checkpoint,
      previous: { checkpoint: previous, consistencyProof: log.consistencyProof(5, 12) },
      items: [
        { item: 'received 3', received: receivedOf(3), leafIndex: 3, proof: log.inclusionProof(3, 12) },
        { item: 'entry 11', entry: entries[11]!, leafIndex: 11, proof: log.inclusionProof(11, 12) },
        { item: 'leaf 0', leaf: encodeEntry(entries[0]!), leafIndex: 0, proof: log.inclusionProof(0, 12) },
        {
          item: 'altered copy',
          received: {
            ...receivedOf(4),
            bytes: new TextEncoder().encode('{"type":"location","name":"edited"}'),
          },
          leafIndex: 4,
          proof: log.inclusionProof(4, 12),
        },
        { item: 'wrong place', entry: entries[5]!, leafIndex: 6, proof: log.inclusionProof(6, 12) },
        { item: 'no proof', entry: entries[2]! },
        { item: 'too new', entry: entries[2]!, leafIndex: 12, proof: [] },
        { item: 'bad entry', entry: { ...entries[2]!, disclosedAt: 'yesterday' }, leafIndex: 2, proof: [] },
      ],
    })
    expect(report.map((r) => [r.item, r.status])).toEqual([
      ['checkpoint', 'proven'],
      ['consistency with previous checkpoint', 'proven'],
      ['received 3', 'proven'],
      ['entry 11', 'proven'],
      ['leaf 0', 'proven'],
      ['altered copy', 'failed'],
      ['wrong place', 'failed'],
      ['no proof', 'unproven'],
      ['too new', 'unproven'],
      ['bad entry', 'failed'],
    ])
    for (const row of report) expect(row.reason.length).toBeGreaterThan(0)
    expect(report[9]!.reason).toMatch(/disclosedAt/)
  })

  it('proves nothing when the checkpoint signature fails, and flags a forked previous checkpoint', () => {
    const other = generateNodeKey(origin)
    const report = verificationReport({
      keys: other.vkey,
      checkpoint,
      items: [
        { item: 'received 3', received: receivedOf(3), leafIndex: 3, proof: log.inclusionProof(3, 12) },
      ],
    })
    expect(report.map((r) => r.status)).toEqual(['failed', 'unproven'])
    const forkedPrevious = signCheckpoint(
      { origin, size: 5, rootHash: flipBit(log.store.rootAt(5), 3), extensions: [] },
      key,
    )
    const forked = verificationReport({
      keys: [key.vkey],
      checkpoint,
      previous: { checkpoint: forkedPrevious, consistencyProof: log.consistencyProof(5, 12) },
      items: [],
    })
    expect(forked[1]).toMatchObject({ status: 'failed' })
  })
})
