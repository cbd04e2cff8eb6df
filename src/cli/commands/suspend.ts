import { ABOVE_TLP_LEVELS } from '../../policy/tlp.js'
import { resolveCollectionIds } from '../../services/collections.js'
import { scopeText } from '../../services/console-partner.js'
import { warnIfBackdated } from '../backdated.js'
import { collectionLabels } from '../collection-labels.js'
import { CliError } from '../errors.js'
import { instant, oneOf, parse } from '../options.js'
import { withServices } from '../store-session.js'
import { issuer } from './issuer.js'
import { reasonFlag, referenceFlag } from './recorded-text.js'

const HELP = `Usage: sluice suspend PARTNER --reason "..." [--collection C]... [--type T]... [--marking M]... [--label L]...
                      [--above-tlp ${ABOVE_TLP_LEVELS.join('|')}] [--at TIME] [--reference REF] [--issuer NAME]

Without a narrowing option the order suspends everything to the partner. Narrowing options combine
(all must match); repeating one widens it (any value). --at schedules the order; default now.
Prints the order id, which "sluice resume" takes.`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      collection: { type: 'string', multiple: true },
      type: { type: 'string', multiple: true },
      marking: { type: 'string', multiple: true },
      label: { type: 'string', multiple: true },
      'above-tlp': { type: 'string' },
      at: { type: 'string' },
      reason: { type: 'string' },
      reference: { type: 'string' },
      issuer: { type: 'string' },
    },
    1,
  )
  if (values.help) return void process.stdout.write(`${HELP}\n`)
  const partner = positionals[0]
  if (!partner) throw new CliError('name the partner to suspend (see "sluice partners list")', 2)
  const reason = reasonFlag(values.reason)
  const reference = referenceFlag(values.reference)
  const aboveTlp = oneOf(values['above-tlp'], ABOVE_TLP_LEVELS, 'above-tlp')
  const at = instant(values.at, 'at')
  await withServices(values, async ({ policy, store }) => {
    const order = await policy.suspend({
      partner,
      reason,
      issuer: issuer(values.issuer),
      ...(values.collection ? { collections: await resolveCollectionIds(store, values.collection) } : {}),
      ...(values.type ? { types: values.type } : {}),
      ...(values.marking ? { markings: values.marking } : {}),
      ...(values.label ? { labels: values.label } : {}),
      ...(aboveTlp ? { aboveTlp } : {}),
      ...(at ? { at } : {}),
      ...(reference ? { reference } : {}),
    })
    warnIfBackdated(order)
    // the words "policy history" uses, so the confirmation reads the same as the record
    const scope = scopeText(order.scope, await collectionLabels(store))
    process.stdout.write(
      `${order.id}\nsuspension of ${order.partner_id} effective ${order.effective_from}: ${scope}\n`,
    )
  })
}
