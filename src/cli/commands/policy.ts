import { scopeText } from '../../services/console-partner.js'
import {
  explainObject,
  type OrderView,
  orderHistory,
  previewPartner,
  type VersionExplanation,
} from '../../services/policy-views.js'
import { isIdentifier } from '../../stix/identifier.js'
import { collectionLabels, labelCollections } from '../collection-labels.js'
import { actionOf, badValue, instant, onlyFor, parse, required } from '../options.js'
import { withServices } from '../store-session.js'

const HELP = `Usage:
  sluice policy explain --partner P --object ID [--at TIME] [--json]   why each stored version is or is not shared
  sluice policy preview --partner P [--at TIME] [--json]                what P would see, with counts
  sluice policy history [--partner P] [--json]                          orders with their state

explain lists versions newest first; with --at, a version stored after TIME is marked as not existing yet.
history lists orders by the time they take effect (then by the time they were recorded).`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      partner: { type: 'string' },
      object: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean' },
    },
    { explain: 0, preview: 0, history: 0 },
  )
  if (values.help || !positionals[0]) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(positionals[0], ['explain', 'preview', 'history'] as const)
  onlyFor(values, action, { object: ['explain'], at: ['explain', 'preview'] })
  const now = new Date().toISOString()
  const at = instant(values.at, 'at') ?? now
  const object = action === 'explain' ? required(values.object, 'object') : undefined
  if (object !== undefined && !isIdentifier(object))
    badValue('object', 'a STIX identifier such as indicator--<uuid>')
  const out = (value: unknown, text: () => string) =>
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`)
  await withServices(values, async ({ policy, store }) => {
    const labels = await collectionLabels(store)
    switch (action) {
      case 'explain': {
        const result = await explainObject(store, policy, required(values.partner, 'partner'), object!, at)
        return out(result, () => result.map((e) => labelCollections(versionText(e), labels)).join('\n\n'))
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
                  '    (each object counted once, under the first of its reasons)',
                ]
              : []),
            ...Object.entries(byKind(counts.deniedByReason)).map(([kind, n]) => `    ${kind}: ${n}`),
            ...counts.recordedLater.map(
              (o) =>
                `  note: ${o.kind} ${o.order} is counted as in effect (from ${stamp(o.effective_from)}), but it was recorded at ${stamp(o.recorded_at)}: reads at ${at} did not yet apply it`,
            ),
          ].join('\n'),
        )
      }
      case 'history': {
        const views = await orderHistory(policy, now, values.partner)
        return out(views, () =>
          views.length === 0 ? 'no orders' : views.map((view) => historyText(view, labels)).join('\n'),
        )
      }
    }
  })
}

/** The CLI's one timestamp format (RFC 3339 UTC with milliseconds), whatever the order was given with. */
function stamp(text: string): string {
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? text : new Date(ms).toISOString()
}

function versionText(e: VersionExplanation): string {
  return `version ${e.version ?? '(none)'}, stored ${stamp(e.dateAdded)}\n${e.text}`
}

/** Two lines per order: when it takes effect and what it does, then who gave it and why. */
function historyText(view: OrderView, labels: Map<string, string>): string {
  const { order } = view
  const head =
    order.kind === 'suspension'
      ? `SUSPEND ${order.partner_id} (${scopeText(order.scope, labels)})  [${suspensionState(view)}]`
      : `RESUME lifts ${order.lifts}${resumptionState(view)}`
  const ref = order.kind === 'suspension' && order.reference ? ` (ref ${order.reference})` : ''
  // the effective time leads the line; the recorded one is worth a look only when it differs (a backdated order)
  const recorded =
    stamp(order.recorded_at) === stamp(order.effective_from) ? '' : `; recorded ${stamp(order.recorded_at)}`
  // a reason's further lines stay indented under it, so none can pass for an entry of the history
  const reason = order.reason.replaceAll('\n', '\n      ')
  return `${stamp(order.effective_from)}  ${head}  ${order.id}\n    by ${order.issuer}: ${reason}${ref}${recorded}`
}

/** How either kind of order says it was backdated; empty when it was not. */
function backdatedText(view: OrderView): string {
  return view.backdatedUntil ? `BACKDATED, applied to reads from ${stamp(view.backdatedUntil)}` : ''
}

/** A resumption's state, if it is anything but plainly in effect. */
function resumptionState(view: OrderView): string {
  if (view.supersededBy) return `  [superseded: ${view.supersededBy} lifts it earlier]`
  // reads before it was recorded were refused under the suspension all the same
  const backdated = backdatedText(view)
  if (view.cancels) return `  [cancels it: it never comes into force${backdated ? `; ${backdated}` : ''}]`
  if (view.scheduled) return '  [scheduled]'
  return backdated ? `  [${backdated}]` : ''
}

/** A suspension's state; once a resumption lifts it, the span it was in force, or until when it will be. */
function suspensionState(view: OrderView): string {
  const { order, status, liftedAt, liftedBy, liftScheduled, backdatedUntil } = view
  // a backdated order is in the record from its effective time, but no read before it was recorded obeyed it
  const applied = backdatedText(view)
  if (liftedAt === undefined) return backdatedUntil ? `${status}, ${applied}` : status
  if (view.cancelled) return `cancelled by ${liftedBy}, never in force`
  const note = backdatedUntil ? `; ${applied}` : ''
  if (liftScheduled) return `${status}, until ${stamp(liftedAt)} when ${liftedBy} lifts it (scheduled)${note}`
  return `in force ${stamp(order.effective_from)} – ${stamp(liftedAt)}, lifted by ${liftedBy}${note}`
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
