import { createHash } from 'node:crypto'
import { decodeEntry, entryObjectKey } from '../ledger/entry.js'
import { bytesEqual, leafHash, toHex } from '../ledger/hash.js'
import { GLOBAL_LOG } from '../ledger/log-id.js'
import { frontierRoot } from '../ledger/tree.js'
import { storedPolicyFacts } from '../policy/policy-view.js'
import type { StixObject } from '../stix/object.js'
import { clearIncomplete, markIncomplete } from './migration-mark.js'
import type { IncomingObject, LedgerAppend, Store, StoredVersion } from './types.js'

/**
 * Copies a whole node from one store to another through the `Store` interface
 * alone (never an adapter's tables), so any adapter can be the source or the
 * target; in practice SQLite to PostgreSQL.
 *
 * What is carried: API roots, collections, every object version in sequence
 * order with its exact JSON text (date_added is re-assigned by the target, in
 * the same order), principals with every API key (hash, role, revocation,
 * expiry, last use), grants, policy rows (without new ledger entries), every
 * ledger log leaf by leaf, checkpoints, named state and provenance.
 *
 * The ledger: an entry that belongs to two logs (a disclosure is in the global
 * log and in its partner's) is stored once per log. Each log is rebuilt on its
 * own by appending its leaves, in order, to that log only, so every log ends
 * with the same leaves, size and root as in the source; the roots are compared
 * at the end and a mismatch fails the migration.
 *
 * What cannot be carried through the interface: TAXII status resources (they
 * cannot be listed) and the node's random secrets (the pagination cursor key);
 * the summary says so.
 */

export class MigrationError extends Error {}

/** The copy was stopped by its caller (`signal`); the target stays marked incomplete. */
export class MigrationInterrupted extends MigrationError {}

export interface MigrationProgress {
  phase: string
  done: number
  total?: number
}

export interface MigratedLog {
  logId: string
  size: number
  /** Lowercase hex root, the same on both sides (checked). */
  root: string
}

export interface MigrationSummary {
  apiRoots: number
  collections: number
  objectVersions: number
  principals: number
  apiKeys: number
  grants: number
  policyRecords: number
  ledger: MigratedLog[]
  checkpoints: number
  state: number
  /** Named-state documents whose local sequence cursors were renumbered for the target. */
  cursorsRewritten: number
  provenance: number
  /** Ledger leaves that do not decode as entries; copied as they are, but not findable by object. */
  undecodableLeaves: number
}

export interface MigrationOptions {
  onProgress?: (progress: MigrationProgress) => void
  /** Object versions per target transaction (default 1,000). */
  batchSize?: number
  /** Stops the copy at its next step (e.g. on Ctrl-C) with a `MigrationInterrupted`. */
  signal?: AbortSignal
}

const LEDGER_CHUNK = 2000
const POLICY_CHUNK = 500
const ID_CHUNK = 500

/** Refuses any target that already holds something a node writes. */
export async function assertEmptyTarget(target: Store): Promise<void> {
  const found: string[] = []
  const count = (n: number, what: string) => {
    if (n > 0) found.push(`${n} ${what}`)
  }
  count((await target.listApiRoots()).length, 'API root(s)')
  count((await target.listCollections()).length, 'collection(s)')
  count((await target.listPrincipals()).length, 'principal(s)')
  count((await target.loadPolicy()).length, 'policy row(s)')
  count((await target.ledgerLogs()).length, 'ledger log(s)')
  count((await target.listState('')).length, 'named state document(s)')
  if (found.length > 0)
    throw new MigrationError(
      `the target is not empty (it holds ${found.join(', ')}); migrate only into a new, empty database`,
    )
}

/**
 * What would change if anyone wrote to the source while it is copied: compared
 * before and after, so a node left running fails the migration instead of
 * leaving a target that silently misses its last writes.
 */
async function sourceFingerprint(source: Store): Promise<string> {
  const collections = await source.listCollections()
  const counts = await Promise.all(collections.map((c) => source.countObjects(c.id)))
  return JSON.stringify({
    collections: collections.map((c, i) => [c.apiRoot, c.id, counts[i]]),
    ledger: await source.ledgerLogs(),
    policy: await source.policyVersion(),
    principals: (await source.listPrincipals()).map((p) => [p.id, p.revokedAt ?? null]),
    state: (await source.listState('')).length,
  })
}

/**
 * Source sequence numbers mapped to the target's, kept as runs where both rise
 * by one (a source without deletions is a single run).
 */
export class SequenceMap {
  readonly #src: number[] = []
  readonly #dst: number[] = []
  readonly #len: number[] = []

  add(source: number, target: number): void {
    const last = this.#src.length - 1
    if (
      last >= 0 &&
      source === this.#src[last]! + this.#len[last]! &&
      target === this.#dst[last]! + this.#len[last]!
    ) {
      this.#len[last]!++
      return
    }
    if (last >= 0 && source <= this.#src[last]! + this.#len[last]! - 1)
      throw new MigrationError(`source sequence numbers out of order at ${source}`)
    this.#src.push(source)
    this.#dst.push(target)
    this.#len.push(1)
  }

  /**
   * A cursor "everything up to source seq S" as a target cursor: the target seq of
   * the last copied version whose source seq is at most S (0 if none), so a reader
   * resuming from it neither skips nor repeats a version.
   */
  floor(source: number): number {
    let lo = 0
    let hi = this.#src.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (this.#src[mid]! <= source) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    if (found < 0) return 0
    const offset = Math.min(source - this.#src[found]!, this.#len[found]! - 1)
    return this.#dst[found]! + offset
  }
}

/**
 * Named-state documents that hold this node's own sequence numbers (federation
 * push cursors and held versions, revocation scan cursors). Sequence numbers are
 * the store's to assign, so they are renumbered; everything else is copied as is.
 */
export function remapStateCursors(
  name: string,
  value: string,
  map: SequenceMap,
): { value: string; changed: boolean } {
  if (!name.startsWith('federation/push-state/') && !name.startsWith('federation/revocation-cursor/'))
    return { value, changed: false }
  const doc = JSON.parse(value) as { afterSeq?: unknown; held?: unknown }
  if (typeof doc.afterSeq === 'number') doc.afterSeq = map.floor(doc.afterSeq)
  if (Array.isArray(doc.held))
    for (const item of doc.held as { seq?: unknown }[])
      if (typeof item.seq === 'number') item.seq = map.floor(item.seq)
  const next = JSON.stringify(doc)
  return { value: next, changed: next !== value }
}

/** The stored version as the target's `putObjects` takes it, with its exact JSON text. */
function toIncoming(v: StoredVersion): IncomingObject {
  const object = JSON.parse(v.json) as StixObject
  const modified = typeof object.modified === 'string' ? object.modified : undefined
  const created = typeof object.created === 'string' ? object.created : undefined
  if ((modified ?? created) !== v.version)
    throw new MigrationError(
      `object ${v.id} in collection ${v.collectionId}: stored version ${v.version} does not match its JSON`,
    )
  return {
    id: v.id,
    type: v.type,
    ...(modified !== undefined ? { modified } : {}),
    ...(created !== undefined ? { created } : {}),
    specVersion: v.specVersion,
    json: v.json,
    ...storedPolicyFacts(object),
  }
}

function digestVersion(hash: ReturnType<typeof createHash>, v: StoredVersion): void {
  hash.update(`${v.id}\n${v.version ?? ''}\n${v.specVersion}\n${Buffer.byteLength(v.json)}\n`)
  hash.update(v.json)
}

/** Every version of one collection in sequence order, page by page. */
async function* versionsOf(store: Store, collectionId: string, pageSize: number) {
  let afterSeq = 0
  for (;;) {
    const batch = await store.queryObjects({
      collectionId,
      afterSeq,
      versions: [{ kind: 'all' }],
      limit: pageSize,
    })
    yield* batch.items
    if (batch.items.length > 0) afterSeq = batch.items.at(-1)!.seq
    if (batch.exhausted || batch.items.length === 0) return
  }
}

interface Lane {
  collectionId: string
  iterator: AsyncGenerator<StoredVersion>
  head: StoredVersion | undefined
  digest: ReturnType<typeof createHash>
  count: number
}

/**
 * Copies every object version across collections in global sequence order: one
 * lane per collection, merged by seq, written in runs of one collection.
 */
async function copyObjects(
  source: Store,
  target: Store,
  collections: string[],
  batchSize: number,
  progress: (done: number) => void,
): Promise<{ map: SequenceMap; digests: Map<string, { sha256: string; count: number }>; ids: Set<string> }> {
  const map = new SequenceMap()
  const ids = new Set<string>()
  const lanes: Lane[] = []
  for (const collectionId of collections) {
    const iterator = versionsOf(source, collectionId, batchSize)
    const first = await iterator.next()
    lanes.push({
      collectionId,
      iterator,
      head: first.done ? undefined : first.value,
      digest: createHash('sha256'),
      count: 0,
    })
  }
  let pending: { collectionId: string; items: StoredVersion[] } | undefined
  let done = 0
  const flush = async () => {
    if (!pending || pending.items.length === 0) return
    const { collectionId, items } = pending
    pending = undefined
    const outcomes = await target.putObjects(collectionId, items.map(toIncoming))
    outcomes.forEach((outcome, i) => {
      const item = items[i]!
      if (outcome.result !== 'added')
        throw new MigrationError(
          `object ${item.id} (${item.version ?? 'no version'}) in collection ${collectionId} was ${outcome.result} on the target`,
        )
      map.add(item.seq, outcome.seq)
    })
    done += items.length
    progress(done)
  }
  for (;;) {
    let next: Lane | undefined
    for (const lane of lanes) if (lane.head && (!next || lane.head.seq < next.head!.seq)) next = lane
    if (!next) break
    const version = next.head!
    const step = await next.iterator.next()
    next.head = step.done ? undefined : step.value
    digestVersion(next.digest, version)
    next.count++
    ids.add(version.id)
    if (pending && (pending.collectionId !== next.collectionId || pending.items.length >= batchSize))
      await flush()
    pending ??= { collectionId: next.collectionId, items: [] }
    pending.items.push(version)
  }
  await flush()
  const digests = new Map(
    lanes.map((l) => [l.collectionId, { sha256: l.digest.digest('hex'), count: l.count }] as const),
  )
  return { map, digests, ids }
}

/** Rebuilds one log on the target from the source's leaves, appended to that log only. */
async function copyLog(
  source: Store,
  target: Store,
  logId: string,
  size: number,
  progress: (done: number) => void,
): Promise<number> {
  let undecodable = 0
  for (let start = 0; start < size; start += LEDGER_CHUNK) {
    const end = Math.min(size, start + LEDGER_CHUNK)
    const leaves = await source.ledgerLeaves(logId, start, end)
    if (leaves.length !== end - start || leaves.some((l, i) => l.index !== start + i))
      throw new MigrationError(`log ${logId}: the source is missing leaves between ${start} and ${end}`)
    const appends: LedgerAppend[] = leaves.map((leaf) => {
      const bytes = new Uint8Array(leaf.bytes)
      let objectKey: string | undefined
      try {
        objectKey = entryObjectKey(decodeEntry(bytes))
      } catch {
        undecodable++
      }
      return { bytes, leafHash: leafHash(bytes), logs: [logId], ...(objectKey ? { objectKey } : {}) }
    })
    const positions = await target.appendLedger(appends)
    positions.forEach((p, i) => {
      if (p.length !== 1 || p[0]!.logId !== logId || p[0]!.index !== start + i)
        throw new MigrationError(`log ${logId}: leaf ${start + i} landed at another position on the target`)
    })
    progress(end)
  }
  return undecodable
}

/**
 * Copies `source` into the empty `target` and verifies the copy: object
 * versions per collection (count and a digest of their exact text), every
 * log's size and root, policy rows, keys and checkpoints. Throws
 * `MigrationError` on the first discrepancy. The source must not change
 * meanwhile (stop the node); a change is detected and fails the migration.
 * The target is marked incomplete from the start until the copy has been
 * verified (migration-mark.ts): a copy that fails or is stopped stays marked.
 */
export async function migrateStore(
  source: Store,
  target: Store,
  options: MigrationOptions = {},
): Promise<MigrationSummary> {
  const progress = options.onProgress ?? (() => {})
  const stopIfAborted = () => {
    if (options.signal?.aborted) throw new MigrationInterrupted('the copy was interrupted')
  }
  // every step reports, so every step is where an interrupted copy stops
  const report = (p: MigrationProgress) => {
    stopIfAborted()
    progress(p)
  }
  const batchSize = options.batchSize ?? 1000
  await assertEmptyTarget(target)
  await markIncomplete(target)
  const before = await sourceFingerprint(source)

  report({ phase: 'api roots and collections', done: 0 })
  const apiRoots = await source.listApiRoots()
  for (const root of apiRoots) await target.ensureApiRoot(root)
  const collections = await source.listCollections()
  for (const c of collections) await target.createCollection(c)

  const counts = await Promise.all(collections.map((c) => source.countObjects(c.id)))
  const totalObjects = counts.reduce((a, b) => a + b, 0)
  report({ phase: 'object versions', done: 0, total: totalObjects })
  const { map, digests, ids } = await copyObjects(
    source,
    target,
    collections.map((c) => c.id),
    batchSize,
    (done) => report({ phase: 'object versions', done, total: totalObjects }),
  )

  report({ phase: 'principals and keys', done: 0 })
  let apiKeys = 0
  let grants = 0
  const principals = await source.listPrincipals()
  for (const p of principals) {
    const keys = await source.listApiKeys(p.id)
    if (keys.length === 0) throw new MigrationError(`principal ${p.id} has no API key to carry`)
    await target.createPrincipal(p, keys[0]!)
    for (const key of keys.slice(1)) await target.addApiKey(key)
    apiKeys += keys.length
    for (const g of await source.listGrants(p.id)) {
      await target.setGrant(g)
      grants++
    }
  }

  report({ phase: 'policy', done: 0 })
  const policy = await source.loadPolicy()
  for (let i = 0; i < policy.length; i += POLICY_CHUNK)
    await target.appendPolicy(policy.slice(i, i + POLICY_CHUNK), [])

  const logs = await source.ledgerLogs()
  const totalLeaves = logs.reduce((n, l) => n + l.size, 0)
  let leavesDone = 0
  let undecodableLeaves = 0
  for (const log of logs) {
    const base = leavesDone
    undecodableLeaves += await copyLog(source, target, log.logId, log.size, (done) =>
      report({ phase: 'ledger leaves', done: base + done, total: totalLeaves }),
    )
    leavesDone += log.size
  }

  report({ phase: 'checkpoints', done: 0 })
  // a checkpoint may name a log that has no entries yet (size 0)
  const checkpointLogs = new Set<string>([GLOBAL_LOG, ...logs.map((l) => l.logId)])
  for (const r of policy) if (r.kind === 'partner') checkpointLogs.add(`partner:${r.id}`)
  for (const p of principals) if (p.partnerId) checkpointLogs.add(`partner:${p.partnerId}`)
  let checkpoints = 0
  for (const logId of checkpointLogs) {
    const list = await source.listCheckpoints(logId, -1)
    for (const c of list.reverse()) await target.saveCheckpoint(c)
    checkpoints += list.length
  }

  report({ phase: 'named state', done: 0 })
  const state = await source.listState('')
  let cursorsRewritten = 0
  for (const s of state) {
    let value = s.value
    try {
      const remapped = remapStateCursors(s.name, s.value, map)
      value = remapped.value
      if (remapped.changed) cursorsRewritten++
    } catch (error) {
      if (error instanceof MigrationError) throw error
      throw new MigrationError(`named state ${s.name} is not the JSON document it should be`)
    }
    await target.putState(s.name, value)
  }

  report({ phase: 'provenance', done: 0 })
  let provenance = 0
  const idList = [...ids]
  for (let i = 0; i < idList.length; i += ID_CHUNK) {
    const records = await source.provenance(idList.slice(i, i + ID_CHUNK))
    if (records.length > 0) await target.addProvenance(records)
    provenance += records.length
  }

  report({ phase: 'verifying', done: 0 })
  const ledger = await verify(source, target, {
    collections,
    digests,
    logs,
    policy,
    checkpointLogs,
    batchSize,
  })
  if ((await sourceFingerprint(source)) !== before)
    throw new MigrationError(
      'the source changed while it was being copied (is the node still running?); stop it and migrate again into an empty database',
    )
  stopIfAborted()
  await clearIncomplete(target)
  return {
    apiRoots: apiRoots.length,
    collections: collections.length,
    objectVersions: totalObjects,
    principals: principals.length,
    apiKeys,
    grants,
    policyRecords: policy.length,
    ledger,
    checkpoints,
    state: state.length,
    cursorsRewritten,
    provenance,
    undecodableLeaves,
  }
}

async function verify(
  source: Store,
  target: Store,
  expected: {
    collections: { id: string }[]
    digests: Map<string, { sha256: string; count: number }>
    logs: { logId: string; size: number }[]
    policy: { kind: string; id: string; recordedAt: string; body: string }[]
    checkpointLogs: Set<string>
    batchSize: number
  },
): Promise<MigratedLog[]> {
  for (const c of expected.collections) {
    const digest = createHash('sha256')
    let count = 0
    for await (const v of versionsOf(target, c.id, expected.batchSize)) {
      digestVersion(digest, v)
      count++
    }
    const want = expected.digests.get(c.id)!
    if (count !== want.count || digest.digest('hex') !== want.sha256)
      throw new MigrationError(
        `collection ${c.id}: the target's object versions differ from the source's (${count} vs ${want.count})`,
      )
  }

  const targetLogs = new Map((await target.ledgerLogs()).map((l) => [l.logId, l.size]))
  if (targetLogs.size !== expected.logs.length)
    throw new MigrationError(
      `the target has ${targetLogs.size} ledger logs, the source ${expected.logs.length}`,
    )
  const ledger: MigratedLog[] = []
  for (const log of expected.logs) {
    const [from, to] = await Promise.all([source.ledgerHead(log.logId), target.ledgerHead(log.logId)])
    const sourceRoot = frontierRoot(from.frontier)
    const targetRoot = frontierRoot(to.frontier)
    if (to.size !== from.size || !bytesEqual(sourceRoot, targetRoot))
      throw new MigrationError(
        `ledger log ${log.logId}: the target's root ${toHex(targetRoot)} at size ${to.size} is not the source's ${toHex(sourceRoot)} at size ${from.size}`,
      )
    ledger.push({ logId: log.logId, size: to.size, root: toHex(targetRoot) })
  }

  const policy = await target.loadPolicy()
  if (JSON.stringify(policy) !== JSON.stringify(expected.policy))
    throw new MigrationError("the target's policy rows differ from the source's")

  for (const logId of expected.checkpointLogs) {
    const [a, b] = await Promise.all([source.listCheckpoints(logId, -1), target.listCheckpoints(logId, -1)])
    if (JSON.stringify(a) !== JSON.stringify(b))
      throw new MigrationError(`log ${logId}: the target's checkpoints differ from the source's`)
  }

  for (const p of await source.listPrincipals()) {
    const [a, b] = await Promise.all([source.listApiKeys(p.id), target.listApiKeys(p.id)])
    const same =
      a.length === b.length &&
      a.every(
        (k, i) =>
          k.keyId === b[i]!.keyId &&
          Buffer.from(k.secretHash).equals(Buffer.from(b[i]!.secretHash)) &&
          k.revokedAt === b[i]!.revokedAt &&
          k.expiresAt === b[i]!.expiresAt,
      )
    if (!same) throw new MigrationError(`principal ${p.id}: the target's API keys differ from the source's`)
  }
  return ledger
}
