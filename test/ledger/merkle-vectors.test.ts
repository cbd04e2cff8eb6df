import { describe, expect, it } from 'vitest'
import {
  EMPTY_ROOT,
  leafHash,
  MemoryNodeStore,
  merkleRoot,
  merkleRootOfLeaves,
  nodeHash,
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
  sha256,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/index.js'
import { appendLeaves } from '../../src/ledger/tree.js'
import { hex, vectors } from './vectors.js'

const { tree, derived } = vectors
const leaves = tree.leaves.map(hex)
const leafHashes = leaves.map(leafHash)

function storeOf(count: number): MemoryNodeStore {
  const store = new MemoryNodeStore()
  store.putNodesSync(appendLeaves([], 0, leafHashes.slice(0, count)).nodes)
  return store
}

describe('hash vectors', () => {
  it.each(vectors.hashes.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const got =
      v.kind === 'empty'
        ? sha256(new Uint8Array(0))
        : v.kind === 'leaf'
          ? leafHash(hex(v.input!))
          : nodeHash(hex(v.left!), hex(v.right!))
    expect(toHex(got)).toBe(v.expected)
  })

  it('EMPTY_ROOT is SHA-256 of the empty string', () => {
    expect(toHex(EMPTY_ROOT)).toBe(tree.roots['0'])
  })
})

describe('reference tree', () => {
  it('leaf hashes', () => {
    expect(leafHashes.map(toHex)).toEqual(tree.leafHashes)
  })

  it.each(Object.entries(tree.roots))('root of the first %s leaves, three ways', (size, root) => {
    const n = Number(size)
    expect(toHex(merkleRootOfLeaves(leaves.slice(0, n)))).toBe(root)
    expect(toHex(referenceRoot(leafHashes.slice(0, n)))).toBe(root)
    expect(toHex(storeOf(8).rootAt(n))).toBe(root)
  })

  it('stored nodes are the complete subtrees of the vectors', () => {
    const store = storeOf(8)
    for (const [level, hashes] of Object.entries(tree.nodeHashes)) {
      expect(store.nodeCount(Number(level))).toBe(hashes.length)
      hashes.forEach((h, i) => {
        expect(toHex(store.getNode(Number(level), i)!)).toBe(h)
      })
    }
  })

  it('merkleRoot of nothing is the empty root', () => {
    expect(toHex(merkleRoot([]))).toBe(tree.roots['0'])
  })
})

describe('inclusion vectors', () => {
  it.each(vectors.inclusion.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    if (v.leafInput !== undefined) expect(toHex(leafHash(hex(v.leafInput)))).toBe(v.leafHash)
    const result = verifyInclusion(hex(v.leafHash), v.leafIndex, v.treeSize, v.proof.map(hex), hex(v.root))
    expect(result.ok, result.ok ? '' : result.reason).toBe(v.valid)
  })
})

// Policy cases where we deliberately differ from the vector's `valid` (the vector file says either is fine).
const OUR_POLICY: Record<string, { valid: boolean; why: string }> = {
  'tdm/consistency/additional/sizes-are-equal-one-and-proof-is-empty': {
    valid: false,
    why: 'the "roots" are 12 bytes; we reject every hash that is not 32 bytes',
  },
}

describe('consistency vectors', () => {
  it.each(vectors.consistency.map((v) => [v.id, v] as const))('%s', (id, v) => {
    const expected = OUR_POLICY[id]?.valid ?? v.valid
    if (OUR_POLICY[id]) expect(v.policy, 'an override must be a policy case').toBeDefined()
    const result = verifyConsistency(v.size1, v.size2, hex(v.root1), hex(v.root2), v.proof.map(hex))
    expect(result.ok, result.ok ? '' : result.reason).toBe(expected)
  })
})

describe('derived vectors: generation reproduces them, verification accepts them', () => {
  const store = storeOf(8)

  it.each(derived.inclusion.map((v) => [`${v.leafIndex}/${v.treeSize}`, v] as const))(
    'inclusion %s',
    (_id, v) => {
      expect(toHex(leafHashes[v.leafIndex]!)).toBe(v.leafHash)
      expect(toHex(store.rootAt(v.treeSize))).toBe(v.root)
      expect(referenceInclusionProof(leafHashes, v.leafIndex, v.treeSize).map(toHex)).toEqual(v.proof)
      expect(store.inclusionProof(v.leafIndex, v.treeSize).map(toHex)).toEqual(v.proof)
      expect(
        verifyInclusion(hex(v.leafHash), v.leafIndex, v.treeSize, v.proof.map(hex), hex(v.root)).ok,
      ).toBe(true)
    },
  )

  it.each(derived.consistency.map((v) => [`${v.size1}->${v.size2}`, v] as const))(
    'consistency %s',
    (_id, v) => {
      expect(toHex(store.rootAt(v.size1))).toBe(v.root1)
      expect(toHex(store.rootAt(v.size2))).toBe(v.root2)
      expect(referenceConsistencyProof(leafHashes, v.size1, v.size2).map(toHex)).toEqual(v.proof)
      expect(store.consistencyProof(v.size1, v.size2).map(toHex)).toEqual(v.proof)
      expect(verifyConsistency(v.size1, v.size2, hex(v.root1), hex(v.root2), v.proof.map(hex)).ok).toBe(true)
    },
  )

  describe('RFC 9162 §2.1.5 example (7 leaves)', () => {
    const ex = derived.rfc9162Example
    const label = (labels: string[]) => labels.map((l) => ex.nodes[l]!)
    const store7 = storeOf(7)

    it('root', () => {
      expect(toHex(store7.rootAt(7))).toBe(ex.root7)
      expect(toHex(nodeHash(hex(ex.nodes.k!), hex(ex.nodes.l!)))).toBe(ex.root7)
    })
    it.each(ex.inclusion.map((v) => [v.leafIndex, v] as const))('inclusion of leaf %s', (_i, v) => {
      expect(store7.inclusionProof(v.leafIndex, v.treeSize).map(toHex)).toEqual(label(v.labels))
    })
    it.each(ex.consistency.map((v) => [v.size1, v] as const))('consistency from %s', (_m, v) => {
      expect(store7.consistencyProof(v.size1, v.size2).map(toHex)).toEqual(label(v.labels))
    })
  })
})
