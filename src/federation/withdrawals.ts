import { randomUUID } from 'node:crypto'
import { ingestOptions } from '../ingest/options.js'
import { prepareObjects } from '../ingest/prepare.js'
import type { WithdrawalEntry } from '../ledger/entry.js'
import { canonicalJson, type JsonValue } from '../ledger/entry.js'
import { sha256Hex } from '../ledger/hash.js'
import { followAnsweredChanges, globalOriginOfKey } from '../ledger/key-change.js'
import { partnerLogId } from '../ledger/log-id.js'
import { verifyNote } from '../ledger/note.js'
import { ledgerTime } from '../services/ledger-service.js'
import { PolicyInputError, prose } from '../services/policy-input.js'
import type { StixObject } from '../stix/object.js'
import { type AckFields, parseAckText } from './acknowledgement.js'
import { type FederationContext, iso } from './context.js'
import { FederationError } from './errors.js'
import { feedGivenKey } from './partner-keys.js'
import { derivedOnce } from './state-copies.js'
import type { AppliedWithdrawal, WithdrawalRecord } from './types.js'

// Origin side ------------------------------------------------------------------------------------------

/** Partners this node disclosed any version of the object to, according to its own ledger. */
export async function recipientsOf(ctx: FederationContext, objectId: string): Promise<string[]> {
  const stored = await ctx.ledger.storedModifieds(objectId)
  const { partners } = await ctx.policy.history()
  const out: string[] = []
  for (const partner of partners) {
    const log = partnerLogId(partner.id)
    if ((await ctx.ledger.findDisclosuresOf(log, objectId, stored)).length > 0) out.push(partner.id)
  }
  return out
}

/** The withdrawal's own entry in the ledger. */
function ledgerEntry(
  record: WithdrawalRecord,
  change: 'withdrawal-issued' | 'withdrawal-acknowledged',
  by: string,
  at: string,
  sha: string,
): WithdrawalEntry {
  return {
    kind: 'withdrawal',
    withdrawalId: record.id,
    event: change === 'withdrawal-issued' ? 'issued' : 'acknowledged',
    partnerId: record.partnerId,
    objectId: record.objectId,
    actor: by,
    at: ledgerTime(at),
    evidenceSha256: sha,
  }
}

const notHeld = (objectId: string) => new FederationError('not_found', `no object ${objectId} at this node`)

export interface IssueInput {
  objectId: string
  /** Default: every partner the object was disclosed to. */
  partners?: string[]
  kind: WithdrawalRecord['kind']
  reason: string
  by: string
}

/**
 * Withdraws an object from partners: from now on this node's gate withholds it from them, and each
 * partner's node is asked (on its next poll) to stop passing it on and to acknowledge. A partner that
 * already has a withdrawal of this kind of the object is not asked twice, even when a revocation scan and
 * an administrator (in this process or another) withdraw it at the same moment: the withdrawal is opened by
 * a write that expects none to be indexed, with its ledger entry.
 */
export async function issueWithdrawals(
  ctx: FederationContext,
  input: IssueInput,
): Promise<WithdrawalRecord[]> {
  // the reason goes to the partner's node and, through the record's hash, into the ledger for good
  const reason = recordableReason(input.reason)
  // a mistyped id would otherwise ask partners to withdraw, and the ledger to record, what never left
  if ((await ctx.store.latestVersions([input.objectId])).length === 0) throw notHeld(input.objectId)
  const partners = input.partners ?? (await recipientsOf(ctx, input.objectId))
  const known = new Set((await ctx.policy.history()).partners.map((p) => p.id))
  const created: WithdrawalRecord[] = []
  for (const partnerId of partners) {
    if (!known.has(partnerId)) throw new FederationError('invalid', `no partner "${partnerId}"`)
    if (await ctx.state.hasWithdrawal({ partnerId, kind: input.kind, objectId: input.objectId })) continue
    const at = iso(ctx.now())
    const record: WithdrawalRecord = {
      id: `withdrawal--${randomUUID()}`,
      objectId: input.objectId,
      partnerId,
      kind: input.kind,
      reason,
      createdAt: at,
      createdBy: input.by,
    }
    const opened = await ctx.ledger.appendWithStates(
      [
        ledgerEntry(
          record,
          'withdrawal-issued',
          input.by,
          at,
          sha256Hex(canonicalJson(record as unknown as JsonValue)),
        ),
      ],
      ctx.state.withdrawalDocuments(record),
      ctx.state.withdrawalUnopened(record),
    )
    // undefined: another call, here or in another process, opened it since the check above
    if (opened) created.push(record)
  }
  return created
}

function recordableReason(reason: string): string {
  try {
    return prose(reason, 'reason')
  } catch (error) {
    if (error instanceof PolicyInputError) throw new FederationError('invalid', error.message)
    throw error
  }
}

/**
 * Publishes a revoked version of the object (a new version with `revoked: true`) and withdraws it from its
 * recipients. `version` is the revoked version's `modified`: the one published, or the one already there.
 */
export async function revokeObject(
  ctx: FederationContext,
  objectId: string,
  reason: string,
  by: string,
): Promise<{ version: string; withdrawals: WithdrawalRecord[] }> {
  // refused before the revoked version is published, not after
  recordableReason(reason)
  const [latest] = await ctx.store.latestVersions([objectId])
  if (!latest) throw notHeld(objectId)
  const object = JSON.parse(latest.json) as StixObject
  if (typeof object.modified !== 'string')
    throw new FederationError('invalid', `${object.type} objects have no versions and cannot be revoked`)
  let version = object.modified
  if (object.revoked !== true) {
    const previous = Date.parse(object.modified)
    const modified = iso(Math.max(ctx.now(), previous + 1))
    version = modified
    const prepared = await prepareObjects([{ ...object, revoked: true, modified }], ingestOptions(ctx.store))
    if (prepared.rejected.length > 0)
      throw new FederationError(
        'invalid',
        prepared.rejected[0]!.message ?? 'the revoked version was rejected',
      )
    const [outcome] = await ctx.store.putObjects(latest.collectionId, prepared.accepted)
    if (outcome?.result === 'conflict') throw new FederationError('conflict', outcome.message)
  }
  return { version, withdrawals: await issueWithdrawals(ctx, { objectId, kind: 'revoked', reason, by }) }
}

/** Open withdrawals (not yet acknowledged), of one partner or all, oldest first. */
export async function pendingWithdrawals(
  ctx: FederationContext,
  partnerId?: string,
): Promise<readonly WithdrawalRecord[]> {
  return byAcknowledgement(await ctx.state.withdrawals(partnerId)).pending
}

/**
 * What the console and `sluice withdraw list` show, of one partner or all: the pending withdrawals oldest
 * first, then the acknowledged ones newest first, at most `acknowledgedLimit` of them (all without one),
 * and how many acknowledged ones that left out. Acknowledged ones are kept for good, so the list only grows.
 */
export async function withdrawalListing(
  ctx: FederationContext,
  partnerId?: string,
  acknowledgedLimit?: number,
): Promise<{ withdrawals: readonly WithdrawalRecord[]; acknowledgedLeftOut: number }> {
  const { pending, acknowledged } = byAcknowledgement(await ctx.state.withdrawals(partnerId))
  const shown = acknowledged.slice(0, acknowledgedLimit ?? acknowledged.length)
  return { withdrawals: [...pending, ...shown], acknowledgedLeftOut: acknowledged.length - shown.length }
}

type Split = { pending: readonly WithdrawalRecord[]; acknowledged: readonly WithdrawalRecord[] }
const SPLIT = new WeakMap<readonly WithdrawalRecord[], Split>()

// a partner's node asks for its pending ones on every poll, the console for both every few seconds:
// worked out once per copy of the list (state-copies.ts), not per request
function byAcknowledgement(list: readonly WithdrawalRecord[]): Split {
  return derivedOnce(SPLIT, list, () => {
    const oldestFirst = [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    return {
      pending: Object.freeze(oldestFirst.filter((w) => !w.acknowledgement)),
      acknowledged: Object.freeze(oldestFirst.filter((w) => w.acknowledgement).reverse()),
    }
  })
}

/**
 * A partner node that changed its key since it was pinned sends its key changes along: the pinned key must
 * vouch for the way to the key offered (ledger/key-change.ts), or the acknowledgement is refused.
 */
function followPartnerKey(trusted: string, offered: string, changes: unknown, fromFeed?: string): void {
  const followed = followAnsweredChanges([trusted], changes, globalOriginOfKey(trusted))
  if (followed.current === offered) return
  const why = followed.rows.find((r) => r.status !== 'proven')?.reason
  const [which, from] = fromFeed
    ? [`given for this partner's feed ${fromFeed}`, "the feed's key"]
    : ['pinned for this partner', 'the pinned key']
  throw new FederationError(
    'invalid',
    `the acknowledgement names a key other than the one ${which}${why ? ` (${why})` : `, and no key change from ${from} leads to it`}`,
  )
}

/**
 * Accepts a partner node's signed acknowledgement. The note must verify under the key pinned for the
 * partner (without a pin, the key given to a feed from it; only without either does the first
 * acknowledgement pin its own: trust on first use; a key change the pinned key vouched for moves the pin)
 * and name exactly this withdrawal, this
 * node and this partner. The acknowledgement is kept with the withdrawal and its hash goes to the ledger.
 */
export async function acceptAcknowledgement(
  ctx: FederationContext,
  partnerId: string,
  withdrawalId: string,
  body: { note: unknown; vkey: unknown; key_changes?: unknown },
): Promise<WithdrawalRecord> {
  const stored = await ctx.state.storedWithdrawal(partnerId, withdrawalId)
  if (!stored) throw new FederationError('not_found', `no withdrawal ${withdrawalId} for this partner`)
  const { record } = stored
  if (typeof body.note !== 'string')
    throw new FederationError('invalid', 'note must be the signed acknowledgement')
  if (record.acknowledgement) return alreadyAcknowledged(record, body.note)
  const offered = typeof body.vkey === 'string' ? body.vkey : undefined
  const pin = await ctx.state.partnerKey(partnerId)
  const pinned = pin ?? (await feedGivenKey(ctx, partnerId, offered))
  const moved = pinned !== undefined && offered !== undefined && offered !== pinned.vkey
  if (moved) followPartnerKey(pinned.vkey, offered, body.key_changes, pin ? undefined : pinned.fromFeed)
  const vkey = moved ? offered : (pinned?.vkey ?? offered)
  if (!vkey)
    throw new FederationError(
      'invalid',
      "vkey (the signing node's verifier key) is required on first acknowledgement",
    )
  let verification: ReturnType<typeof verifyNote>
  try {
    verification = verifyNote(body.note, [vkey])
  } catch (error) {
    throw new FederationError('invalid', `unusable key or note: ${(error as Error).message}`)
  }
  if (!verification.ok)
    throw new FederationError('invalid', `acknowledgement signature: ${verification.reason}`)
  const fields: AckFields | undefined = parseAckText(verification.text)
  if (!fields) throw new FederationError('invalid', 'the note is not a withdrawal acknowledgement')
  const expected = {
    withdrawal: withdrawalId,
    object: record.objectId,
    partner: partnerId,
    origin: ctx.ledger.origin,
  }
  for (const [key, value] of Object.entries(expected)) {
    if (fields[key as keyof AckFields] !== value)
      throw new FederationError(
        'invalid',
        `the acknowledgement's ${key} is ${fields[key as keyof AckFields]}, not ${value}`,
      )
  }
  const at = iso(ctx.now())
  if (!pin || moved)
    await ctx.state.putPartnerKey(partnerId, {
      vkey,
      pinnedAt: at,
      ...(pinned?.fromFeed ? { fromFeed: pinned.fromFeed } : {}),
    })
  const signer = verification.verified[0]!.name
  const acked: WithdrawalRecord = {
    ...record,
    acknowledgement: { receivedAt: at, note: body.note, signer, appliedAt: fields.applied },
  }
  const written = await ctx.ledger.appendWithStates(
    [ledgerEntry(record, 'withdrawal-acknowledged', signer, at, sha256Hex(body.note))],
    ctx.state.withdrawalDocuments(acked),
    ctx.state.withdrawalUnchanged(record, stored.text),
  )
  if (written) return acked
  // a retry of the same acknowledgement, taken in another process or request meanwhile
  const now = await ctx.state.withdrawal(partnerId, withdrawalId)
  if (!now?.acknowledgement) throw new FederationError('conflict', 'this withdrawal changed; send it again')
  return alreadyAcknowledged(now, body.note)
}

function alreadyAcknowledged(record: WithdrawalRecord, note: string): WithdrawalRecord {
  if (record.acknowledgement?.note === note) return record
  throw new FederationError('conflict', 'this withdrawal has already been acknowledged')
}

// Receiver side ----------------------------------------------------------------------------------------

/** Stops an object from flowing on from this node; the first application wins, history is kept. */
export async function applyWithdrawal(ctx: FederationContext, applied: AppliedWithdrawal): Promise<boolean> {
  const existing = await ctx.state.appliedFor(applied.objectId)
  if (existing && (existing.withdrawalId === applied.withdrawalId || !applied.withdrawalId)) return false
  await ctx.state.putApplied(
    existing ? { ...existing, withdrawalId: applied.withdrawalId ?? existing.withdrawalId } : applied,
  )
  return !existing
}
