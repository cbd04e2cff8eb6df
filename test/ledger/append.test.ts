import { describe, expect, it } from 'vitest'
import {
  appendLeaves,
  frontierPlan,
  frontierRoot,
  LedgerError,
  MemoryNodeStore,
  nodeKeyId,
  referenceRoot,
  rootAt,
  toHex,
} from '../../src/ledger/index.js'
import { makeLeafHashes } from './helpers.js'

const leaves = makeLeafHashes(300)

describe('append path (frontier + stored nodes)', () => {
  it('matches the recursive RFC root for every size 1..300, one leaf at a time', async () => {
    const store = new MemoryNodeStore()
    let frontier: Uint8Array[] = []
    let size = 0
    for (let n = 1; n <= 300; n++) {
      const result = appendLeaves(frontier, size, [leaves[n - 1]!])
      store.putNodesSync(result.nodes)
      ;({ frontier, size } = result)
      const expected = toHex(referenceRoot(leaves.slice(0, n)))
      expect(result.size).toBe(n)
      expect(toHex(result.root)).toBe(expected)
      expect(toHex(frontierRoot(frontier))).toBe(expected)
      // and the frontier is exactly the stored frontier nodes, so an adapter can reload it
      const fetched = store.getNodesSync(frontierPlan(n))
      expect(frontierPlan(n).map((k) => toHex(fetched.get(nodeKeyId(k))!))).toEqual(frontier.map(toHex))
    }
    // every past root is still readable from the store
    for (let n = 0; n <= 300; n++) {
      expect(toHex(await rootAt(store, n))).toBe(toHex(referenceRoot(leaves.slice(0, n))))
    }
  })

  it('batch boundaries do not matter and every completed subtree is emitted exactly once', () => {
    for (const batch of [1, 2, 3, 7, 64, 100, 300]) {
      let frontier: Uint8Array[] = []
      let size = 0
      const emitted = new Map<string, string>()
      for (let at = 0; at < leaves.length; at += batch) {
        const result = appendLeaves(frontier, size, leaves.slice(at, at + batch))
        for (const node of result.nodes) {
          const id = nodeKeyId(node)
          expect(emitted.has(id)).toBe(false)
          emitted.set(id, toHex(node.hash))
        }
        ;({ frontier, size } = result)
      }
      expect(toHex(frontierRoot(frontier))).toBe(toHex(referenceRoot(leaves)))
      // node (l, i) is MTH of leaves [i·2^l, (i+1)·2^l); all complete subtrees of 300 leaves are there
      let expectedCount = 0
      for (let level = 0; 2 ** level <= 300; level++) {
        const width = 2 ** level
        for (let i = 0; (i + 1) * width <= 300; i++) {
          expectedCount++
          expect(emitted.get(`${level}/${i}`)).toBe(toHex(referenceRoot(leaves, i * width, (i + 1) * width)))
        }
      }
      expect(emitted.size).toBe(expectedCount)
    }
  })

  it('rejects a frontier that does not fit the size, and non-32-byte leaf hashes', () => {
    expect(() => appendLeaves([], 3, [leaves[0]!])).toThrow(LedgerError)
    expect(() => appendLeaves([], 0, [new Uint8Array(31)])).toThrow(/32 bytes/)
    expect(() => appendLeaves([], -1, [])).toThrow(LedgerError)
    expect(() => appendLeaves([], 0.5, [])).toThrow(LedgerError)
  })

  it('an empty append changes nothing', () => {
    const result = appendLeaves([], 0, [])
    expect(result).toMatchObject({ nodes: [], frontier: [], size: 0 })
    expect(toHex(result.root)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })
})

describe('MemoryNodeStore', () => {
  it('is append-only: same hash is a no-op, another hash or a gap is refused', () => {
    const store = new MemoryNodeStore()
    const [a, b] = leaves
    store.putNodesSync([{ level: 0, index: 0, hash: a! }])
    store.putNodesSync([{ level: 0, index: 0, hash: a! }])
    expect(() => store.putNodesSync([{ level: 0, index: 0, hash: b! }])).toThrow(
      expect.objectContaining({ code: 'conflicting_node' }),
    )
    expect(() => store.putNodesSync([{ level: 0, index: 2, hash: b! }])).toThrow(/gap/)
    expect(store.leafCount).toBe(1)
    expect(store.getNode(0, 1)).toBeUndefined()
  })

  it('reports a missing node when asked for a proof beyond what it holds', () => {
    const store = new MemoryNodeStore()
    store.putNodesSync(appendLeaves([], 0, leaves.slice(0, 5)).nodes)
    expect(() => store.inclusionProof(0, 9)).toThrow(expect.objectContaining({ code: 'missing_node' }))
  })

  it('grows its level buffers past the size hint', () => {
    const store = new MemoryNodeStore({ expectedLeaves: 4 })
    store.putNodesSync(appendLeaves([], 0, leaves).nodes)
    expect(store.leafCount).toBe(300)
    expect(toHex(store.rootAt(300))).toBe(toHex(referenceRoot(leaves)))
  })
})
