/**
 * Following the node's signing-key changes in the browser, from the key the analyst pinned. Without this,
 * every rotation would leave the page checking proofs against a key the node no longer signs with, and the
 * analyst would have to take the node's word for its new key, which is what pinning exists to avoid.
 */

import {
  fromBase64,
  leafHash,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  rootFromInclusion,
  type Step,
  signedBy,
  toHex,
} from './verify.js'

/** One key change as `GET /ledger/key` lists it in `changes`, oldest first. */
export interface KeyChange {
  index: number
  /** The `key` entry's canonical bytes, base64. */
  leaf: string
  /** The global checkpoint that first covers the entry, signed by the previous and the next key. */
  checkpoint: string
  proof: string[]
}

export interface FollowedKey {
  /** The pinned key, or the last key a followed change handed over to. */
  vkey: string
  /** One step per change followed, and the failed one where following stopped. */
  steps: Step[]
}

/** `name+hexid` of a verifier key: how the console names a key. */
export const keyName = (vkey: string) => vkey.split('+').slice(0, 2).join('+')

interface KeyEntry {
  previous: string
  next: string
  what: string
}

function keyEntry(leaf: Uint8Array): KeyEntry {
  const entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leaf)) as Record<string, unknown>
  if (entry.kind !== 'key') throw new Error(`the entry is a ${String(entry.kind)} entry, not a key change`)
  const { previous_vkey: previous, vkey: next, issuer, reason, recorded_at: at } = entry
  if (typeof previous !== 'string' || typeof next !== 'string') throw new Error('the entry names no keys')
  return { previous, next, what: `recorded ${String(at)} by ${String(issuer)}: ${String(reason)}` }
}

/** Why the change does not hand `entry.previous` over to `entry.next`, or undefined when it does. */
async function disproof(entry: KeyEntry, change: KeyChange, leaf: Uint8Array, origin: string) {
  const note = parseNote(change.checkpoint)
  if ((await signedBy(note, await parseVerifierKey(entry.previous))) !== 'valid')
    return `the checkpoint is not signed by the previous key ${keyName(entry.previous)}`
  if ((await signedBy(note, await parseVerifierKey(entry.next))) !== 'valid')
    return `the checkpoint is not signed by the next key ${keyName(entry.next)}`
  const checkpoint = parseCheckpoint(note.text)
  if (checkpoint.origin !== origin) return `the checkpoint is of ${checkpoint.origin}, not ${origin}`
  const root = await rootFromInclusion(
    await leafHash(leaf),
    change.index,
    checkpoint.size,
    change.proof.map(fromBase64),
  )
  if (typeof root === 'string') return `inclusion proof: ${root}`
  return toHex(root) === toHex(checkpoint.root)
    ? undefined
    : 'the entry is not in the log the checkpoint signs'
}

/**
 * Follows `changes` from `pinned`. A change is followed when it starts from the key trusted so far, its
 * checkpoint (of the global log, `globalOrigin`) is signed by both keys, and its entry is included under
 * that checkpoint. Changes before the first that starts from the pinned key are history the analyst's key
 * does not vouch for, and are passed over; after it, the changes must chain, and the first that fails stops.
 */
export async function followKeyChanges(
  pinned: string,
  globalOrigin: string,
  changes: readonly KeyChange[],
): Promise<FollowedKey> {
  let vkey = pinned
  let last = -1
  const steps: Step[] = []
  for (const change of changes) {
    const label = `Key change at global entry ${change.index}`
    const stop = (detail: string): FollowedKey => ({ vkey, steps: [...steps, { label, ok: false, detail }] })
    try {
      const leaf = fromBase64(change.leaf)
      const entry = keyEntry(leaf)
      if (entry.previous !== vkey) {
        if (steps.length === 0) continue
        return stop(`it starts from ${keyName(entry.previous)}, not from ${keyName(vkey)}`)
      }
      if (!Number.isSafeInteger(change.index) || change.index <= last)
        return stop('key changes must come in log order')
      const why = await disproof(entry, change, leaf, globalOrigin)
      if (why !== undefined) return stop(why)
      steps.push({
        label,
        ok: true,
        detail: `${keyName(entry.previous)} → ${keyName(entry.next)}, ${entry.what}; signed by both keys, in the global log`,
      })
      vkey = entry.next
      last = change.index
    } catch (error) {
      return stop(error instanceof Error ? error.message : String(error))
    }
  }
  return { vkey, steps }
}
