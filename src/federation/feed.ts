import { ingestOptions } from '../ingest/options.js'
import { prepareObjects } from '../ingest/prepare.js'
import { keyChangesJson } from '../ledger/key-change.js'
import { signNote } from '../ledger/note.js'
import type { NodeSigningKey } from '../ledger/note-key.js'
import { keyChangeEvidence } from '../services/key-changes.js'
import { ackText } from './acknowledgement.js'
import { type FederationContext, iso } from './context.js'
import { storeReceived } from './received.js'
import { checkRemoteLedger } from './remote-ledger.js'
import { count, noteProblem, recordFailure, recordSuccess, scheduleNext } from './schedule.js'
import { isRecord, RemoteError, TaxiiClient } from './taxii-client.js'
import type { FeedDefinition, FeedState, Health } from './types.js'
import { applyWithdrawal } from './withdrawals.js'

/**
 * Pages one poll fetches at the most. A poll also applies the remote's withdrawals and checks its ledger,
 * and those must not wait for the end of a large backlog. A poll that stops here says so (`health.more`);
 * the scheduler runs the next one at once, from the saved cursor.
 */
export const PAGES_PER_POLL = 100

export interface PollOptions {
  /** Pages this poll fetches at the most; default PAGES_PER_POLL. */
  maxPages?: number
}

const later = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : Date.parse(b) > Date.parse(a) ? b : a

/**
 * One poll of a feed: pages through everything the remote added after the cursor (every version, so
 * revocations and history arrive too), stores each page and its provenance before moving the cursor,
 * then applies the remote's withdrawals and checks its ledger. The cursor is saved after every page, so
 * a poll cut short (crash, kill) resumes where it stopped; a page repeated after a crash is stored as
 * "unchanged". Never throws: failures go to the feed's health, with the next attempt backed off.
 */
export async function pollFeed(
  ctx: FederationContext,
  feed: FeedDefinition,
  options: PollOptions = {},
): Promise<FeedState> {
  const state = await ctx.state.feedState(feed.id)
  const { health } = state
  const startedAt = iso(ctx.now())
  health.lastAttemptAt = startedAt
  const client = new TaxiiClient(feed, ctx.fetch ? { fetch: ctx.fetch } : {})
  let finished = false
  try {
    if (!(await ctx.store.listCollections()).some((c) => c.id === feed.into))
      throw new Error(`the local collection ${feed.into} does not exist`)
    const maxPages = options.maxPages ?? PAGES_PER_POLL
    for (let pages = 0; pages < maxPages && !finished; pages++) {
      const { cursor } = state
      let page: Awaited<ReturnType<TaxiiClient['objects']>>
      try {
        page = await client.objects({
          limit: feed.pageSize,
          ...(cursor.addedAfter ? { addedAfter: cursor.addedAfter } : {}),
          ...(cursor.next ? { next: cursor.next } : {}),
        })
      } catch (error) {
        // a server may forget its cursors (restart, expiry): start the pass again from added_after
        if (cursor.next && error instanceof RemoteError && (error.status === 400 || error.status === 404)) {
          state.cursor = { ...(cursor.addedAfter ? { addedAfter: cursor.addedAfter } : {}) }
          count(health, 'restarted-passes')
          continue
        }
        throw error
      }
      await receive(ctx, feed, page.objects, health)
      count(health, 'pages')
      const high = later(cursor.high, page.last)
      if (page.objects.length > 0 && !page.last)
        noteProblem(
          health,
          startedAt,
          'the server sent objects without X-TAXII-Date-Added-Last; the cursor cannot advance past them',
        )
      if (page.more && page.next) {
        state.cursor = {
          ...(cursor.addedAfter ? { addedAfter: cursor.addedAfter } : {}),
          next: page.next,
          ...(high ? { high } : {}),
        }
      } else if (page.more && page.last && page.last !== cursor.addedAfter) {
        // no `next`: page on with added_after alone
        state.cursor = { addedAfter: page.last }
      } else {
        const position = high ?? cursor.addedAfter
        state.cursor = position ? { addedAfter: position } : {}
        finished = true
      }
      await ctx.state.putFeedState(feed.id, state)
    }
    if (finished) health.caughtUpAt = startedAt
    if (finished) delete health.more
    else health.more = true
    await checkRemoteLedger(client, feed, state.ledger, startedAt)
    if (state.ledger.status === 'alarm') health.status = 'alarm'
    if (state.ledger.status !== 'unavailable') await syncWithdrawals(ctx, client, feed, health)
    recordSuccess(health, iso(ctx.now()))
  } catch (error) {
    // a failure says why the pass did not end; `more` would claim to know what the remote still holds
    delete health.more
    recordFailure(health, iso(ctx.now()), (error as Error).message)
  }
  scheduleNext(health, ctx, { startedAt, everyMs: feed.everyMs, finished })
  await ctx.state.putFeedState(feed.id, state)
  return state
}

async function receive(
  ctx: FederationContext,
  feed: FeedDefinition,
  objects: unknown[],
  health: Health,
): Promise<void> {
  if (objects.length === 0) return
  const at = iso(ctx.now())
  const prepared = await prepareObjects(objects, ingestOptions(ctx.store))
  // a marking-definition this node already holds, come back with other content (most often its own, with
  // the caveats it was served with): this node's stands, as for any version of its own that comes back
  const redefined = prepared.rejected.filter((r) => r.issues.some((i) => i.rule === 'marking-redefined'))
  const rejected = prepared.rejected.filter((r) => !redefined.includes(r))
  count(health, 'bounced', redefined.length)
  count(health, 'rejected', rejected.length)
  for (const r of rejected.slice(-3)) noteProblem(health, at, `rejected ${r.id}: ${r.message ?? 'invalid'}`)
  const result = await storeReceived(
    ctx.store,
    feed.into,
    prepared.accepted,
    { feedId: feed.id, partnerId: feed.partnerId },
    at,
  )
  count(health, 'bounced', result.bounced)
  count(health, 'revocations-applied', result.revocations)
  for (const o of result.outcomes) {
    count(health, o.result)
    if (o.result === 'conflict')
      noteProblem(health, at, `conflict on ${o.id} ${o.version ?? ''}: ${o.message}`)
  }
}

interface AckSigner {
  key: NodeSigningKey
  /** The key changes that let a partner that pinned an earlier key of this node follow to this one. */
  changes: Record<string, unknown>[]
}

async function ackSigner(ctx: FederationContext): Promise<AckSigner> {
  return { key: await ctx.ledger.signingKey(), changes: keyChangesJson(await keyChangeEvidence(ctx.ledger)) }
}

/** Applies the remote node's open withdrawals for us and returns a signed acknowledgement for each. */
async function syncWithdrawals(
  ctx: FederationContext,
  client: TaxiiClient,
  feed: FeedDefinition,
  health: Health,
): Promise<void> {
  let answer: unknown
  try {
    answer = await client.node('federation/withdrawals')
  } catch (error) {
    // a server without the federation API (not Sluice, or an older one) refuses the path
    if (
      error instanceof RemoteError &&
      error.status !== undefined &&
      error.status < 500 &&
      error.status !== 429
    )
      return
    throw error
  }
  if (!isRecord(answer) || !Array.isArray(answer.withdrawals) || typeof answer.origin !== 'string') return
  // one key and one set of key changes for every acknowledgement of this pass, read at the first
  let signer: Promise<AckSigner> | undefined
  for (const w of answer.withdrawals) {
    if (
      !isRecord(w) ||
      typeof w.id !== 'string' ||
      typeof w.object_id !== 'string' ||
      typeof w.partner_id !== 'string'
    )
      continue
    const at = iso(ctx.now())
    const kind = w.kind === 'revoked' ? 'revoked' : 'withdrawn'
    await applyWithdrawal(ctx, {
      objectId: w.object_id,
      kind,
      partnerId: feed.partnerId,
      feedId: feed.id,
      withdrawalId: w.id,
      appliedAt: at,
      reason: typeof w.reason === 'string' ? w.reason : kind,
    })
    signer ??= ackSigner(ctx)
    const { key, changes } = await signer
    const note = signNote(
      ackText({
        withdrawal: w.id,
        object: w.object_id,
        partner: w.partner_id,
        origin: answer.origin,
        applied: at,
      }),
      key,
    )
    await client.node(`federation/withdrawals/${encodeURIComponent(w.id)}/ack`, {
      note,
      vkey: key.vkey,
      ...(changes.length > 0 ? { key_changes: changes } : {}),
    })
    count(health, 'withdrawals-acknowledged')
  }
}
