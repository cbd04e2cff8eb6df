import { CliError } from '../errors.js'
import { parse, required } from '../options.js'
import { withServices } from '../store-session.js'
import { issuer } from './issuer.js'

const HELP = `Usage:
  sluice partners list [--json]
  sluice partners add --name NAME [--id ID] [--kind police|customs|coast-guard|border-guard|judicial|international|node|other] [--identity identity--UUID]`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    name: { type: 'string' },
    id: { type: 'string' },
    kind: { type: 'string' },
    identity: { type: 'string' },
    issuer: { type: 'string' },
    json: { type: 'boolean' },
  })
  const [action] = positionals
  if (values.help || !action) {
    process.stdout.write(`${HELP}\n`)
    if (!values.help) throw new CliError('say what to do: list or add', 2)
    return
  }
  await withServices(values, async ({ policy }) => {
    if (action === 'list') {
      const { partners, agreements } = await policy.history()
      if (values.json) return void process.stdout.write(`${JSON.stringify(partners, null, 2)}\n`)
      for (const p of partners) {
        const count = new Set(agreements.filter((a) => a.partner_id === p.id).map((a) => a.id)).size
        process.stdout.write(
          `${p.id.padEnd(20)} ${p.kind.padEnd(14)} ${p.name}  (${count} agreement${count === 1 ? '' : 's'})\n`,
        )
      }
      return
    }
    if (action === 'add') {
      const partner = await policy.addPartner(
        {
          name: required(values.name, 'name'),
          ...(values.id ? { id: values.id } : {}),
          ...(values.kind ? { kind: values.kind } : {}),
          ...(values.identity ? { identityId: values.identity } : {}),
        },
        issuer(values.issuer),
      )
      process.stdout.write(`${partner.id}\n`)
      return
    }
    throw new CliError(`unknown action "${action}"; use list or add`, 2)
  })
}
