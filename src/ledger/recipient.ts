import { type Checkpoint, type CheckpointVerification, openCheckpoint } from './checkpoint.js'
import { type DisclosureEntry, decodeEntry, type Entry, encodeEntry } from './entry.js'
import { LedgerError } from './errors.js'
import { bytesEqual, EMPTY_ROOT, leafHash, sha256, toBase64, toHex } from './hash.js'
import { type NoteSigner, parseNote } from './note.js'
import { type NoteVerifier, parseVerifierKey } from './note-key.js'
import { verifyConsistency, verifyInclusion } from './verify.js'

// What a recipient (a partner, an auditor) runs on what it was given: the node's verifier key, signed
// checkpoints, proofs and its own copies of the data. Pure: no clock, no I/O, no trust in the node.

/** One line of a verification report. */
export interface ReportRow {
  readonly item: string
  readonly status: 'proven' | 'failed' | 'unproven'
  readonly reason: string
}

/** A report in one line: how many of its items are proven, unproven and failed. */
export function reportSummary(rows: readonly ReportRow[]): string {
  const count = (status: ReportRow['status']) => rows.filter((r) => r.status === status).length
  return `${count('proven')} proven, ${count('unproven')} unproven, ${count('failed')} failed`
}

/** Whether a newer checkpoint extends an older one. */
export type ExtensionVerdict =
  | {
      readonly status: 'consistent'
      readonly reason: string
      readonly old: Checkpoint
      readonly new: Checkpoint
    }
  | { readonly status: 'forked'; readonly reason: string; readonly old: Checkpoint; readonly new: Checkpoint }
  | { readonly status: 'invalid'; readonly reason: string }

/** Verifier keys as accepted by the recipient functions: one or several vkeys or parsed verifiers. */
export type VerifierKeys = string | NoteVerifier | readonly (string | NoteVerifier)[]

const keyList = (keys: VerifierKeys): readonly (string | NoteVerifier)[] =>
  Array.isArray(keys) ? (keys as readonly (string | NoteVerifier)[]) : [keys as string | NoteVerifier]

const short = (hash: Uint8Array): string => toBase64(hash).slice(0, 12)

/**
 * `openCheckpoint`, naming the key that signed a checkpoint none of the given keys signed: a recipient
 * holding another node's key, or an old one, learns which key the checkpoint needs.
 */
export function openCheckpointWith(
  note: string | Uint8Array,
  keys: VerifierKeys,
  expectedOrigin?: string,
): CheckpointVerification {
  const opened = openCheckpoint(note, keyList(keys), expectedOrigin)
  if (opened.ok) return opened
  return { ok: false, reason: otherSigners(note, keys) ?? opened.reason }
}

/** Why no given key verifies the note, when no signature line is by one of them; undefined otherwise. */
function otherSigners(note: string | Uint8Array, keys: VerifierKeys): string | undefined {
  let signers: readonly NoteSigner[]
  let given: readonly NoteSigner[]
  try {
    signers = parseNote(note).signatures
    given = keyList(keys).map((k) => (typeof k === 'string' ? parseVerifierKey(k) : k))
  } catch (error) {
    // a malformed note or key: openCheckpoint has said what is wrong with it
    if (error instanceof LedgerError) return undefined
    throw error
  }
  const isGiven = (s: NoteSigner) => given.some((g) => g.name === s.name && g.keyId === s.keyId)
  if (given.length === 0 || signers.some(isGiven)) return undefined
  return `checkpoint signature: signed by key ${signerNames(signers)}, but the given key is ${signerNames(given)}`
}

/** Signers as a verifier key begins: name+key ID (the first 4 bytes of the key's hash, in hex). */
const signerNames = (signers: readonly NoteSigner[]): string =>
  signers.map((s) => `${s.name}+${s.keyId.toString(16).padStart(8, '0')}`).join(', ')

/**
 * Does checkpoint `next` extend checkpoint `old` of the same log? `forked` means the log cannot be
 * append-only between them: same size with another root, a smaller size, or a proof that does not verify.
 */
export function compareCheckpoints(
  old: Checkpoint,
  next: Checkpoint,
  proof: readonly Uint8Array[],
): ExtensionVerdict {
  if (old.origin !== next.origin) {
    return { status: 'invalid', reason: `checkpoints are of different logs (${old.origin}, ${next.origin})` }
  }
  const verdict = (status: 'consistent' | 'forked', reason: string): ExtensionVerdict => ({
    status,
    reason,
    old,
    new: next,
  })
  if (next.size < old.size) return verdict('forked', `log shrank from ${old.size} to ${next.size} entries`)
  if (next.size === old.size) {
    return bytesEqual(old.rootHash, next.rootHash)
      ? verdict('consistent', `same size ${old.size} and same root`)
      : verdict('forked', `two different roots for size ${old.size}: the log was rewritten`)
  }
  if (old.size === 0) {
    return bytesEqual(old.rootHash, EMPTY_ROOT)
      ? verdict('consistent', 'the old checkpoint is the empty log')
      : verdict('forked', 'the old checkpoint claims size 0 with a non-empty root')
  }
  const result = verifyConsistency(old.size, next.size, old.rootHash, next.rootHash, proof)
  return result.ok
    ? verdict('consistent', `size ${next.size} extends size ${old.size}`)
    : verdict('forked', `consistency proof from ${old.size} to ${next.size} fails: ${result.reason}`)
}

/** `compareCheckpoints` on signed checkpoint notes, checking both signatures with `keys` first. */
export function checkExtension(
  keys: VerifierKeys,
  oldNote: string,
  newNote: string,
  proof: readonly Uint8Array[],
  expectedOrigin?: string,
): ExtensionVerdict {
  const old = openCheckpointWith(oldNote, keys, expectedOrigin)
  if (!old.ok) return { status: 'invalid', reason: `old checkpoint: ${old.reason}` }
  const next = openCheckpointWith(newNote, keys, expectedOrigin)
  if (!next.ok) return { status: 'invalid', reason: `new checkpoint: ${next.reason}` }
  return compareCheckpoints(old.checkpoint, next.checkpoint, proof)
}

/** What a partner holds for one received object: the exact bytes, and the metadata the node sent with them. */
export interface ReceivedDisclosure {
  readonly bytes: Uint8Array
  readonly partnerId: string
  readonly collectionId: string
  readonly objectId: string
  readonly objectModified: string | null
  readonly disclosedAt: string
  readonly agreementId: string
  readonly requestId: string
}

/** Rebuilds the disclosure entry the node should have logged for bytes a partner received. */
export function disclosureFromReceived(received: ReceivedDisclosure): DisclosureEntry {
  const { bytes, ...meta } = received
  return { kind: 'disclosure', ...meta, contentSha256: toHex(sha256(bytes)) }
}

/**
 * One thing to prove: an entry (given as the entry, its canonical bytes, or rebuilt from received bytes)
 * and where the node says it sits. Missing index or proof makes the item `unproven`, not `failed`.
 */
export interface InclusionClaim {
  readonly item: string
  readonly entry?: Entry
  readonly leaf?: Uint8Array
  readonly received?: ReceivedDisclosure
  readonly leafIndex?: number | null
  readonly proof?: readonly Uint8Array[] | null
}

function claimLeaf(claim: InclusionClaim): { leaf: Uint8Array } | { error: string } {
  try {
    const candidates: Uint8Array[] = []
    if (claim.leaf !== undefined) {
      decodeEntry(claim.leaf)
      candidates.push(claim.leaf)
    }
    if (claim.entry !== undefined) candidates.push(encodeEntry(claim.entry))
    if (claim.received !== undefined) candidates.push(encodeEntry(disclosureFromReceived(claim.received)))
    if (candidates.length === 0) return { error: 'no entry, leaf or received data given' }
    for (const other of candidates.slice(1)) {
      if (!bytesEqual(other, candidates[0]!))
        return { error: 'the given entry, leaf and received data disagree' }
    }
    return { leaf: candidates[0]! }
  } catch (error) {
    if (error instanceof LedgerError) return { error: `entry rejected: ${error.message}` }
    throw error
  }
}

/** Checks one claim against an already verified checkpoint. */
export function checkInclusion(checkpoint: Checkpoint, claim: InclusionClaim): ReportRow {
  const row = (status: ReportRow['status'], reason: string): ReportRow => ({
    item: claim.item,
    status,
    reason,
  })
  const leaf = claimLeaf(claim)
  if ('error' in leaf) return row('failed', leaf.error)
  const { leafIndex, proof } = claim
  if (leafIndex == null || proof == null) return row('unproven', 'no leaf index or inclusion proof supplied')
  if (Number.isSafeInteger(leafIndex) && leafIndex >= checkpoint.size && leafIndex >= 0) {
    return row(
      'unproven',
      `leaf ${leafIndex} is beyond checkpoint size ${checkpoint.size}; get a newer checkpoint`,
    )
  }
  const result = verifyInclusion(leafHash(leaf.leaf), leafIndex, checkpoint.size, proof, checkpoint.rootHash)
  return result.ok
    ? row('proven', `leaf ${leafIndex} of ${checkpoint.size} under root ${short(checkpoint.rootHash)}…`)
    : row('failed', `inclusion proof fails: ${result.reason}`)
}

/** Input of `verificationReport`. */
export interface VerificationRequest {
  /** The node's verifier key(s). */
  readonly keys: VerifierKeys
  /** The origin the checkpoints must carry (pin it: a checkpoint of another log proves nothing here). */
  readonly expectedOrigin?: string
  /** Signed checkpoint the inclusion proofs are relative to. */
  readonly checkpoint: string
  /** An older signed checkpoint of the same log and the consistency proof to `checkpoint`, if any. */
  readonly previous?: { readonly checkpoint: string; readonly consistencyProof: readonly Uint8Array[] }
  readonly items: readonly InclusionClaim[]
}

/**
 * The recipient's report, row by row: the checkpoint signature, the consistency with the previous
 * checkpoint (if given), then every claimed item. Nothing is `proven` unless the checkpoint verified.
 */
export function verificationReport(request: VerificationRequest): ReportRow[] {
  const rows: ReportRow[] = []
  const opened = openCheckpointWith(request.checkpoint, request.keys, request.expectedOrigin)
  if (!opened.ok) {
    rows.push({ item: 'checkpoint', status: 'failed', reason: opened.reason })
  } else {
    const { origin, size } = opened.checkpoint
    rows.push({
      item: 'checkpoint',
      status: 'proven',
      reason: `signed checkpoint of ${origin} at size ${size}`,
    })
  }
  if (request.previous !== undefined) {
    const item = 'consistency with previous checkpoint'
    const previous = openCheckpointWith(request.previous.checkpoint, request.keys, request.expectedOrigin)
    if (!previous.ok) {
      rows.push({ item, status: 'unproven', reason: `previous checkpoint: ${previous.reason}` })
    } else if (!opened.ok) {
      rows.push({ item, status: 'unproven', reason: 'current checkpoint not verified' })
    } else {
      const verdict = compareCheckpoints(
        previous.checkpoint,
        opened.checkpoint,
        request.previous.consistencyProof,
      )
      const status =
        verdict.status === 'consistent' ? 'proven' : verdict.status === 'forked' ? 'failed' : 'unproven'
      rows.push({ item, status, reason: verdict.reason })
    }
  }
  for (const claim of request.items) {
    rows.push(
      opened.ok
        ? checkInclusion(opened.checkpoint, claim)
        : { item: claim.item, status: 'unproven', reason: 'checkpoint not verified' },
    )
  }
  return rows
}
