import { definePush, listPushes } from '../../federation/definitions.js'
import { runPush } from '../../federation/push.js'
import { CliError } from '../errors.js'
import { actionNames, actionOf, integer, onlyFor, operand, parse, required } from '../options.js'
import {
  healthLine,
  knownEnds,
  REMOTE_TLS_OPTIONS,
  remoteTlsFlags,
  reportFailedRun,
  withFederation,
} from './feeds.js'
import { issuer } from './issuer.js'

const HELP = `Usage:
  sluice pushes add --url API_ROOT_URL --collection ID --key KEY --from LOCAL_COLLECTION --partner PARTNER
                    [--every 30s] [--id ID] [--batch-size 500] [--auth bearer|basic]
                    [--client-cert FILE --client-key FILE] [--ca FILE]
  sluice pushes list [--json]
  sluice pushes run ID           one push cycle now, from this process
  sluice pushes remove ID

A push offers every version added to the local collection to the partner's TAXII collection. Each
cycle decides at send time, through the same gate as a TAXII read by that partner: a suspension stops
the next cycle, and what it holds back is delivered once the suspension is lifted. Everything sent is
recorded in the ledger before it leaves. --client-cert, --client-key and --ca work as for
"sluice feeds add": a client certificate for a peer that asks for one, a CA bundle to trust it by.`

const ACTIONS = { add: 0, list: 0, run: 1, remove: 1 } as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      url: { type: 'string' },
      collection: { type: 'string' },
      key: { type: 'string' },
      from: { type: 'string' },
      partner: { type: 'string' },
      every: { type: 'string' },
      id: { type: 'string' },
      'batch-size': { type: 'string' },
      auth: { type: 'string' },
      ...REMOTE_TLS_OPTIONS,
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
        'from',
        'partner',
        'every',
        'id',
        'batch-size',
        'auth',
        'issuer',
        ...Object.keys(REMOTE_TLS_OPTIONS),
      ].map((o) => [o, ['add'] as const]),
    ),
    json: ['list'],
  })
  const batchSize = integer(values['batch-size'], 'batch-size')
  await withFederation(values, async (ctx) => {
    if (action === 'add') {
      const ends = await knownEnds(ctx, required(values.partner, 'partner'), required(values.from, 'from'))
      const push = await definePush(
        ctx,
        {
          url: required(values.url, 'url'),
          collection: required(values.collection, 'collection'),
          key: required(values.key ?? process.env.SLUICE_PUSH_KEY, 'key'),
          from: ends.collection,
          partner: ends.partner,
          ...(values.every ? { every: values.every } : {}),
          ...(values.id ? { id: values.id } : {}),
          ...(batchSize ? { batchSize } : {}),
          ...(values.auth ? { auth: values.auth } : {}),
          ...remoteTlsFlags(values),
        },
        issuer(values.issuer),
      )
      process.stdout.write(`${push.id}\n`)
      return
    }
    if (action === 'list') {
      const pushes = await listPushes(ctx)
      if (values.json) return void process.stdout.write(`${JSON.stringify(pushes, null, 2)}\n`)
      if (pushes.length === 0)
        return void process.stdout.write('no pushes; add one with "sluice pushes add"\n')
      for (const p of pushes) {
        process.stdout.write(
          `${p.id}  ${p.from} -> ${p.url}collections/${p.collection}/  to ${p.partner} every ${p.every}\n`,
        )
        const h = p.health as Parameters<typeof healthLine>[0] & { counts?: Record<string, number> }
        process.stdout.write(
          `  ${'consecutiveFailures' in h ? healthLine(h) : 'NEW'}  sent ${h.counts?.sent ?? 0}  held ${p.held}\n`,
        )
      }
      return
    }
    const pushId = operand(id, 'push')
    const push = await ctx.state.push(pushId)
    if (!push) throw new CliError(`no push "${pushId}"`)
    if (action === 'run') {
      const state = await runPush(ctx, push)
      process.stdout.write(
        `${healthLine(state.health)}  sent ${state.health.counts.sent ?? 0}  held ${state.held.length}\n`,
      )
      reportFailedRun('push', state.health)
      return
    }
    if (action === 'remove') {
      await ctx.state.removePush(pushId)
      process.stdout.write(`${pushId} removed\n`)
    }
  })
}
