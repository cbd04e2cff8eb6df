import { bytesEqual, leafHash, toHex } from '../ledger/hash.js'
import { appendLeaves, frontierPlan, frontierRoot } from '../ledger/tree.js'
import type { Store } from '../store/types.js'

export interface LogAudit {
  logId: string
  size: number
  /** Root recomputed from the stored leaves. */
  root: string
  /** Root of the stored head (its frontier). */
  storedRoot: string
  ok: boolean
  problems: string[]
}

const CHUNK = 5000

/**
 * Recomputes a log's root from its stored leaves and compares it with the
 * stored head and with the stored frontier nodes proofs are built from.
 * Reads every leaf once, in chunks.
 */
export async function auditLog(store: Store, logId: string): Promise<LogAudit> {
  const head = await store.ledgerHead(logId)
  const problems: string[] = []
  let frontier: Uint8Array[] = []
  let size = 0
  while (size < head.size) {
    const leaves = await store.ledgerLeaves(logId, size, Math.min(size + CHUNK, head.size))
    if (leaves.length === 0 || leaves[0]!.index !== size) {
      problems.push(`leaf ${size} is missing`)
      break
    }
    const contiguous = leaves.filter((l, i) => l.index === size + i)
    if (contiguous.length !== leaves.length)
      problems.push(`leaves after ${size + contiguous.length - 1} are not contiguous`)
    const next = appendLeaves(
      frontier,
      size,
      contiguous.map((l) => leafHash(l.bytes)),
    )
    frontier = next.frontier
    size = next.size
    if (contiguous.length !== leaves.length) break
  }
  const root = frontierRoot(frontier)
  const storedRoot = frontierRoot(head.frontier)
  if (size !== head.size) problems.push(`the head says ${head.size} leaves, ${size} were read`)
  if (!bytesEqual(root, storedRoot))
    problems.push('the root recomputed from the leaves differs from the stored head')
  if (problems.length === 0 && head.size > 0) {
    const plan = frontierPlan(head.size)
    const nodes = await store.ledgerNodes(logId, plan)
    plan.forEach((k, i) => {
      const node = nodes.get(`${k.level}/${k.index}`)
      if (!node || !bytesEqual(node, frontier[i]!))
        problems.push(`stored node ${k.level}/${k.index} is missing or differs`)
    })
  }
  return {
    logId,
    size: head.size,
    root: toHex(root),
    storedRoot: toHex(storedRoot),
    ok: problems.length === 0,
    problems,
  }
}

/** Audits every log the store holds. */
export async function auditLedger(store: Store): Promise<LogAudit[]> {
  const out: LogAudit[] = []
  for (const { logId } of await store.ledgerLogs()) out.push(await auditLog(store, logId))
  return out
}
