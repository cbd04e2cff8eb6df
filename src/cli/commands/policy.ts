import { instantOr } from '../../services/policy-input.js'
import { explainObject, orderHistory, previewPartner } from '../../services/policy-views.js'
import { CliError } from '../errors.js'
import { parse, required } from '../options.js'
import { withServices } from '../store-session.js'

const HELP = `Usage:
  sluice policy explain --partner P --object ID [--at TIME] [--json]   why each stored version is or is not shared
  sluice policy preview --partner P [--at TIME] [--json]                what P would see, with counts
  sluice policy history [--partner P] [--json]                          orders with their state`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    partner: { type: 'string' },
    object: { type: 'string' },
    at: { type: 'string' },
    json: { type: 'boolean' },
  })
  const [action] = positionals
  if (values.help || !action) {
    process.stdout.write(`${HELP}\n`)
    if (!values.help) throw new CliError('say what to do: explain, preview or history', 2)
    return
  }
  const now = new Date().toISOString()
  const out = (value: unknown, text: () => string) =>
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`)
  await withServices(values, async ({ policy, store }) => {
    const at = instantOr(values.at, now, '--at')
    switch (action) {
      case 'explain': {
        const result = await explainObject(
          store,
          policy,
          required(values.partner, 'partner'),
          required(values.object, 'object'),
          at,
        )
        return out(result, () => result.map((e) => e.text).join('\n\n'))
      }
      case 'preview': {
        const counts = await previewPartner(store, policy, required(values.partner, 'partner'), at)
        return out(counts, () =>
          [
            `${values.partner} at ${at}: ${counts.allowed} shared, ${counts.redacted} shared redacted, ${counts.denied} withheld (of ${counts.total})`,
            ...Object.entries(counts.byCollection).map(
              ([c, n]) =>
                `  collection ${c}: ${n.allowed} shared, ${n.redacted} redacted, ${n.denied} withheld`,
            ),
            ...Object.entries(byKind(counts.deniedByReason)).map(
              ([kind, n]) => `  withheld because of ${kind}: ${n}`,
            ),
          ].join('\n'),
        )
      }
      case 'history': {
        const views = await orderHistory(policy, now, values.partner)
        return out(views, () =>
          views.length === 0
            ? 'no orders'
            : views
                .map(({ order, status, liftedAt }) =>
                  order.kind === 'suspension'
                    ? `${order.effective_from}  SUSPEND ${order.partner_id} ${order.scope ? JSON.stringify(order.scope) : '(everything)'}  [${status}${liftedAt ? ` until ${liftedAt}` : ''}]  ${order.id}\n    by ${order.issuer}: ${order.reason}${order.reference ? ` (ref ${order.reference})` : ''}; recorded ${order.recorded_at}`
                    : `${order.effective_from}  RESUME lifts ${order.lifts}  ${order.id}\n    by ${order.issuer}: ${order.reason}; recorded ${order.recorded_at}`,
                )
                .join('\n'),
        )
      }
      default:
        throw new CliError(`unknown action "${action}"; use explain, preview or history`, 2)
    }
  })
}

/** Reasons are keyed `kind:id`; the summary counts by kind (use --json for every id). */
function byKind(reasons: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [key, n] of Object.entries(reasons)) {
    const kind = key.split(':')[0]!
    out[kind] = (out[kind] ?? 0) + n
  }
  return out
}
