import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  appendLeaves,
  consistencyProofPlan,
  generateNodeKey,
  inclusionProofPlan,
  MemoryNodeStore,
  nodeKeyFromSeed,
  proveConsistency,
  proveInclusion,
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
  rootAt,
  signNote,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '../../src/ledger/index.js'
import { flipBit, makeLeafHashes } from './helpers.js'

const MAX = 3000
const allLeaves = makeLeafHashes(MAX, 1)

// One store of MAX leaves serves every smaller tree: a prefix of an append-only log is itself a tree.
const store = new MemoryNodeStore({ expectedLeaves: MAX })
store.putNodesSync(appendLeaves([], 0, allLeaves).nodes)

const rootCache = new Map<number, Uint8Array>()
const rootOf = (n: number): Uint8Array => {
  let root = rootCache.get(n)
  if (!root) {
    root = referenceRoot(allLeaves, 0, n)
    rootCache.set(n, root)
  }
  return root
}

const sizeAndIndex = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n - 1 })))
const twoSizes = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)))

describe('inclusion proofs (property)', () => {
  it('stored-node proofs equal the recursive RFC proofs, verify, and plan O(log n) nodes', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, async ([n, i]) => {
        const root = rootOf(n)
        expect(toHex(await rootAt(store, n))).toBe(toHex(root))
        const proof = await proveInclusion(store, i, n)
        expect(proof.map(toHex)).toEqual(referenceInclusionProof(allLeaves, i, n).map(toHex))
        expect(verifyInclusion(allLeaves[i]!, i, n, proof, root)).toEqual({ ok: true })
        expect(inclusionProofPlan(i, n).keys.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 1)
      }),
      { numRuns: 300 },
    )
  })

  it('rejects any tampered proof element, leaf, index, size or root', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), fc.nat(), ([n, i], bit, pick) => {
        const root = rootOf(n)
        const leaf = allLeaves[i]!
        const proof = store.inclusionProof(i, n)
        if (proof.length > 0) {
          const at = pick % proof.length
          const tampered = proof.map((p, j) => (j === at ? flipBit(p, bit) : p))
          expect(verifyInclusion(leaf, i, n, tampered, root).ok).toBe(false)
          expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root).ok).toBe(false)
          expect(verifyInclusion(leaf, i, n, proof.toSpliced(at, 1), root).ok).toBe(false)
        }
        expect(verifyInclusion(leaf, i, n, [...proof, root], root).ok).toBe(false)
        expect(verifyInclusion(flipBit(leaf, bit), i, n, proof, root).ok).toBe(false)
        expect(verifyInclusion(leaf, i, n, proof, flipBit(root, bit)).ok).toBe(false)
        // The proof binds the root, not the size (the signed checkpoint binds both): a wrong size is caught
        // whenever it implies another proof shape.
        const wrongSize = n + 1 + (pick % 50)
        if (inclusionProofPlan(i, wrongSize).elements.length !== proof.length) {
          expect(verifyInclusion(leaf, i, wrongSize, proof, root).ok).toBe(false)
        }
        if (n > 1) {
          const other = (i + 1 + (pick % (n - 1))) % n
          expect(verifyInclusion(leaf, other, n, proof, root).ok).toBe(false)
          expect(verifyInclusion(allLeaves[other]!, i, n, proof, root).ok).toBe(false)
        }
        if (i < n - 1 && inclusionProofPlan(i, n - 1).elements.length !== proof.length) {
          expect(verifyInclusion(leaf, i, n - 1, proof, root).ok).toBe(false)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('consistency proofs (property)', () => {
  it('stored-node proofs equal the recursive RFC proofs and verify', async () => {
    await fc.assert(
      fc.asyncProperty(twoSizes, async ([m, n]) => {
        const proof = await proveConsistency(store, m, n)
        expect(proof.map(toHex)).toEqual(referenceConsistencyProof(allLeaves, m, n).map(toHex))
        expect(verifyConsistency(m, n, rootOf(m), rootOf(n), proof)).toEqual({ ok: true })
        expect(consistencyProofPlan(m, n).keys.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 2)
      }),
      { numRuns: 300 },
    )
  })

  it('rejects any tampered proof element, root or size', () => {
    fc.assert(
      fc.property(twoSizes, fc.nat(), fc.nat(), ([m, n], bit, pick) => {
        const [r1, r2] = [rootOf(m), rootOf(n)]
        const proof = store.consistencyProof(m, n)
        if (proof.length > 0) {
          const at = pick % proof.length
          expect(
            verifyConsistency(
              m,
              n,
              r1,
              r2,
              proof.map((p, j) => (j === at ? flipBit(p, bit) : p)),
            ).ok,
          ).toBe(false)
          expect(verifyConsistency(m, n, r1, r2, proof.toSpliced(at, 1)).ok).toBe(false)
        }
        expect(verifyConsistency(m, n, r1, r2, [...proof, r2]).ok).toBe(false)
        expect(verifyConsistency(m, n, flipBit(r1, bit), r2, proof).ok).toBe(false)
        expect(verifyConsistency(m, n, r1, flipBit(r2, bit), proof).ok).toBe(false)
        if (m < n) {
          // a forked log: same old tree, one appended leaf replaced
          const forkedRoot = referenceRoot([...allLeaves.slice(0, n - 1), flipBit(allLeaves[n - 1]!, bit)])
          expect(verifyConsistency(m, n, r1, forkedRoot, proof).ok).toBe(false)
          // and a rewritten history: an old leaf replaced after the old checkpoint was published
          const j = pick % m
          const rewritten = allLeaves.slice(0, n).map((h, k) => (k === j ? flipBit(h, bit) : h))
          expect(verifyConsistency(m, n, r1, referenceRoot(rewritten), proof).ok).toBe(false)
          expect(
            verifyConsistency(m, n, r1, referenceRoot(rewritten), referenceConsistencyProof(rewritten, m)).ok,
          ).toBe(false)
          const other = 1 + ((m + (pick % (n - 1))) % (n - 1))
          if (other !== m) expect(verifyConsistency(other, n, rootOf(other), r2, proof).ok).toBe(false)
          if (n + 1 <= MAX) expect(verifyConsistency(m, n + 1, r1, rootOf(n + 1), proof).ok).toBe(false)
        }
      }),
      { numRuns: 150 },
    )
  })
})

describe('signed notes (property)', () => {
  const key = nodeKeyFromSeed('sluice.example/global', new Uint8Array(32).fill(1))
  const textLine = fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => !/[\u0000-\u001f]/.test(s) && !/\p{Cs}/u.test(s))

  it('signatures verify, and any change to text or signature, or the wrong key, is rejected', () => {
    fc.assert(
      fc.property(fc.array(textLine, { minLength: 1, maxLength: 4 }), fc.nat(), (lines, bit) => {
        const text = `${lines.join('\n')}\n`
        const note = signNote(text, key)
        expect(verifyNote(note, [key.vkey]).ok).toBe(true)
        // flip one bit of the signature's base64-decoded bytes
        const sigLine = note.slice(note.lastIndexOf('\u2014'))
        const b64 = sigLine.slice(sigLine.lastIndexOf(' ') + 1, -1)
        const raw = Buffer.from(b64, 'base64')
        const tamperedSig = Buffer.from(flipBit(raw, 32 + (bit % (64 * 8))))
        const badSig = note.replace(b64, tamperedSig.toString('base64'))
        expect(verifyNote(badSig, [key.vkey]).ok).toBe(false)
        const badText = `x${note}`
        expect(verifyNote(badText, [key.vkey]).ok).toBe(false)
        expect(verifyNote(note, [generateNodeKey('sluice.example/global').vkey]).ok).toBe(false)
      }),
      { numRuns: 100 },
    )
  })
})
