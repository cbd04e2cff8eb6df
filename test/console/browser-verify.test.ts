import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { parseCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.js'
import { parseNote } from '../../src/ledger/note.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { rotateNodeKey } from '../../src/server/node-key.js'
import { followKeyChanges, type KeyChange } from '../../web/src/ledger/key-changes.js'
import { checkInclusion, fromBase64, type InclusionInput, toBase64 } from '../../web/src/ledger/verify.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

// The console's in-browser checks, run here on Node's WebCrypto against a real node's ledger.
let t: TestNode
let input: InclusionInput

async function json<T>(path: string, key: string): Promise<T> {
  const res = await fetch(`${t.url}${path}`, { headers: { Authorization: `Bearer ${key}` } })
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

beforeAll(async () => {
  t = await startTestNode()
  const keys = await seedDemo(t.node.services)
  const isles = keys.partnerKeys.find((k) => k.partner === 'isles')!.key
  const collections = await json<{ id: string; alias?: string }[]>('/console-api/collections', isles)
  await t.get(`/intel/collections/${collections[0]!.id}/objects/`, isles)
  const key = await json<{ origin: string; vkey: string }>('/ledger/key', isles)
  const cp = await json<{ size: number; checkpoint: string }>('/ledger/checkpoint?log=partner:isles', isles)
  const index = Math.floor(cp.size / 2)
  const inc = await json<{ proofs: { index: number; leaf: string; proof: string[] }[] }>(
    `/ledger/inclusion?log=partner:isles&index=${index}&size=${cp.size}`,
    isles,
  )
  input = {
    vkey: key.vkey,
    origin: `${key.origin}/partner/isles`,
    note: cp.checkpoint,
    index,
    leaf: inc.proofs[0]!.leaf,
    proof: inc.proofs[0]!.proof,
  }
})

afterAll(async () => {
  await t?.stop()
})

describe('in-browser inclusion check', () => {
  it('accepts a genuine proof under the signed checkpoint', async () => {
    const steps = await checkInclusion(input)
    expect(steps.map((s) => [s.label, s.ok])).toEqual([
      ['Verifier key', true],
      ['Signature present', true],
      ['Checkpoint signature (Ed25519)', true],
      ['Log origin', true],
      ['Leaf hash (SHA-256)', true],
      ['Inclusion proof', true],
    ])
  })

  it('rejects a changed entry, a wrong index, a forged note, another log and another key', async () => {
    const leaf = fromBase64(input.leaf)
    leaf[leaf.length - 3] ^= 1
    const failed = async (changed: Partial<InclusionInput>) =>
      (await checkInclusion({ ...input, ...changed })).find((s) => !s.ok)?.label
    expect(await failed({ leaf: toBase64(leaf) })).toBe('Inclusion proof')
    expect(await failed({ index: input.index + 1 })).toBe('Inclusion proof')
    expect(
      await failed({ note: input.note.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`) }),
    ).toBe('Checkpoint signature (Ed25519)')
    expect(await failed({ origin: input.origin.replace('isles', 'northland') })).toBe('Log origin')
    const other = input.vkey.replace(/\+([0-9a-f]{8})\+/, '+00000000+')
    expect(await failed({ vkey: other })).toBe('Input')
  })
})

describe('in-browser following of key changes', () => {
  const rotate = (reason: string) =>
    rotateNodeKey(t.node.services.ledger, join(t.dataDir, 'node.key'), {
      issuer: 'ops',
      reason,
      at: new Date(),
    })
  let keys: string[]
  let changes: KeyChange[]
  let origin: string

  beforeAll(async () => {
    const first = await rotate('yearly change (fictional)')
    const second = await rotate('key copied to an unmanaged host (fictional)')
    keys = [first.previous.vkey, first.next.vkey, second.next.vkey]
    const admin = await json<{ origin: string; vkey: string; changes: KeyChange[] }>(
      '/ledger/key',
      t.adminKey,
    )
    expect(admin.vkey).toBe(keys[2])
    changes = admin.changes
    origin = `${admin.origin}/global`
  })

  it('follows from the pinned key, or from a later one, to the current key', async () => {
    const fromFirst = await followKeyChanges(keys[0]!, origin, changes)
    expect(fromFirst.vkey).toBe(keys[2])
    expect(fromFirst.steps.map((s) => s.ok)).toEqual([true, true])
    expect(fromFirst.steps[1]!.detail).toContain('key copied to an unmanaged host')
    const fromSecond = await followKeyChanges(keys[1]!, origin, changes)
    expect(fromSecond).toMatchObject({ vkey: keys[2], steps: [{ ok: true }] })
    // and a proof under the current checkpoint then verifies with the key followed to
    const cp = await json<{ size: number; checkpoint: string }>('/ledger/checkpoint?log=global', t.adminKey)
    const inc = await json<{ proofs: { index: number; leaf: string; proof: string[] }[] }>(
      `/ledger/inclusion?log=global&index=0&size=${cp.size}`,
      t.adminKey,
    )
    const steps = await checkInclusion({
      vkey: fromFirst.vkey,
      origin,
      note: cp.checkpoint,
      index: 0,
      leaf: inc.proofs[0]!.leaf,
      proof: inc.proofs[0]!.proof,
    })
    expect(steps.every((s) => s.ok)).toBe(true)
  })

  it('stops at a change that is not co-signed, not included, out of chain, or of another log', async () => {
    const stopped = async (tampered: KeyChange[]) => {
      const result = await followKeyChanges(keys[0]!, origin, tampered)
      return { vkey: result.vkey, failed: result.steps.find((s) => !s.ok)?.detail }
    }
    const next = generateNodeKey(origin.split('/')[0]!)
    const resigned = signCheckpoint(parseCheckpoint(parseNote(changes[0]!.checkpoint).text), next)
    expect(await stopped([{ ...changes[0]!, checkpoint: resigned }, changes[1]!])).toMatchObject({
      vkey: keys[0],
      failed: expect.stringMatching(/not signed by the previous key/),
    })
    const leaf = fromBase64(changes[1]!.leaf)
    leaf[leaf.length - 3] ^= 1
    expect(await stopped([changes[0]!, { ...changes[1]!, leaf: toBase64(leaf) }])).toMatchObject({
      vkey: keys[1],
      failed: expect.any(String),
    })
    expect(await stopped([changes[0]!, { ...changes[1]!, index: changes[1]!.index + 1 }])).toMatchObject({
      vkey: keys[1],
      failed: expect.stringMatching(/inclusion proof|not in the log/),
    })
    // out of order, the later change does not start from the pinned key and is passed over
    expect(await stopped([changes[1]!, changes[0]!])).toEqual({ vkey: keys[1], failed: undefined })
    expect(await stopped([changes[0]!, changes[0]!])).toMatchObject({
      vkey: keys[1],
      failed: expect.stringMatching(/starts from/),
    })
    const elsewhere = await followKeyChanges(keys[0]!, origin.replace('/global', '/partner/isles'), changes)
    expect(elsewhere.vkey).toBe(keys[0])
    // a key no change starts from is followed nowhere
    const unknown = await followKeyChanges(next.vkey, origin, changes)
    expect(unknown).toEqual({ vkey: next.vkey, steps: [] })
  })
})
