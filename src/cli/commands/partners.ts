import { IDENTITY_ID, PARTNER_ID, PARTNER_KINDS } from '../../services/policy-service.js'
import { actionNames, actionOf, badValue, oneOf, onlyFor, parse, required } from '../options.js'
import { withServices } from '../store-session.js'
import { issuer } from './issuer.js'

const HELP = `Usage:
  sluice partners list [--json]
  sluice partners add --name NAME [--id ID] [--kind ${PARTNER_KINDS.join('|')}] [--identity identity--UUID]`

const ACTIONS = { list: 0, add: 0 } as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      name: { type: 'string' },
      id: { type: 'string' },
      kind: { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'string' },
      json: { type: 'boolean' },
    },
    ACTIONS,
  )
  if (values.help || !positionals[0]) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(positionals[0], actionNames(ACTIONS))
  const adding = ['add'] as const
  onlyFor(values, action, {
    name: adding,
    id: adding,
    kind: adding,
    identity: adding,
    issuer: adding,
    json: ['list'],
  })
  if (action === 'list') {
    return withServices(values, async ({ policy }) => {
      const { partners, agreements } = await policy.history()
      if (values.json) return void process.stdout.write(`${JSON.stringify(partners, null, 2)}\n`)
      if (partners.length === 0) process.stdout.write('no partners\n')
      for (const p of partners) {
        const count = new Set(agreements.filter((a) => a.partner_id === p.id).map((a) => a.id)).size
        process.stdout.write(
          `${p.id.padEnd(20)} ${p.kind.padEnd(14)} ${p.name}  (${count} agreement${count === 1 ? '' : 's'})\n`,
        )
      }
    })
  }
  const name = required(values.name, 'name')
  const kind = oneOf(values.kind, PARTNER_KINDS, 'kind')
  if (values.id !== undefined && !PARTNER_ID.test(values.id))
    badValue('id', '2-63 lowercase letters, digits or hyphens')
  if (values.identity !== undefined && !IDENTITY_ID.test(values.identity))
    badValue('identity', 'identity--<uuid>')
  await withServices(values, async ({ policy }) => {
    const partner = await policy.addPartner(
      {
        name,
        ...(values.id ? { id: values.id } : {}),
        ...(kind ? { kind } : {}),
        ...(values.identity ? { identityId: values.identity } : {}),
      },
      issuer(values.issuer),
    )
    process.stdout.write(`${partner.id}\n`)
  })
}
