import { type FederationContext, federationContext } from '../../federation/context.js'
import { clearAlarm, defineFeed, definePush, listFeeds, listPushes } from '../../federation/definitions.js'
import { FederationError } from '../../federation/errors.js'
import { pollFeed } from '../../federation/feed.js'
import { partnerKeyPins, pinPartnerKey } from '../../federation/partner-keys.js'
import { runPush } from '../../federation/push.js'
import type { FederationScheduler } from '../../federation/scheduler.js'
import type { WithdrawalRecord } from '../../federation/types.js'
import {
  acceptAcknowledgement,
  issueWithdrawals,
  pendingWithdrawals,
  revokeObject,
  withdrawalListing,
} from '../../federation/withdrawals.js'
import type { NodeServices } from '../../server/services.js'
import type { FederationWithdrawal } from '../../services/console-types.js'
import { type BodyShape, oneOf } from '../../services/policy-input.js'
import type { PrincipalRecord } from '../../store/types.js'
import { badRequest, notFound, TaxiiError } from '../errors.js'
import { type JsonRequest, type JsonRoute, positiveIntParam, queryParam, str } from './json-api.js'

const ADMIN: PrincipalRecord['role'][] = ['admin']

/** Where a feed pulls from or a push sends to, as both bodies name it. */
const REMOTE: BodyShape = {
  id: 'string',
  url: 'string',
  collection: 'string',
  key: 'string',
  partner: 'string',
  auth: 'string',
  node_url: 'string',
  every: 'string',
  client_cert: 'string',
  client_key: 'string',
  ca: 'string',
}
const FEED: BodyShape = { ...REMOTE, into: 'string', page_size: 'integer', verify: 'string', vkey: 'string' }
const CLEAR_ALARM: BodyShape = { vkey: 'string' }
const PUSH: BodyShape = { ...REMOTE, from: 'string', batch_size: 'integer' }
const WITHDRAWAL: BodyShape = { object_id: 'string', reason: 'string', partners: 'list', revoke: 'boolean' }
const ACKNOWLEDGEMENT: BodyShape = { note: 'string', vkey: 'string', key_changes: 'records' }
const NO_BODY: BodyShape = {}
const PARTNER_KEY: BodyShape = { partner: 'string', vkey: 'string' }
const EVERYONE: PrincipalRecord['role'][] = ['admin', 'partner']

/** Federation errors in the TAXII error shape, translated here once. */
function translated(handle: (req: JsonRequest) => Promise<unknown>) {
  return async (req: JsonRequest) => {
    try {
      return await handle(req)
    } catch (error) {
      if (!(error instanceof FederationError)) throw error
      if (error.code === 'not_found')
        throw new TaxiiError(404, 'Not found', error.forApi, { errorCode: 'not-found' })
      if (error.code === 'conflict')
        throw new TaxiiError(409, 'Conflict', error.forApi, { errorCode: 'conflict' })
      throw badRequest(error.forApi, 'invalid-input')
    }
  }
}

function int(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(`${name} must be an integer`)
  return value
}

export function withdrawalView(w: WithdrawalRecord): FederationWithdrawal {
  return {
    id: w.id,
    object_id: w.objectId,
    partner_id: w.partnerId,
    kind: w.kind,
    reason: w.reason,
    created_at: w.createdAt,
    created_by: w.createdBy,
    ...(w.acknowledgement
      ? {
          acknowledged_at: w.acknowledgement.receivedAt,
          applied_at: w.acknowledgement.appliedAt,
          signer: w.acknowledgement.signer,
          acknowledgement: w.acknowledgement.note,
        }
      : {}),
  }
}

function remoteInput(body: Record<string, unknown>) {
  return {
    url: str(body.url) ?? '',
    collection: str(body.collection) ?? '',
    key: str(body.key) ?? '',
    partner: str(body.partner) ?? '',
    ...(str(body.id) ? { id: str(body.id)! } : {}),
    ...(str(body.auth) ? { auth: str(body.auth)! } : {}),
    ...(str(body.node_url) ? { nodeUrl: str(body.node_url)! } : {}),
    ...(str(body.every) ? { every: str(body.every)! } : {}),
    ...(str(body.client_cert) ? { clientCert: str(body.client_cert)! } : {}),
    ...(str(body.client_key) ? { clientKey: str(body.client_key)! } : {}),
    ...(str(body.ca) ? { ca: str(body.ca)! } : {}),
  }
}

/**
 * The federation API: feeds and pushes with their health (admin), withdrawals (admin issues and lists;
 * a partner's node lists its own open ones and acknowledges them), provenance of received objects.
 */
export function federationRoutes(services: NodeServices, scheduler?: FederationScheduler): JsonRoute[] {
  const ctx: FederationContext = scheduler?.context ?? federationContext(services)
  const route = (
    method: JsonRoute['method'],
    path: string[],
    roles: PrincipalRecord['role'][],
    handle: (req: JsonRequest) => Promise<unknown>,
    body?: BodyShape,
  ): JsonRoute => ({
    method,
    path,
    roles,
    ...(body ? { body } : {}),
    handle: translated(handle),
  })
  return [
    route('GET', ['feeds'], ADMIN, () => listFeeds(ctx)),
    route(
      'POST',
      ['feeds'],
      ADMIN,
      async ({ body, principal }) => {
        const feed = await defineFeed(
          ctx,
          {
            ...remoteInput(body),
            into: str(body.into) ?? '',
            ...(body.page_size !== undefined ? { pageSize: int(body.page_size, 'page_size')! } : {}),
            ...(str(body.verify) ? { verify: str(body.verify)! } : {}),
            ...(str(body.vkey) ? { vkey: str(body.vkey)! } : {}),
          },
          principal.name,
        )
        return (await listFeeds(ctx)).find((f) => f.id === feed.id)
      },
      FEED,
    ),
    route(
      'POST',
      ['feeds', ':id', 'poll'],
      ADMIN,
      async ({ params }) => {
        const feed = (await ctx.state.feed(params.id!)) ?? notFoundError(`feed ${params.id}`)
        if (scheduler) await scheduler.pollNow(feed.id)
        else await pollFeed(ctx, feed)
        return (await listFeeds(ctx)).find((f) => f.id === feed.id)
      },
      NO_BODY,
    ),
    route(
      'POST',
      ['feeds', ':id', 'clear-alarm'],
      ADMIN,
      async ({ params, body, principal }) => {
        await clearAlarm(ctx, params.id!, str(body.vkey) ? { vkey: str(body.vkey)!, by: principal.name } : {})
        return { id: params.id, cleared: true }
      },
      CLEAR_ALARM,
    ),
    route(
      'POST',
      ['feeds', ':id', 'remove'],
      ADMIN,
      async ({ params }) => {
        if (!(await ctx.state.feed(params.id!))) notFoundError(`feed ${params.id}`)
        await ctx.state.removeFeed(params.id!)
        return { id: params.id, removed: true }
      },
      NO_BODY,
    ),
    route('GET', ['pushes'], ADMIN, () => listPushes(ctx)),
    route(
      'POST',
      ['pushes'],
      ADMIN,
      async ({ body, principal }) => {
        const push = await definePush(
          ctx,
          {
            ...remoteInput(body),
            from: str(body.from) ?? '',
            ...(body.batch_size !== undefined ? { batchSize: int(body.batch_size, 'batch_size')! } : {}),
          },
          principal.name,
        )
        return (await listPushes(ctx)).find((p) => p.id === push.id)
      },
      PUSH,
    ),
    route(
      'POST',
      ['pushes', ':id', 'run'],
      ADMIN,
      async ({ params }) => {
        const push = (await ctx.state.push(params.id!)) ?? notFoundError(`push ${params.id}`)
        await runPush(ctx, push)
        return (await listPushes(ctx)).find((p) => p.id === push.id)
      },
      NO_BODY,
    ),
    route(
      'POST',
      ['pushes', ':id', 'remove'],
      ADMIN,
      async ({ params }) => {
        if (!(await ctx.state.push(params.id!))) notFoundError(`push ${params.id}`)
        await ctx.state.removePush(params.id!)
        return { id: params.id, removed: true }
      },
      NO_BODY,
    ),
    route('GET', ['withdrawals'], EVERYONE, async ({ principal, url }) => {
      // "maybe" must not read as "everything": the admin would take a full list for the unacknowledged one
      const pending = oneOf(url.searchParams.get('pending'), ['true', 'false'] as const, 'pending') === 'true'
      const all = principal.role === 'admin' && !pending
      const partner = principal.role === 'partner' ? principal.partnerId! : queryParam(url, 'partner')
      // the console shows every pending one and the newest acknowledged; the list only grows
      const acknowledgedLimit = positiveIntParam(url, 'acknowledged_limit')
      if (all && acknowledgedLimit !== undefined) {
        const listing = await withdrawalListing(ctx, partner, acknowledgedLimit)
        return {
          origin: ctx.ledger.origin,
          withdrawals: listing.withdrawals.map(withdrawalView),
          acknowledged_left_out: listing.acknowledgedLeftOut,
        }
      }
      const list = all ? await ctx.state.withdrawals(partner) : await pendingWithdrawals(ctx, partner)
      return { origin: ctx.ledger.origin, withdrawals: list.map(withdrawalView) }
    }),
    route(
      'POST',
      ['withdrawals'],
      ADMIN,
      async ({ body, principal }) => {
        const objectId = str(body.object_id) ?? badRequestError('object_id is required')
        const reason = str(body.reason) ?? badRequestError('reason is required')
        const partners =
          body.partners === undefined
            ? undefined
            : Array.isArray(body.partners)
              ? body.partners.map(String)
              : badRequestError('partners must be a list')
        const created =
          body.revoke === true
            ? (await revokeObject(ctx, objectId, reason, principal.name)).withdrawals
            : await issueWithdrawals(ctx, {
                objectId,
                kind: 'withdrawn',
                reason,
                by: principal.name,
                ...(partners ? { partners } : {}),
              })
        return { origin: ctx.ledger.origin, withdrawals: created.map(withdrawalView) }
      },
      WITHDRAWAL,
    ),
    route('GET', ['partner-keys'], ADMIN, () => partnerKeyPins(ctx)),
    route(
      'POST',
      ['partner-keys'],
      ADMIN,
      async ({ body, principal }) => {
        const { pinned, previous } = await pinPartnerKey(
          ctx,
          str(body.partner) ?? badRequestError('partner is required'),
          str(body.vkey) ?? badRequestError("vkey is required: the partner node's verifier key"),
          principal.name,
        )
        return { ...pinned, ...(previous !== undefined ? { previous } : {}) }
      },
      PARTNER_KEY,
    ),
    route(
      'POST',
      ['withdrawals', ':id', 'ack'],
      ['partner'],
      async ({ principal, params, body }) =>
        withdrawalView(
          await acceptAcknowledgement(ctx, principal.partnerId!, params.id!, {
            note: body.note,
            vkey: body.vkey,
            key_changes: body.key_changes,
          }),
        ),
      ACKNOWLEDGEMENT,
    ),
    {
      ...route('GET', ['provenance'], ADMIN, async ({ url }) => {
        const ids = url.searchParams.getAll('object')
        if (ids.length === 0) throw badRequest('name objects with ?object=ID')
        return ctx.store.provenance(ids)
      }),
      repeatable: ['object'],
    },
  ]
}

function notFoundError(what: string): never {
  throw notFound(what)
}

function badRequestError(message: string): never {
  throw badRequest(message)
}
