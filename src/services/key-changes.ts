import { signCheckpoint } from '../ledger/checkpoint.js'
import { decodeEntry, type KeyEntry, keyChangeKey } from '../ledger/entry.js'
import type { KeyChangeEvidence } from '../ledger/key-change.js'
import { GLOBAL_LOG } from '../ledger/log-id.js'
import type { NodeSigningKey } from '../ledger/note-key.js'
import { frontierRoot } from '../ledger/tree.js'
import type { Store } from '../store/types.js'
import { type LedgerService, ledgerTime, NODE_KEY_STATE } from './ledger-service.js'

/** Named state listing the node's key changes, oldest first: `[{ index, size, checkpoint }]`. */
const KEY_CHANGES_STATE = 'node/key-changes'

interface RecordedChange {
  /** Index of the `key` entry in the global log. */
  index: number
  /** The global checkpoint that first covers it, signed by both keys, and its size. */
  checkpoint: string
  size: number
}

async function recordedChanges(store: Store): Promise<RecordedChange[]> {
  const text = await store.getState(KEY_CHANGES_STATE)
  return text === undefined ? [] : (JSON.parse(text) as RecordedChange[])
}

async function keyEntryAt(store: Store, index: number): Promise<KeyEntry | undefined> {
  const [leaf] = await store.ledgerLeaves(GLOBAL_LOG, index, index + 1)
  const entry = leaf === undefined ? undefined : decodeEntry(leaf.bytes)
  return entry?.kind === 'key' ? entry : undefined
}

/**
 * The index of this change's entry when a run cut short after appending it (found by the key it changes
 * to, after the last recorded change), so that running again records the change once.
 */
async function appendedEarlier(
  store: Store,
  current: NodeSigningKey,
  next: NodeSigningKey,
  after: number,
): Promise<number | undefined> {
  for (const leaf of await store.findLedgerLeaves(GLOBAL_LOG, keyChangeKey(next.vkey))) {
    const entry = decodeEntry(leaf.bytes)
    if (leaf.index > after && entry.kind === 'key' && entry.previousVkey === current.vkey) return leaf.index
  }
  // an entry appended before key changes were found by key: only recognised as the newest of the log
  const head = await store.ledgerHead(GLOBAL_LOG)
  const newest = head.size > 0 ? await keyEntryAt(store, head.size - 1) : undefined
  return newest?.vkey === next.vkey && newest.previousVkey === current.vkey ? head.size - 1 : undefined
}

/**
 * Changes the key the node signs with from `current` to `next`: a `key` entry in the global log, a global
 * checkpoint that covers it signed by both keys, then the record every process of the node signs by.
 *
 * Each step is kept before the next starts and each is found again on a second run, so a run cut short
 * anywhere is finished by running it again with the same `next` key, without a second entry.
 */
export async function changeSigningKey(
  ledger: LedgerService,
  current: NodeSigningKey,
  next: NodeSigningKey,
  change: { issuer: string; reason: string; at: Date },
): Promise<RecordedChange> {
  const { store } = ledger
  const changes = await recordedChanges(store)
  const done = changes.at(-1)
  if (done !== undefined && (await keyEntryAt(store, done.index))?.vkey === next.vkey) {
    await store.putState(NODE_KEY_STATE, next.vkey)
    return done
  }
  let index = await appendedEarlier(store, current, next, done?.index ?? -1)
  if (index === undefined) {
    const entry: KeyEntry = {
      kind: 'key',
      previousVkey: current.vkey,
      vkey: next.vkey,
      issuer: change.issuer,
      reason: change.reason,
      recordedAt: ledgerTime(change.at.toISOString()),
    }
    const [positions] = await ledger.append([entry])
    index = positions!.find((p) => p.logId === GLOBAL_LOG)!.index
  }
  const covering = await store.ledgerHead(GLOBAL_LOG)
  const checkpoint = signCheckpoint(
    {
      origin: ledger.originOf(GLOBAL_LOG),
      size: covering.size,
      rootHash: frontierRoot(covering.frontier),
      extensions: [],
    },
    [current, next],
  )
  await store.saveCheckpoint({
    logId: GLOBAL_LOG,
    size: covering.size,
    note: checkpoint,
    createdAt: change.at.toISOString(),
  })
  const recorded: RecordedChange = { index, checkpoint, size: covering.size }
  await store.putState(KEY_CHANGES_STATE, JSON.stringify([...changes, recorded]))
  await store.putState(NODE_KEY_STATE, next.vkey)
  return recorded
}

/** How many times the node's key changed, and the last change's entry: what `sluice status` shows. */
export async function keyChangeSummary(store: Store): Promise<{ count: number; last?: KeyEntry }> {
  const changes = await recordedChanges(store)
  const last = changes.at(-1)
  const entry = last === undefined ? undefined : await keyEntryAt(store, last.index)
  return { count: changes.length, ...(entry ? { last: entry } : {}) }
}

/** The node's key changes with their inclusion proofs, oldest first: what a recipient follows. */
export async function keyChangeEvidence(ledger: LedgerService): Promise<KeyChangeEvidence[]> {
  const out: KeyChangeEvidence[] = []
  for (const { index, checkpoint, size } of await recordedChanges(ledger.store)) {
    const [leaf] = await ledger.store.ledgerLeaves(GLOBAL_LOG, index, index + 1)
    const proof = await ledger.proveInclusion(GLOBAL_LOG, index, size)
    out.push({ index, leaf: leaf!.bytes, checkpoint, proof })
  }
  return out
}
