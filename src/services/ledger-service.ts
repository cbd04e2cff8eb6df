import { type Checkpoint, signCheckpoint } from '../ledger/checkpoint.js'
import {
  type DisclosureEntry,
  disclosureKey,
  type Entry,
  encodeEntries,
  entryObjectKey,
} from '../ledger/entry.js'
import { leafHash, sha256Hex } from '../ledger/hash.js'
import { keyName } from '../ledger/key-change.js'
import { GLOBAL_LOG, type LogId, logOrigin, logsForEntry } from '../ledger/log-id.js'
import { parseNote } from '../ledger/note.js'
import type { NodeSigningKey } from '../ledger/note-key.js'
import { proveConsistency, proveInclusion } from '../ledger/proof.js'
import { frontierRoot } from '../ledger/tree.js'
import { formatMicros, toMicros, versionKey } from '../store/time.js'
import type {
  CheckpointRecord,
  LedgerAppend,
  LedgerLeaf,
  LedgerPosition,
  StateDocument,
  StateExpectation,
  Store,
} from '../store/types.js'
import type { LedgerWriter } from './ledger-writer.js'

/** Ledger entries carry times with exactly six fractional digits; any RFC 3339 UTC instant converts. */
export function ledgerTime(instant: string): string {
  const micros = toMicros(instant)
  if (micros === undefined) throw new Error(`not an RFC 3339 UTC instant: ${instant}`)
  return formatMicros(micros)
}

/**
 * The texts that may record the version `modified` names. Entries key a version by its `modified` exactly as
 * served, and STIX allows any sub-second precision: the stored texts of the same instant, and (for a version
 * deleted since) the usual precisions of it.
 */
export function sameInstant(modified: string | null, stored: readonly (string | null)[]): (string | null)[] {
  const key = modified === null ? undefined : versionKey(modified)
  if (key === undefined) return [modified]
  const written = stored.filter((s) => s !== null && versionKey(s) === key)
  return [...new Set([modified, ...written, ...precisions(key)])]
}

/** An instant (`versionKey` form) with 0, 3, 6 and 9 fractional digits, where that loses nothing. */
function precisions(key: string): string[] {
  const [seconds, fraction] = [key.slice(0, 19), key.slice(20, 29)]
  return [0, 3, 6, 9]
    .filter((digits) => /^0*$/.test(fraction.slice(digits)))
    .map((digits) => (digits === 0 ? `${seconds}Z` : `${seconds}.${fraction.slice(0, digits)}Z`))
}

/** The entry as the store appends it: canonical bytes, leaf hash, the logs it belongs to. */
export function toLedgerAppend(entry: Entry): LedgerAppend {
  return toLedgerAppends([entry])[0]!
}

/** `toLedgerAppend` for a batch, encoded together (`encodeEntries`): before any write transaction opens. */
export function toLedgerAppends(entries: readonly Entry[]): LedgerAppend[] {
  const encoded = encodeEntries(entries)
  // a batch is mostly one partner's disclosures: one list of logs for all of them
  const logsByPartner = new Map<string, string[]>()
  return entries.map((entry, i) => {
    const bytes = encoded[i]!
    // no partner id is empty (log-id.ts), so '' stands for the global log alone
    const partner = entry.kind === 'key' ? '' : entry.partnerId
    let logs = logsByPartner.get(partner)
    if (logs === undefined) {
      logs = logsForEntry(entry)
      logsByPartner.set(partner, logs)
    }
    const objectKey = entryObjectKey(entry)
    return objectKey === undefined
      ? { bytes, leafHash: leafHash(bytes), logs }
      : { bytes, leafHash: leafHash(bytes), logs, objectKey }
  })
}

/** One version served to a partner, as its disclosure entry needs it. */
export interface DisclosedVersion {
  /** The exact text served. */
  json: string
  collectionId: string
  objectId: string
  objectModified: string | null
  /** The agreement that allowed it. */
  agreementId: string
}

/** The versions served to a partner in one request. */
export interface DisclosureBatch {
  partnerId: string
  /** RFC 3339 UTC with microseconds. */
  disclosedAt: string
  requestId: string
  versions: DisclosedVersion[]
  /**
   * The versions' texts joined by commas, for a caller that builds its response from that string too (see
   * `joinedJson`); asked for only when the batch goes to the ledger writer.
   */
  joined?: () => string
}

/** Whether one of the note's signature lines is by `key` (the signature itself was checked when it was made). */
function signedBy(note: string, key: NodeSigningKey): boolean {
  return parseNote(note).signatures.some((s) => s.name === key.name && s.keyId === key.keyId)
}

/** The ledger entries for a batch: each version hashed exactly as served. */
export function disclosureEntries(batch: DisclosureBatch): DisclosureEntry[] {
  const { partnerId, disclosedAt, requestId } = batch
  return batch.versions.map((v) => ({
    kind: 'disclosure',
    partnerId,
    collectionId: v.collectionId,
    objectId: v.objectId,
    objectModified: v.objectModified,
    contentSha256: sha256Hex(v.json),
    disclosedAt,
    agreementId: v.agreementId,
    requestId,
  }))
}

/** Named state holding the verifier key (public) of the key the node signs with now. */
export const NODE_KEY_STATE = 'node/signing-key'

/** Batches at least this large go to the ledger writer's thread, when there is one. */
export const WRITER_MIN_BATCH = 64

/**
 * The node's view of its ledger: appends, signed checkpoints and proofs over
 * whatever store holds the tree.
 */
export class LedgerService {
  #key: NodeSigningKey

  constructor(
    readonly store: Store,
    key: NodeSigningKey,
    readonly origin: string,
    /** Appends large disclosure batches off the event loop (see ledger-writer.ts); none: all here. */
    readonly writer?: LedgerWriter,
    /** Reads the node's key again, once another process changed it (`sluice ledger rotate-key`). */
    readonly reloadKey?: () => Promise<NodeSigningKey>,
  ) {
    this.#key = key
  }

  /** The key this process last signed with; sign with `signingKey()`, which notices a key change. */
  get key(): NodeSigningKey {
    return this.#key
  }

  /**
   * The key the node signs with now. The store records it, so a key changed by another process is taken up
   * on the next signature, and a process that cannot load the new key refuses to sign with the old one.
   */
  async signingKey(): Promise<NodeSigningKey> {
    const recorded = await this.store.getState(NODE_KEY_STATE)
    if (recorded === undefined || recorded === this.#key.vkey) return this.#key
    const reloaded = await this.reloadKey?.()
    // a fault of the node, not of the request: logged, and answered as an internal error
    if (reloaded?.vkey !== recorded)
      throw new Error(
        `the node's signing key changed to ${keyName(recorded)}, which this process cannot load; restart it`,
      )
    this.#key = reloaded
    return reloaded
  }

  append(entries: Entry[]): Promise<LedgerPosition[][]> {
    return this.store.appendLedger(toLedgerAppends(entries))
  }

  /** `Store.appendLedgerWithStates`: the entries and the state change they record, together or not at all. */
  appendWithStates(
    entries: Entry[],
    documents: readonly StateDocument[],
    expect?: StateExpectation,
  ): Promise<LedgerPosition[][] | undefined> {
    return this.store.appendLedgerWithStates(toLedgerAppends(entries), documents, expect)
  }

  /** Records what one request served to a partner; resolves once the entries are durable. */
  appendDisclosures(batch: DisclosureBatch): Promise<LedgerPosition[][]> {
    if (this.writer && batch.versions.length >= WRITER_MIN_BATCH) return this.writer.append(batch)
    return this.append(disclosureEntries(batch))
  }

  originOf(logId: string): string {
    return logOrigin(this.origin, logId as LogId)
  }

  /** Signs a checkpoint of the log as it stands now and keeps it. */
  async checkpoint(logId: string = GLOBAL_LOG): Promise<CheckpointRecord> {
    return this.#checkpointWith(logId, await this.signingKey())
  }

  async #checkpointWith(logId: string, key: NodeSigningKey): Promise<CheckpointRecord> {
    const head = await this.store.ledgerHead(logId)
    const checkpoint: Checkpoint = {
      origin: this.originOf(logId),
      size: head.size,
      rootHash: frontierRoot(head.frontier),
      extensions: [],
    }
    const record: CheckpointRecord = {
      logId,
      size: head.size,
      note: signCheckpoint(checkpoint, key),
      createdAt: new Date().toISOString(),
    }
    await this.store.saveCheckpoint(record)
    return record
  }

  /**
   * The newest checkpoint at the current size, signing a new one if the log has grown since or the newest
   * is not signed by the node's current key (a partner's log that has not grown since a key change).
   */
  async latestCheckpoint(logId: string = GLOBAL_LOG): Promise<CheckpointRecord> {
    const [latest] = await this.store.listCheckpoints(logId, 1)
    const head = await this.store.ledgerHead(logId)
    const key = await this.signingKey()
    if (latest && latest.size === head.size && signedBy(latest.note, key)) return latest
    return this.#checkpointWith(logId, key)
  }

  /**
   * The log's leaves recording disclosures of `objectId`: of the version modified at the instant `modified`
   * (in any precision; null: an object without one), or, when it is undefined, of any version the node
   * stores. The store finds leaves by (object, modified) only, so a version deleted since it was disclosed is
   * found only by naming it.
   */
  async findDisclosures(logId: string, objectId: string, modified?: string | null): Promise<LedgerLeaf[]> {
    const stored = await this.storedModifieds(objectId)
    return this.findDisclosuresOf(
      logId,
      objectId,
      modified === undefined ? stored : sameInstant(modified, stored),
    )
  }

  /** `findDisclosures` of the given versions (e.g. `storedModifieds`, read once for many logs). */
  async findDisclosuresOf(
    logId: string,
    objectId: string,
    versions: readonly (string | null)[],
  ): Promise<LedgerLeaf[]> {
    const leaves: LedgerLeaf[] = []
    for (const version of versions)
      leaves.push(...(await this.store.findLedgerLeaves(logId, disclosureKey(objectId, version))))
    return leaves.sort((a, b) => a.index - b.index)
  }

  /**
   * Every `modified` of the object in any collection, and null, which stands for "has none": what
   * `findDisclosures` looks up, given once when asking about many logs.
   */
  async storedModifieds(objectId: string): Promise<(string | null)[]> {
    const modifieds = new Set<string | null>([null])
    for (const { collectionId } of await this.store.latestVersions([objectId])) {
      const { items } = await this.store.queryObjects({
        collectionId,
        ids: [objectId],
        versions: [{ kind: 'all' }],
        gateFacts: true,
        limit: 10_000,
      })
      for (const version of items) modifieds.add(version.gate?.modified ?? null)
    }
    return [...modifieds]
  }

  #reader(logId: string) {
    return {
      getNodes: (keys: readonly { level: number; index: number }[]) => this.store.ledgerNodes(logId, keys),
    }
  }

  proveInclusion(logId: string, index: number, size: number): Promise<Uint8Array[]> {
    return proveInclusion(this.#reader(logId), index, size)
  }

  proveConsistency(logId: string, from: number, to: number): Promise<Uint8Array[]> {
    return proveConsistency(this.#reader(logId), from, to)
  }
}
