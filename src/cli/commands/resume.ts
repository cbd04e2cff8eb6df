import { cancels } from '../../policy/lifting.js'
import type { Suspension } from '../../policy/types.js'
import { warnIfBackdated } from '../backdated.js'
import { CliError } from '../errors.js'
import { refuseUnderFourEyes } from '../four-eyes-guard.js'
import { instant, parse } from '../options.js'
import { withServices } from '../store-session.js'
import { issuer } from './issuer.js'
import { reasonFlag } from './recorded-text.js'

const HELP = `Usage: sluice resume ORDER_ID --reason "..." [--at TIME] [--issuer NAME]

Issues a resumption order that lifts the suspension ORDER_ID (see "sluice policy history").
Without --at it takes effect now; for a suspension not yet in force, at that suspension's start,
which cancels it. A lift already scheduled for later can be brought forward by another one.`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      at: { type: 'string' },
      reason: { type: 'string' },
      issuer: { type: 'string' },
    },
    1,
  )
  if (values.help) return void process.stdout.write(`${HELP}\n`)
  const orderId = positionals[0]
  if (!orderId) throw new CliError('name the suspension order to lift', 2)
  const at = instant(values.at, 'at')
  const reason = reasonFlag(values.reason)
  const by = issuer(values.issuer)
  await withServices(values, async ({ policy, store }) => {
    // an unknown order is the service's to refuse, as over the API
    const { orders } = await policy.history()
    if (orders.some((o) => o.id === orderId && o.kind === 'suspension'))
      await refuseUnderFourEyes(store, 'lifting a suspension', `POST /admin/orders/${orderId}/resume`)
    const order = await policy.resume({
      order: orderId,
      reason,
      issuer: by,
      ...(at ? { at } : {}),
    })
    warnIfBackdated(order)
    const suspension = orders.find((o): o is Suspension => o.id === order.lifts && o.kind === 'suspension')!
    const note = cancels(order, suspension) ? ' (cancels it: the suspension never comes into force)' : ''
    process.stdout.write(
      `${order.id}\nresumption of ${order.lifts} effective ${order.effective_from}${note}\n`,
    )
  })
}
