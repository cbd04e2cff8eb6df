import { randomUUID } from 'node:crypto'
import type { Served } from '../disclosure/gate.js'
import { joinedJson } from '../disclosure/served-text.js'
import { EVERY_VERSION, selectVisibleVersions } from '../disclosure/version-selection.js'
import type { StoredVersion } from '../store/types.js'
import { type FederationContext, iso } from './context.js'
import { count, noteProblem, recordFailure, recordSuccess, scheduleNext } from './schedule.js'
import { newHealth } from './state.js'
import { TaxiiClient } from './taxii-client.js'
import type { HeldItem, PushDefinition, PushState } from './types.js'

/** At most this many versions wait for a suspension to end; beyond it the push stops reading further. */
export const HELD_LIMIT = 10_000

/** The principal pushes are disclosed as, in the ledger. */
export const PUSH_PRINCIPAL = 'federation'

async function heldVersions(
  ctx: FederationContext,
  from: string,
  held: HeldItem[],
): Promise<StoredVersion[]> {
  if (held.length === 0) return []
  const wanted = new Set(held.map((h) => h.seq))
  const ids = [...new Set(held.map((h) => h.id))]
  const out: StoredVersion[] = []
  for (let at = 0; at < ids.length; at += 500) {
    const batch = await ctx.store.queryObjects({
      collectionId: from,
      ids: ids.slice(at, at + 500),
      versions: [{ kind: 'all' }],
      limit: 1_000_000,
    })
    out.push(...batch.items.filter((v) => wanted.has(v.seq)))
  }
  return out.sort((a, b) => a.seq - b.seq)
}

async function partnerSuspended(
  ctx: FederationContext,
  partnerId: string,
  instant: string,
): Promise<boolean> {
  const { snapshot } = await ctx.policy.compiledAt(instant)
  return snapshot.suspensions.some((s) => s.partner_id === partnerId)
}

/**
 * One push cycle. Nothing is decided when a version is queued: the candidates (versions held back earlier
 * and new ones after the cursor) are screened by a gate session opened now, for the partner's viewer, so
 * agreements, orders (a suspension issued a second ago) and the federation rules apply at send time. What
 * passes is recorded in the ledger, then posted. Versions denied while a suspension of the partner is in
 * force are held and offered again on later cycles (so lifting it delivers them, as a pull would);
 * versions denied otherwise are dropped. A failed post keeps cursor and held list, and is retried.
 */
export async function runPush(ctx: FederationContext, push: PushDefinition): Promise<PushState> {
  const state: PushState = (await ctx.state.pushState(push.id)) ?? {
    afterSeq: 0,
    held: [],
    health: newHealth(),
  }
  const { health } = state
  const startedAt = iso(ctx.now())
  health.lastAttemptAt = startedAt
  let finished = false
  try {
    const session = await ctx.gate.open(
      {
        principalId: PUSH_PRINCIPAL,
        role: 'partner',
        partnerId: push.partnerId,
        requestId: `push-${push.id}-${randomUUID()}`,
      },
      startedAt,
    )
    const held = await heldVersions(ctx, push.from, state.held)
    const fresh =
      state.held.length < HELD_LIMIT
        ? await ctx.store.queryObjects({
            collectionId: push.from,
            afterSeq: state.afterSeq,
            versions: [{ kind: 'all' }],
            limit: push.batchSize,
          })
        : { items: [], exhausted: false }
    const candidates = [...held, ...fresh.items]
    const screened =
      candidates.length > 0
        ? await selectVisibleVersions(
            ctx.store,
            session,
            push.from,
            EVERY_VERSION,
            await session.screen(candidates),
          )
        : []
    const send = screened.filter((s): s is Served => s !== undefined)
    if (send.length > 0) {
      await session.record(send)
      const status = await new TaxiiClient(push, ctx.fetch ? { fetch: ctx.fetch } : {}).post(
        `{"objects":[${joinedJson(send)}]}`,
      )
      const failures = status.failures ?? []
      count(health, 'sent', send.length - failures.length)
      count(health, 'refused-by-remote', failures.length)
      for (const f of failures.slice(-3))
        noteProblem(health, startedAt, `remote refused ${f.id}: ${f.message ?? 'no reason'}`)
    }
    const denied = candidates.filter((_, i) => screened[i] === undefined)
    const hold = denied.length > 0 && (await partnerSuspended(ctx, push.partnerId, startedAt))
    state.held = hold ? denied.map((v) => ({ id: v.id, version: v.version ?? null, seq: v.seq })) : []
    count(health, 'withheld', hold ? 0 : denied.length)
    state.afterSeq = fresh.items.at(-1)?.seq ?? state.afterSeq
    finished = fresh.exhausted || fresh.items.length === 0
    if (finished) health.caughtUpAt = startedAt
    recordSuccess(health, iso(ctx.now()))
  } catch (error) {
    recordFailure(health, iso(ctx.now()), (error as Error).message)
  }
  scheduleNext(health, ctx, { startedAt, everyMs: push.everyMs, finished })
  await ctx.state.putPushState(push.id, state)
  return state
}
