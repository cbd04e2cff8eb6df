import { type Checkpoint, openCheckpoint } from './checkpoint.js'
import { decodeEntry, type KeyEntry } from './entry.js'
import { LedgerError } from './errors.js'
import { fromBase64Strict, leafHash, toBase64 } from './hash.js'
import { GLOBAL_LOG, logOrigin } from './log-id.js'
import type { ReportRow } from './recipient.js'
import { verifyInclusion } from './verify.js'

/*
 * A node that changes its signing key appends a `key` entry to its global log and signs the checkpoint that
 * first covers it with both keys. A recipient that trusts the previous key can then trust the next one
 * without being told out of band: the previous key vouches for the change, the next key shows it is held,
 * and the inclusion proof ties the change to a place in the append-only log that every later checkpoint
 * extends. Pure: no clock, no I/O.
 */

/** What a node serves for one key change (`GET /ledger/key`): nothing in it is trusted until followed. */
export interface KeyChangeEvidence {
  /** Index of the `key` entry in the global log. */
  readonly index: number
  /** The entry's canonical bytes. */
  readonly leaf: Uint8Array
  /** The global checkpoint that first covers the entry, signed by the previous and the next key. */
  readonly checkpoint: string
  /** Inclusion proof of the entry in that checkpoint. */
  readonly proof: readonly Uint8Array[]
}

/** The result of following a node's key changes from the keys a recipient trusts. */
export interface FollowedKeys {
  /** The keys trusted afterwards: the given ones and every key a followed change vouched for. */
  readonly keys: readonly string[]
  /**
   * The key the node signs with now, when its last change was followed or its key was given; undefined when
   * the node never changed its key. A current checkpoint must verify under this key alone.
   */
  readonly current?: string
  /** One row per change, for the recipient's report. */
  readonly rows: readonly ReportRow[]
}

/**
 * The origin of the global log of the node whose verifier key this is: a node's key is named after its
 * origin, and its key changes are checkpointed in its global log only. Undefined for a name no origin has.
 */
export function globalOriginOfKey(vkey: string): string | undefined {
  return globalOriginOf(vkey.split('+')[0]!)
}

/** The origin of the global log of the node named `nodeOrigin`; undefined for a name no origin has. */
export function globalOriginOf(nodeOrigin: string): string | undefined {
  try {
    return logOrigin(nodeOrigin, GLOBAL_LOG)
  } catch (error) {
    if (error instanceof LedgerError) return undefined
    throw error
  }
}

/** `name+hexid` of a verifier key, as reports name keys. */
export const keyName = (vkey: string): string => vkey.split('+').slice(0, 2).join('+')

/**
 * Follows the node's key changes, oldest first, from the keys the recipient trusts. A change is followed
 * when its previous key is trusted, its checkpoint verifies under both keys and includes the entry; a change
 * to a key the recipient already trusts needs no vouching, but its record must still hold. Changes must
 * chain (each starts from the key the one before it ended with); following stops at the first that fails.
 */
export function followKeyChanges(
  trusted: readonly string[],
  changes: readonly KeyChangeEvidence[],
  expectedOrigin?: string,
): FollowedKeys {
  const keys = [...trusted]
  const rows: ReportRow[] = []
  let previous: KeyEntry | undefined
  let lastIndex = -1
  for (const change of changes) {
    const item = `key change at global entry ${change.index}`
    // what was followed before stays followed: each change is evidence on its own
    const fail = (reason: string): FollowedKeys => ({
      keys,
      rows: [...rows, { item, status: 'failed', reason }],
    })
    const entry = keyEntryOf(change.leaf)
    if (typeof entry === 'string') return fail(entry)
    if (!Number.isSafeInteger(change.index) || change.index <= lastIndex)
      return fail('key changes must come in log order')
    if (previous !== undefined && entry.previousVkey !== previous.vkey)
      return fail(`the change starts from ${keyName(entry.previousVkey)}, not ${keyName(previous.vkey)}`)
    const byNext = openCheckpoint(change.checkpoint, [entry.vkey], expectedOrigin)
    if (!byNext.ok) return fail(`not signed by the next key ${keyName(entry.vkey)}: ${byNext.reason}`)
    const vouched = keys.includes(entry.previousVkey)
    if (vouched) {
      const byPrevious = openCheckpoint(change.checkpoint, [entry.previousVkey], expectedOrigin)
      if (!byPrevious.ok)
        return fail(`not signed by the previous key ${keyName(entry.previousVkey)}: ${byPrevious.reason}`)
    }
    const included = inclusion(byNext.checkpoint, change)
    if (included !== undefined) return fail(included)
    previous = entry
    lastIndex = change.index
    const what = `${keyName(entry.previousVkey)} → ${keyName(entry.vkey)}, recorded ${entry.recordedAt} by ${entry.issuer}: ${entry.reason}`
    if (vouched || keys.includes(entry.vkey)) {
      if (!keys.includes(entry.vkey)) keys.push(entry.vkey)
      rows.push({
        item,
        status: 'proven',
        reason: `${what}; ${vouched ? 'signed by both keys' : 'you gave the next key'}, in the log at size ${byNext.checkpoint.size}`,
      })
    } else {
      rows.push({ item, status: 'unproven', reason: `${what}; you gave neither key` })
    }
  }
  const last = previous?.vkey
  return { keys, rows, ...(last !== undefined && keys.includes(last) ? { current: last } : {}) }
}

function keyEntryOf(leaf: Uint8Array): KeyEntry | string {
  try {
    const entry = decodeEntry(leaf)
    return entry.kind === 'key' ? entry : `the entry is a ${entry.kind} entry, not a key change`
  } catch (error) {
    if (error instanceof LedgerError) return `entry rejected: ${error.message}`
    throw error
  }
}

function inclusion(checkpoint: Checkpoint, change: KeyChangeEvidence): string | undefined {
  if (change.index >= checkpoint.size)
    return `entry ${change.index} is beyond the checkpoint's size ${checkpoint.size}`
  const result = verifyInclusion(
    leafHash(change.leaf),
    change.index,
    checkpoint.size,
    change.proof,
    checkpoint.rootHash,
  )
  return result.ok ? undefined : `inclusion proof fails: ${result.reason}`
}

/** Key changes as a node serves them (`changes` of `GET /ledger/key`); undefined for anything malformed. */
export function parseKeyChanges(value: unknown): KeyChangeEvidence[] | undefined {
  if (!Array.isArray(value)) return undefined
  const out: KeyChangeEvidence[] = []
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined
    const { index, leaf, checkpoint, proof } = item as Record<string, unknown>
    const bytes = typeof leaf === 'string' ? fromBase64Strict(leaf) : null
    const hashes = Array.isArray(proof)
      ? proof.map((p) => (typeof p === 'string' ? fromBase64Strict(p) : null))
      : [null]
    if (!Number.isSafeInteger(index) || bytes === null || typeof checkpoint !== 'string') return undefined
    if (hashes.some((h) => h === null)) return undefined
    out.push({ index: index as number, leaf: bytes, checkpoint, proof: hashes as Uint8Array[] })
  }
  return out
}

/**
 * Follows the `changes` a node answered (`GET /ledger/key`, or an acknowledgement's `key_changes`) from the
 * trusted keys. Absent, the node never changed its key; malformed, that is a failed row, not a crash.
 */
export function followAnsweredChanges(
  trusted: readonly string[],
  changes: unknown,
  expectedOrigin?: string,
): FollowedKeys {
  const evidence = changes === undefined ? [] : parseKeyChanges(changes)
  if (evidence === undefined)
    return {
      keys: [...trusted],
      rows: [{ item: 'key changes', status: 'failed', reason: 'the node answered malformed key changes' }],
    }
  return followKeyChanges(trusted, evidence, expectedOrigin)
}

/** The JSON form of key changes, as `parseKeyChanges` reads it. */
export function keyChangesJson(changes: readonly KeyChangeEvidence[]): Record<string, unknown>[] {
  return changes.map((c) => ({
    index: c.index,
    leaf: toBase64(c.leaf),
    checkpoint: c.checkpoint,
    proof: c.proof.map(toBase64),
  }))
}
