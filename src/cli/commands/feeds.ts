import { type FederationContext, federationContext } from '../../federation/context.js'
import { clearAlarm, defineFeed, feedView, listFeeds } from '../../federation/definitions.js'
import { FederationError } from '../../federation/errors.js'
import { PAGES_PER_POLL, pollFeed } from '../../federation/feed.js'
import { keyName } from '../../ledger/key-change.js'
import { resolveCollectionIds } from '../../services/collections.js'
import { CliError } from '../errors.js'
import { actionNames, actionOf, integer, onlyFor, operand, parse, required } from '../options.js'
import { withServices } from '../store-session.js'
import { feedCountsText } from './feed-counts.js'
import { issuer } from './issuer.js'

const HELP = `Usage:
  sluice feeds add --url API_ROOT_URL --collection ID --key KEY --into LOCAL_COLLECTION --partner PARTNER
                   [--every 30s] [--id ID] [--page-size 500] [--auth bearer|basic] [--verify auto|require|off]
                   [--node-url URL] [--client-cert FILE --client-key FILE] [--ca FILE] [--vkey VKEY]
  sluice feeds list [--json]
  sluice feeds poll ID            poll once now, from this process
  sluice feeds clear-alarm ID [--vkey VKEY [--issuer NAME]]
                                  check the remote ledger afresh after an alarm was dealt with (from VKEY,
                                  which becomes the feed's key, when given)
  sluice feeds remove ID

A feed pulls every version the remote collection adds (added_after + next), stores it in the local
collection with its provenance, and resumes from its cursor after a restart. --partner names the
partner (see "sluice partners list") the remote node is: it is recorded as the objects' origin, they
never go back to it, and its withdrawals are applied. A running node picks up new feeds within a second.
--verify auto follows the remote's ledger when it has one (Sluice nodes do); require fails without one.
--vkey is the remote node's verifier key as its operators gave it to you ('sluice ledger key' there): the
ledger is then checked from that key, not from the one the node offers on first contact.
Over HTTPS, --client-cert and --client-key present a client certificate to a peer that asks for one
(mutual TLS), and --ca trusts the peer by that CA bundle instead of the process's trust store; the
files are checked now and read again at each poll, so a renewed certificate needs no restart.`

/** The TLS options of `feeds add` and `pushes add` (empty values are refused by `parse`). */
export const REMOTE_TLS_OPTIONS = {
  'client-cert': { type: 'string' },
  'client-key': { type: 'string' },
  ca: { type: 'string' },
} as const

/** Those options as a feed or push definition takes them. */
export function remoteTlsFlags(values: { 'client-cert'?: string; 'client-key'?: string; ca?: string }) {
  return {
    ...(values['client-cert'] ? { clientCert: values['client-cert'] } : {}),
    ...(values['client-key'] ? { clientKey: values['client-key'] } : {}),
    ...(values.ca ? { ca: values.ca } : {}),
  }
}

/** Runs a federation action and turns its errors into CLI errors. */
export async function withFederation<T>(
  values: { data?: string | boolean; db?: string | boolean },
  work: (ctx: FederationContext) => Promise<T>,
): Promise<T> {
  return withServices(values, async (services) => {
    try {
      return await work(federationContext(services))
    } catch (error) {
      if (error instanceof FederationError)
        throw new CliError(error.message, error.code === 'invalid' ? 2 : 1)
      throw error
    }
  })
}

/**
 * The partner and local collection a feed or push names, as ids. The federation service calls an unknown
 * one invalid input; for the CLI, as for every command, a well-formed name that does not exist is refused.
 */
export async function knownEnds(
  ctx: FederationContext,
  partner: string,
  collection: string,
): Promise<{ partner: string; collection: string }> {
  const { id } = await ctx.policy.partner(partner)
  const [collectionId] = await resolveCollectionIds(ctx.store, [collection])
  return { partner: id, collection: collectionId! }
}

/** A run that failed says so on stderr too (exit 1), so a script that reads only stderr sees why. */
export function reportFailedRun(
  what: string,
  h: { consecutiveFailures: number; lastError?: { message: string } },
): void {
  if (h.consecutiveFailures === 0) return
  process.stderr.write(`sluice: the ${what} failed: ${h.lastError?.message ?? 'no reason recorded'}\n`)
  process.exitCode = 1
}

export function healthLine(h: {
  status: string
  lastSuccessAt?: string
  lagSeconds?: number | undefined
  consecutiveFailures: number
  lastError?: { message: string }
  more?: true
}): string {
  const lag = h.lagSeconds === undefined ? 'lag n/a' : `lag ${h.lagSeconds.toFixed(1)}s`
  const error =
    h.consecutiveFailures > 0 && h.lastError
      ? `  failing x${h.consecutiveFailures}: ${h.lastError.message}`
      : ''
  const more = h.more ? '  more remains' : ''
  return `${h.status.toUpperCase()}  last success ${h.lastSuccessAt ?? 'never'}  ${lag}${more}${error}`
}

/** A feed's health, counts and ledger state on one line, as `list` and `poll` print it. */
function feedLine(f: ReturnType<typeof feedView>): string {
  const alarm = f.ledger.alarm ? ` ALARM: ${f.ledger.alarm.reason}` : ''
  return `${healthLine(f.health)}  ${feedCountsText(f.health.counts)}  ledger ${f.ledger.status}${keyLine(f.ledger)}${alarm}`
}

/** `, key NAME (given)`: which key the feed checks the remote ledger with, and where it came from. */
function keyLine(ledger: { vkey?: string; keySource?: string; followedFrom?: string }): string {
  if (ledger.vkey === undefined) return ''
  const from = ledger.followedFrom === undefined ? '' : ` from ${keyName(ledger.followedFrom)}`
  return `, key ${keyName(ledger.vkey)} (${ledger.keySource}${from})`
}

const ACTIONS = { add: 0, list: 0, poll: 1, 'clear-alarm': 1, remove: 1 } as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      url: { type: 'string' },
      collection: { type: 'string' },
      key: { type: 'string' },
      into: { type: 'string' },
      partner: { type: 'string' },
      every: { type: 'string' },
      id: { type: 'string' },
      'page-size': { type: 'string' },
      auth: { type: 'string' },
      ...REMOTE_TLS_OPTIONS,
      verify: { type: 'string' },
      'node-url': { type: 'string' },
      vkey: { type: 'string' },
      issuer: { type: 'string' },
      json: { type: 'boolean' },
    },
    ACTIONS,
  )
  const [given, id] = positionals
  if (values.help || !given) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(given, actionNames(ACTIONS))
  // only \`add\` defines; the other actions name the definition by its id
  onlyFor(values, action, {
    ...Object.fromEntries(
      [
        'url',
        'collection',
        'key',
        'into',
        'partner',
        'every',
        'id',
        'page-size',
        'auth',
        'verify',
        'node-url',
        ...Object.keys(REMOTE_TLS_OPTIONS),
      ].map((o) => [o, ['add'] as const]),
    ),
    json: ['list'],
    vkey: ['add', 'clear-alarm'],
    issuer: ['add', 'clear-alarm'],
  })
  const pageSize = integer(values['page-size'], 'page-size')
  await withFederation(values, async (ctx) => {
    if (action === 'add') {
      const ends = await knownEnds(ctx, required(values.partner, 'partner'), required(values.into, 'into'))
      const feed = await defineFeed(
        ctx,
        {
          url: required(values.url, 'url'),
          collection: required(values.collection, 'collection'),
          key: required(values.key ?? process.env.SLUICE_FEED_KEY, 'key'),
          into: ends.collection,
          partner: ends.partner,
          ...(values.every ? { every: values.every } : {}),
          ...(values.id ? { id: values.id } : {}),
          ...(pageSize ? { pageSize } : {}),
          ...(values.auth ? { auth: values.auth } : {}),
          ...remoteTlsFlags(values),
          ...(values.verify ? { verify: values.verify } : {}),
          ...(values['node-url'] ? { nodeUrl: values['node-url'] } : {}),
          ...(values.vkey !== undefined ? { vkey: values.vkey } : {}),
        },
        issuer(values.issuer),
      )
      process.stdout.write(`${feed.id}\n`)
      return
    }
    if (action === 'list') {
      const feeds = await listFeeds(ctx)
      if (values.json) return void process.stdout.write(`${JSON.stringify(feeds, null, 2)}\n`)
      if (feeds.length === 0) return void process.stdout.write('no feeds; add one with "sluice feeds add"\n')
      for (const f of feeds) {
        process.stdout.write(
          `${f.id}  ${f.url}collections/${f.collection}/ -> ${f.into}  from ${f.partner} every ${f.every}\n`,
        )
        process.stdout.write(`  ${feedLine(f)}\n`)
      }
      return
    }
    const feedId = operand(id, 'feed')
    if (action === 'poll') {
      const feed = await ctx.state.feed(feedId)
      if (!feed) throw new CliError(`no feed "${feedId}"`)
      const state = await pollFeed(ctx, feed)
      const view = feedView(feed, state, Date.now())
      process.stdout.write(`${feedLine(view)}\n`)
      if (state.health.more)
        process.stdout.write(
          `more remains: this poll stopped after ${PAGES_PER_POLL} pages; the next one continues from the saved cursor (run "sluice feeds poll ${feedId}" again, or a running node's scheduler does at its next run)\n`,
        )
      reportFailedRun('poll', state.health)
      // what was received is kept, but a remote whose ledger does not check out is not to be relied on
      if (view.ledger.alarm) {
        process.stderr.write(
          `sluice: the remote's ledger is in alarm: ${view.ledger.alarm.reason} (evidence: "sluice feeds list --json"; after dealing with it, "sluice feeds clear-alarm ${feedId}")\n`,
        )
        process.exitCode = 1
      }
      return
    }
    if (action === 'clear-alarm') {
      if (values.issuer !== undefined && values.vkey === undefined)
        throw new CliError('--issuer names who gave --vkey: give both, or neither', 2)
      const feed = await ctx.state.feed(feedId)
      await clearAlarm(
        ctx,
        feedId,
        values.vkey !== undefined ? { vkey: values.vkey, by: issuer(values.issuer) } : {},
      )
      const from =
        values.vkey !== undefined || feed?.vkey !== undefined
          ? "from the feed's verifier key"
          : 'pinning the key the remote offers then'
      process.stdout.write(
        `${feedId}: alarm cleared; the next poll checks the remote ledger afresh, ${from}\n`,
      )
      return
    }
    if (action === 'remove') {
      if (!(await ctx.state.feed(feedId))) throw new CliError(`no feed "${feedId}"`)
      await ctx.state.removeFeed(feedId)
      process.stdout.write(`${feedId} removed (received objects and their provenance stay)\n`)
    }
  })
}
