import { leafHash } from '../ledger/hash.js'
import { appendLeaves } from '../ledger/tree.js'
import type { LedgerAppend, LedgerHead, LedgerPosition } from './types.js'

/** Rows an adapter writes for one ledger append: the same for every SQL backend. */
export interface LedgerWritePlan {
  leaves: { logId: string; index: number; bytes: Uint8Array; objectKey: string | null }[]
  nodes: { logId: string; level: number; index: number; hash: Uint8Array }[]
  heads: LedgerHead[]
  positions: LedgerPosition[][]
}

/**
 * Plans an append across logs given their current heads. Pure: the adapter
 * loads the heads and writes the plan inside one transaction. Level-0 nodes
 * (leaf hashes) are not planned: adapters recompute them from the stored leaf
 * bytes on read (`leafNodes`), which saves a row per entry per log.
 */
export function planLedgerAppend(
  heads: ReadonlyMap<string, LedgerHead>,
  entries: readonly LedgerAppend[],
): LedgerWritePlan {
  const byLog = new Map<string, { hashes: Uint8Array[]; items: { entry: LedgerAppend; slot: number }[] }>()
  const positions: LedgerPosition[][] = entries.map(() => [])
  entries.forEach((entry, slot) => {
    for (const logId of entry.logs) {
      let group = byLog.get(logId)
      if (!group) {
        group = { hashes: [], items: [] }
        byLog.set(logId, group)
      }
      group.hashes.push(entry.leafHash)
      group.items.push({ entry, slot })
    }
  })
  const plan: LedgerWritePlan = { leaves: [], nodes: [], heads: [], positions }
  for (const [logId, group] of byLog) {
    const head = heads.get(logId) ?? { logId, size: 0, frontier: [] }
    const result = appendLeaves(head.frontier, head.size, group.hashes)
    group.items.forEach(({ entry, slot }, i) => {
      const index = head.size + i
      plan.leaves.push({ logId, index, bytes: entry.bytes, objectKey: entry.objectKey ?? null })
      positions[slot]!.push({ logId, index })
    })
    for (const node of result.nodes)
      if (node.level > 0) plan.nodes.push({ logId, level: node.level, index: node.index, hash: node.hash })
    plan.heads.push({ logId, size: result.size, frontier: result.frontier })
  }
  return plan
}

/** Frontier hashes packed into one blob (32 bytes each) for storage. */
export function packFrontier(frontier: readonly Uint8Array[]): Buffer {
  return Buffer.concat(frontier.map((h) => Buffer.from(h)))
}

export function unpackFrontier(blob: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < blob.length; i += 32) out.push(blob.subarray(i, i + 32))
  return out
}

/** The level-0 nodes among `keys`, as leaf hashes of the stored leaves, keyed `0/index`. */
export function leafNodes(leaves: readonly { index: number; bytes: Uint8Array }[]): Map<string, Uint8Array> {
  return new Map(leaves.map((l) => [`0/${l.index}`, leafHash(l.bytes)]))
}
