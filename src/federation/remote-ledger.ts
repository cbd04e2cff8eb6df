import { openCheckpoint } from '../ledger/checkpoint.js'
import { fromBase64Strict } from '../ledger/hash.js'
import { type FollowedKeys, followAnsweredChanges, globalOriginOfKey } from '../ledger/key-change.js'
import { compareCheckpoints } from '../ledger/recipient.js'
import { isRecord, RemoteError, type TaxiiClient } from './taxii-client.js'
import type { FeedDefinition, RemoteLedger } from './types.js'

/**
 * The remote node's key changes followed from the pinned key: a checkpoint signed by another key is accepted
 * only when the pinned key vouched for the change (ledger/key-change.ts).
 */
async function followRemoteKey(client: TaxiiClient, ledger: RemoteLedger): Promise<FollowedKeys> {
  const pinned = ledger.vkey!
  const answer = await client.node('ledger/key')
  // a node that answers no ledger/key has never changed its key; an answer that is no object is malformed
  const changes = answer === undefined ? undefined : isRecord(answer) ? answer.changes : null
  // only checkpoints of the pinned node's global log, where its key changes are recorded, can vouch for one
  return followAnsweredChanges([pinned, ...(ledger.formerKeys ?? [])], changes, globalOriginOfKey(pinned))
}

const failure = (followed: FollowedKeys): string =>
  followed.rows
    .filter((r) => r.status === 'failed')
    .map((r) => `${r.item}: ${r.reason}`)
    .join('; ')

function raise(ledger: RemoteLedger, at: string, reason: string, offered: string, proof: string[]): void {
  ledger.status = 'alarm'
  // the first alarm is the evidence; later ones do not overwrite it
  ledger.alarm ??= { at, reason, trusted: ledger.checkpoint ?? '', offered, proof }
}

/**
 * Follows the remote node's log of what it disclosed to us: fetches its signed checkpoint, and checks with
 * a consistency proof that it extends the last one we accepted. The verifier key and the log's origin are
 * pinned on first contact; the key moves on only along key changes the pinned key vouched for. A checkpoint that does not verify, or a log that shrank, forked or rewrote
 * history, raises an alarm that keeps the evidence; the last good checkpoint stays the baseline.
 */
export async function checkRemoteLedger(
  client: TaxiiClient,
  feed: FeedDefinition,
  ledger: RemoteLedger,
  at: string,
): Promise<void> {
  if (feed.verify === 'off') return
  const unavailable = () => {
    if (feed.verify === 'require')
      throw new RemoteError('the remote node offers no ledger, and this feed requires one')
    ledger.status = 'unavailable'
    ledger.checkedAt = at
  }
  if (!ledger.vkey && feed.vkey) ledger.vkey = feed.vkey
  if (!ledger.vkey) {
    // before the first key is pinned, any refusal (404, 406, 401 from a server that is not Sluice) means "no ledger"
    let key: unknown
    try {
      key = await client.node('ledger/key')
    } catch (error) {
      if (error instanceof RemoteError && error.status !== undefined) return unavailable()
      throw error
    }
    if (!isRecord(key) || typeof key.vkey !== 'string') return unavailable()
    ledger.vkey = key.vkey
  }
  const current = await client.node('ledger/checkpoint')
  if (current === undefined)
    throw new RemoteError(
      feed.vkey !== undefined && ledger.checkpoint === undefined
        ? 'the remote node offers no ledger, and this feed was given its verifier key'
        : 'the remote node no longer offers its ledger',
    )
  if (!isRecord(current) || typeof current.checkpoint !== 'string' || typeof current.log !== 'string') {
    throw new RemoteError('ledger/checkpoint did not answer a checkpoint')
  }
  const offered = current.checkpoint
  let opened = openCheckpoint(offered, [ledger.vkey], ledger.logOrigin)
  if (!opened.ok) {
    const moved = await followRemoteKey(client, ledger)
    if (moved.rows.some((r) => r.status === 'failed'))
      return raise(ledger, at, `key change does not verify: ${failure(moved)}`, offered, [])
    if (moved.current !== undefined && moved.current !== ledger.vkey) {
      const reopened = openCheckpoint(offered, [moved.current], ledger.logOrigin)
      if (reopened.ok) {
        ledger.formerKeys = [...(ledger.formerKeys ?? []), ledger.vkey]
        ledger.vkey = moved.current
        opened = reopened
      }
    }
  }
  if (!opened.ok) return raise(ledger, at, `checkpoint does not verify: ${opened.reason}`, offered, [])
  ledger.checkedAt = at
  if (!ledger.checkpoint) {
    Object.assign(ledger, {
      logOrigin: opened.checkpoint.origin,
      log: current.log,
      checkpoint: offered,
      size: opened.checkpoint.size,
    })
    if (ledger.status !== 'alarm') ledger.status = 'consistent'
    return
  }
  const trusted = openCheckpoint(
    ledger.checkpoint,
    [ledger.vkey, ...(ledger.formerKeys ?? [])],
    ledger.logOrigin,
  )
  if (!trusted.ok) throw new Error(`the stored checkpoint no longer verifies: ${trusted.reason}`)
  const from = trusted.checkpoint.size
  const to = opened.checkpoint.size
  let proofText: string[] = []
  if (from > 0 && to > from) {
    const query = new URLSearchParams({ log: ledger.log ?? current.log, from: String(from), to: String(to) })
    const answer = await client.node(`ledger/consistency?${query}`)
    if (!isRecord(answer) || !Array.isArray(answer.proof))
      throw new RemoteError('ledger/consistency did not answer a proof')
    proofText = answer.proof.map(String)
  }
  const proof = proofText.map(fromBase64Strict)
  if (proof.some((p) => p === null))
    return raise(ledger, at, 'the consistency proof is not base64', offered, proofText)
  const verdict = compareCheckpoints(trusted.checkpoint, opened.checkpoint, proof as Uint8Array[])
  if (verdict.status !== 'consistent') return raise(ledger, at, verdict.reason, offered, proofText)
  ledger.checkpoint = offered
  ledger.size = to
  if (ledger.status !== 'alarm') ledger.status = 'consistent'
}
