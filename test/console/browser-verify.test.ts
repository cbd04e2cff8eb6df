import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
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
