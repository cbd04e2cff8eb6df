import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { TlsSetupError } from '../ops/tls-check.js'
import { collectionNamed } from '../services/collections.js'
import { SEE_COLLECTIONS, SEE_PARTNERS, type SeeAlso } from '../services/see-also.js'
import type { FederationContext } from './context.js'
import { FederationError } from './errors.js'
import { givenNodeKey } from './given-key.js'
import { discoveryUrlRefusal, isDiscoveryPath, suggestedApiRoot } from './remote-hints.js'
import { readRemoteTls } from './remote-tls.js'
import { formatInterval, lagSeconds, parseInterval } from './schedule.js'
import type {
  FeedDefinition,
  FeedState,
  PushDefinition,
  PushState,
  RemoteAuth,
  RemoteCollection,
  RemoteTls,
  VerifyMode,
} from './types.js'

/** What an administrator gives to define a feed or push (CLI flags and API bodies map onto this). */
export interface RemoteInput {
  id?: string
  url: string
  collection: string
  key: string
  auth?: string
  nodeUrl?: string
  partner: string
  every?: string
  /** Over HTTPS: a client certificate and its key to present, and a CA bundle to trust the peer by. */
  clientCert?: string
  clientKey?: string
  ca?: string
}

export interface FeedInput extends RemoteInput {
  into: string
  pageSize?: number
  verify?: string
  /** The remote node's verifier key, given out of band (`sluice ledger key` on that node). */
  vkey?: string
}

/** The verifier key a feed is given, checked now: a key that can verify nothing would only fail every poll. */
function givenVkey(vkey: string | undefined, verify: VerifyMode): string | undefined {
  if (vkey === undefined) return undefined
  givenNodeKey(vkey, 'remote node')
  if (verify === 'off')
    invalid('a vkey is for checking the remote ledger: give verify auto or require, or no vkey')
  return vkey
}

export interface PushInput extends RemoteInput {
  from: string
  batchSize?: number
}

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/
const invalid = (message: string, seeAlso?: SeeAlso): never => {
  throw new FederationError('invalid', message, seeAlso)
}

function remote(input: RemoteInput): RemoteCollection {
  if (!input.url) invalid('url is required: the remote TAXII API root')
  let url: URL
  try {
    url = new URL(input.url)
  } catch {
    return invalid(`the url "${input.url}" is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid('the URL must be http or https')
  // kept with the definition and shown by every list, a password in the URL would be shown to anyone
  if (url.username !== '' || url.password !== '')
    invalid(
      'the URL must not carry a user or password: give the credential as the key (auth basic takes user:password)',
    )
  if (isDiscoveryPath(url)) invalid(discoveryUrlRefusal(url, suggestedApiRoot(url), 'give'))
  if (!input.collection) invalid('the remote collection id is required')
  if (!input.key) invalid('the key for the remote server is required')
  const auth = (input.auth ?? 'bearer') as RemoteAuth
  if (auth !== 'bearer' && auth !== 'basic') invalid('auth is bearer or basic')
  if (auth === 'basic' && !input.key.includes(':')) invalid('basic auth takes the key as user:password')
  const nodeUrl = input.nodeUrl ?? url.origin
  if (!/^https?:\/\//.test(nodeUrl)) invalid('the node URL must be http or https')
  const tls = remoteTls(input, url, nodeUrl)
  return {
    apiRoot: url.href.endsWith('/') ? url.href : `${url.href}/`,
    collection: input.collection,
    key: input.key,
    auth,
    nodeUrl,
    ...(tls ? { tls } : {}),
  }
}

/** The TLS files, checked now (a bad one is refused with its name, not at the first poll) and kept as absolute paths. */
function remoteTls(input: RemoteInput, url: URL, nodeUrl: string): RemoteTls | undefined {
  const { clientCert, clientKey, ca } = input
  if (!clientCert && !clientKey && !ca) return undefined
  if (!clientCert !== !clientKey)
    invalid('a client certificate and its key go together: give both, or neither')
  if (url.protocol !== 'https:' || !nodeUrl.startsWith('https:'))
    invalid('a client certificate or CA bundle needs an https URL (and node URL)')
  const tls: RemoteTls = {
    ...(clientCert && clientKey ? { certFile: resolve(clientCert), keyFile: resolve(clientKey) } : {}),
    ...(ca ? { caFile: resolve(ca) } : {}),
  }
  try {
    readRemoteTls(tls)
  } catch (error) {
    if (error instanceof TlsSetupError) invalid(error.message)
    throw error
  }
  return tls
}

async function common(
  ctx: FederationContext,
  input: RemoteInput,
  local: { field: 'into' | 'from'; collection: string },
  existing: (id: string) => Promise<unknown>,
) {
  // an absent field is not a name nothing has: "no partner ''" does not say what is missing
  if (!input.partner) invalid('partner is required: the partner the remote node is', SEE_PARTNERS)
  if (!local.collection) invalid(`${local.field} is required: the local collection`, SEE_COLLECTIONS)
  const id = input.id ?? randomUUID().slice(0, 8)
  if (!ID.test(id)) invalid('an id is lowercase letters, digits and hyphens')
  if (await existing(id)) throw new FederationError('conflict', `"${id}" already exists`)
  const everyMs =
    parseInterval(input.every ?? '30s') ?? invalid('every must be an interval such as 500ms, 30s, 5m or 1h')
  // a poll or push every millisecond only loads the partner's server (and its rate limit refuses it);
  // a few a second keep two nodes of one agency close (bench/federation polls every 250ms)
  if (everyMs < 100) invalid('every must be at least 100ms')
  const { partners } = await ctx.policy.history()
  if (!partners.some((p) => p.id === input.partner)) invalid(`no partner "${input.partner}"`, SEE_PARTNERS)
  const collection = collectionNamed(await ctx.store.listCollections(), local.collection)
  if (!collection) invalid(`no local collection "${local.collection}"`, SEE_COLLECTIONS)
  return { id, everyMs, collectionId: collection!.id }
}

export async function defineFeed(
  ctx: FederationContext,
  input: FeedInput,
  by: string,
): Promise<FeedDefinition> {
  const target = remote(input)
  const { id, everyMs, collectionId } = await common(
    ctx,
    input,
    { field: 'into', collection: input.into },
    (id) => ctx.state.feed(id),
  )
  const verify = (input.verify ?? 'auto') as VerifyMode
  if (!['auto', 'require', 'off'].includes(verify)) invalid('verify is auto, require or off')
  const pageSize = input.pageSize ?? 500
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) invalid('the page size is 1 to 10000')
  const vkey = givenVkey(input.vkey, verify)
  const feed: FeedDefinition = {
    id,
    ...target,
    into: collectionId,
    partnerId: input.partner,
    everyMs,
    pageSize,
    verify,
    ...(vkey !== undefined
      ? { vkey, vkeyPinnedBy: by, vkeyPinnedAt: new Date(ctx.now()).toISOString() }
      : {}),
    createdAt: new Date(ctx.now()).toISOString(),
    createdBy: by,
  }
  await ctx.state.putFeed(feed)
  return feed
}

export async function definePush(
  ctx: FederationContext,
  input: PushInput,
  by: string,
): Promise<PushDefinition> {
  const target = remote(input)
  const { id, everyMs, collectionId } = await common(
    ctx,
    input,
    { field: 'from', collection: input.from },
    (id) => ctx.state.push(id),
  )
  const batchSize = input.batchSize ?? 500
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    invalid('the batch size is 1 to 10000')
  const push: PushDefinition = {
    id,
    ...target,
    from: collectionId,
    partnerId: input.partner,
    everyMs,
    batchSize,
    createdAt: new Date(ctx.now()).toISOString(),
    createdBy: by,
  }
  await ctx.state.putPush(push)
  return push
}

/** Which TLS files a feed or push uses (paths only: the node reads them at each poll or cycle). */
function tlsView(remote: RemoteCollection) {
  if (!remote.tls) return {}
  const { certFile, keyFile, caFile } = remote.tls
  return {
    tls: {
      ...(certFile ? { clientCert: certFile, clientKey: keyFile } : {}),
      ...(caFile ? { ca: caFile } : {}),
    },
  }
}

/** A feed as the API and CLI show it: never the key. */
export function feedView(feed: FeedDefinition, state: FeedState, now: number) {
  return {
    id: feed.id,
    url: feed.apiRoot,
    collection: feed.collection,
    into: feed.into,
    partner: feed.partnerId,
    every: formatInterval(feed.everyMs),
    verify: feed.verify,
    ...(feed.vkey !== undefined
      ? { vkey: feed.vkey, vkeyPinnedBy: feed.vkeyPinnedBy, vkeyPinnedAt: feed.vkeyPinnedAt }
      : {}),
    ...tlsView(feed),
    cursor: state.cursor,
    health: { ...state.health, lagSeconds: lagSeconds(state.health, now) },
    ledger: {
      status: state.ledger.status,
      ...ledgerKey(feed, state),
      size: state.ledger.size,
      checkedAt: state.ledger.checkedAt,
      alarm: state.ledger.alarm,
    },
  }
}

/**
 * The key the feed checks the remote's checkpoints with, and where it came from: given out of band, seen
 * first (trust on first use), or followed along key changes from `followedFrom` (the key given or first seen).
 */
function ledgerKey(feed: FeedDefinition, state: FeedState) {
  const vkey = state.ledger.vkey ?? feed.vkey
  if (vkey === undefined) return {}
  const first = state.ledger.formerKeys?.[0]
  if (first !== undefined) return { vkey, keySource: 'followed' as const, followedFrom: first }
  return { vkey, keySource: vkey === feed.vkey ? ('given' as const) : ('first seen' as const) }
}

export function pushView(push: PushDefinition, state: PushState | undefined, now: number) {
  return {
    id: push.id,
    url: push.apiRoot,
    collection: push.collection,
    from: push.from,
    partner: push.partnerId,
    every: formatInterval(push.everyMs),
    ...tlsView(push),
    afterSeq: state?.afterSeq ?? 0,
    held: state?.held.length ?? 0,
    health: state ? { ...state.health, lagSeconds: lagSeconds(state.health, now) } : { status: 'new' },
  }
}

export async function listFeeds(ctx: FederationContext) {
  const now = ctx.now()
  return Promise.all(
    (await ctx.state.feeds()).map(async (f) => feedView(f, await ctx.state.feedState(f.id), now)),
  )
}

export async function listPushes(ctx: FederationContext) {
  const now = ctx.now()
  return Promise.all(
    (await ctx.state.pushes()).map(async (p) => pushView(p, await ctx.state.pushState(p.id), now)),
  )
}

/**
 * Clears a feed's ledger alarm after an administrator has dealt with it. The next poll checks the remote
 * ledger afresh: from `vkey` when given (it becomes the feed's key), else from the feed's given key, else
 * from the key the remote offers then (trust on first use).
 */
export async function clearAlarm(
  ctx: FederationContext,
  feedId: string,
  options: { vkey?: string; by?: string } = {},
): Promise<void> {
  const feed = await ctx.state.feed(feedId)
  if (!feed) throw new FederationError('not_found', `no feed "${feedId}"`)
  // clearing forgets the checkpoint the remote is checked against (and, without a given key, the key):
  // a stray clear on a healthy feed would drop that protection for nothing
  const before = await ctx.state.feedState(feedId)
  if (options.vkey === undefined && before.health.status !== 'alarm' && before.ledger.status !== 'alarm')
    throw new FederationError(
      'invalid',
      `feed "${feedId}" has no ledger alarm to clear (its ledger is ${before.ledger.status}); clearing would forget the checkpoint it checks the remote against`,
    )
  const vkey = givenVkey(options.vkey, feed.verify)
  if (vkey !== undefined)
    await ctx.state.putFeed({
      ...feed,
      vkey,
      vkeyPinnedBy: options.by ?? 'unknown',
      vkeyPinnedAt: new Date(ctx.now()).toISOString(),
    })
  const state = before
  state.ledger = { status: 'unverified' }
  if (state.health.status === 'alarm') state.health.status = 'ok'
  await ctx.state.putFeedState(feedId, state)
}
