import { scopeText } from '../../services/console-partner.js'
import { explainObject, type OrderView, orderHistory, previewPartner } from '../../services/policy-views.js'
import { collectionLabels, labelCollections } from '../collection-labels.js'
import { actionOf, instant, parse, required } from '../options.js'
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
  if (values.help || !positionals[0]) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(positionals[0], ['explain', 'preview', 'history'] as const)
  const now = new Date().toISOString()
  const at = instant(values.at, 'at') ?? now
  const out = (value: unknown, text: () => string) =>
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`)
  await withServices(values, async ({ policy, store }) => {
    const labels = await collectionLabels(store)
    switch (action) {
      case 'explain': {
        const result = await explainObject(
          store,
          policy,
          required(values.partner, 'partner'),
          required(values.object, 'object'),
          at,
        )
        return out(result, () => result.map((e) => labelCollections(e.text, labels)).join('\n\n'))
      }
      case 'preview': {
        const counts = await previewPartner(store, policy, required(values.partner, 'partner'), at)
        return out(counts, () =>
          [
            `${values.partner} at ${at}: ${counts.allowed} shared, ${counts.redacted} shared redacted, ${counts.denied} withheld (of ${counts.total})`,
            ...Object.entries(counts.byCollection).map(
              ([c, n]) =>
                `  collection ${labels.get(c) ?? c}: ${n.allowed} shared, ${n.redacted} redacted, ${n.denied} withheld`,
            ),
            ...(Object.keys(counts.deniedByReason).length > 0
              ? [
                  '  withheld objects by reason (one object can have several; see docs/POLICY.md for each kind):',
                ]
              : []),
            ...Object.entries(byKind(counts.deniedByReason)).map(([kind, n]) => `    ${kind}: ${n}`),
          ].join('\n'),
        )
      }
      case 'history': {
        const views = await orderHistory(policy, now, values.partner)
        return out(views, () =>
          views.length === 0
            ? 'no orders'
            : views
                .map((view) => {
                  const { order } = view
                  return order.kind === 'suspension'
                    ? `${order.effective_from}  SUSPEND ${order.partner_id} (${scopeText(order.scope, labels)})  [${suspensionState(view)}]  ${order.id}\n    by ${order.issuer}: ${order.reason}${order.reference ? ` (ref ${order.reference})` : ''}; recorded ${order.recorded_at}`
                    : `${order.effective_from}  RESUME lifts ${order.lifts}  ${order.id}\n    by ${order.issuer}: ${order.reason}; recorded ${order.recorded_at}`
                })
                .join('\n'),
        )
      }
    }
  })
}

/** A suspension's state; once a resumption lifts it, the span it was (or will be) in force and by what. */
function suspensionState({ order, status, liftedAt, liftedBy }: OrderView): string {
  if (liftedAt === undefined) return status
  return `${status === 'lifted' ? 'in force' : status} ${order.effective_from} – ${liftedAt}, lifted by ${liftedBy}`
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
