import { type PinnedPartnerKey, partnerKeyPins, pinPartnerKey } from '../../federation/partner-keys.js'
import {
  issueWithdrawals,
  pendingWithdrawals,
  revokeObject,
  withdrawalListing,
} from '../../federation/withdrawals.js'
import { keyName } from '../../ledger/key-change.js'
import { CliError } from '../errors.js'
import { integer, onlyFor, parse, required } from '../options.js'
import { withFederation } from './feeds.js'
import { issuer } from './issuer.js'
import { reasonFlag } from './recorded-text.js'

const HELP = `Usage:
  sluice withdraw OBJECT_ID --reason "..." [--partner P]... [--revoke] [--issuer NAME]
  sluice withdraw list [--pending | --limit N] [--partner P] [--json]
  sluice withdraw pin-key --partner P --vkey VKEY [--issuer NAME]
  sluice withdraw keys [--json]

Withdraws an object from partners (default: every partner the ledger says received it). This node stops
serving it to them at once; their Sluice nodes apply the withdrawal on their next poll, stop passing it
on, and return a signed acknowledgement that is recorded in the ledger. --revoke also publishes a
revoked version (revoked: true), which reaches every recipient through its feed.
"list" shows the withdrawals not yet acknowledged, oldest first, then the acknowledged ones, newest first;
--limit N shows only the newest N acknowledged ones, "--pending" none.
Acknowledgements are checked with the partner node's key: "pin-key" pins the key its operators gave you
out of band ('sluice ledger key' on that node); without one, the key given to a feed from that partner
('feeds add --vkey') is used, and only without either does the first acknowledgement pin its own key.
"keys" lists the keys acknowledgements are checked with, and where each came from.`

/** Where a partner key came from, for `withdraw keys`. */
function pinOrigin(k: PinnedPartnerKey & { pending?: true }): string {
  if (k.pending)
    return `given ${k.pinnedAt} by ${k.pinnedBy} for feed ${k.fromFeed}; no acknowledgement checked with it yet`
  if (k.pinnedBy) return `pinned ${k.pinnedAt} by ${k.pinnedBy}`
  if (k.fromFeed)
    return `pinned ${k.pinnedAt} by its first acknowledgement, checked with the key of feed ${k.fromFeed}`
  return `pinned ${k.pinnedAt} by its first acknowledgement`
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      reason: { type: 'string' },
      partner: { type: 'string', multiple: true },
      revoke: { type: 'boolean' },
      pending: { type: 'boolean' },
      limit: { type: 'string' },
      issuer: { type: 'string' },
      vkey: { type: 'string' },
      json: { type: 'boolean' },
    },
    1,
  )
  const [target] = positionals
  if (values.help || !target) {
    process.stdout.write(`${HELP}\n`)
    if (!values.help) throw new CliError('name the object to withdraw, or "list"', 2)
    return
  }
  const objectOnly = ['OBJECT'] as const
  const action = target === 'list' || target === 'pin-key' || target === 'keys' ? target : 'OBJECT'
  onlyFor(values, action, {
    pending: ['list'],
    limit: ['list'],
    json: ['list', 'keys'],
    reason: objectOnly,
    revoke: objectOnly,
    issuer: ['OBJECT', 'pin-key'],
    vkey: ['pin-key'],
    partner: ['list', 'pin-key', 'OBJECT'],
  })
  if (action === 'pin-key' && (values.partner?.length ?? 0) !== 1)
    throw new CliError('pin-key takes one --partner', 2)
  const vkey = action === 'pin-key' ? required(values.vkey, 'vkey') : undefined
  if (values.pending && values.limit !== undefined)
    throw new CliError('--limit bounds the acknowledged withdrawals, which --pending leaves out: give one', 2)
  const limit = integer(values.limit, 'limit')
  await withFederation(values, async (ctx) => {
    if (action === 'pin-key') {
      const { pinned, previous } = await pinPartnerKey(ctx, values.partner![0]!, vkey!, issuer(values.issuer))
      const replaced =
        previous === undefined
          ? ''
          : previous === pinned.vkey
            ? ' (unchanged)'
            : ` (replacing ${keyName(previous)})`
      process.stdout.write(
        `acknowledgements from ${pinned.partner} are checked with ${keyName(pinned.vkey)} from now on${replaced}\n`,
      )
      return
    }
    if (action === 'keys') {
      const keys = await partnerKeyPins(ctx)
      if (values.json) return void process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`)
      if (keys.length === 0) return void process.stdout.write('no partner node key pinned\n')
      for (const k of keys) process.stdout.write(`${k.partner}  ${k.vkey}  ${pinOrigin(k)}\n`)
      return
    }
    if (target === 'list') {
      if ((values.partner?.length ?? 0) > 1) throw new CliError('list takes at most one --partner', 2)
      // an unknown partner is refused (exit 1), as everywhere, not listed as having none
      const partner = values.partner ? (await ctx.policy.partner(values.partner[0]!)).id : undefined
      const { withdrawals: list, acknowledgedLeftOut: leftOut } = values.pending
        ? { withdrawals: await pendingWithdrawals(ctx, partner), acknowledgedLeftOut: 0 }
        : await withdrawalListing(ctx, partner, limit)
      const note =
        leftOut > 0
          ? `${leftOut} older acknowledged withdrawal${leftOut === 1 ? '' : 's'} not shown (--limit)\n`
          : ''
      if (values.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`)
        return void process.stderr.write(note)
      }
      if (list.length === 0 && note === '')
        return void process.stdout.write(values.pending ? 'no withdrawals pending\n' : 'no withdrawals\n')
      for (const w of list) {
        const ack = w.acknowledgement
          ? `acknowledged ${w.acknowledgement.receivedAt} by ${w.acknowledgement.signer}`
          : 'NOT ACKNOWLEDGED'
        process.stdout.write(
          `${w.id}  ${w.kind.padEnd(9)} ${w.objectId}  ${w.partnerId}  ${w.createdAt}  ${ack}\n`,
        )
      }
      return void process.stdout.write(note)
    }
    const reason = reasonFlag(values.reason)
    const by = issuer(values.issuer)
    // an unknown partner is refused (exit 1), not taken for bad input
    const partners = values.partner
      ? await Promise.all(values.partner.map(async (p) => (await ctx.policy.partner(p)).id))
      : undefined
    const revoked = values.revoke ? await revokeObject(ctx, target, reason, by) : undefined
    const created =
      revoked?.withdrawals ??
      (await issueWithdrawals(ctx, {
        objectId: target,
        kind: 'withdrawn',
        reason,
        by,
        ...(partners ? { partners } : {}),
      }))
    // the revoked version is what reaches recipients that no withdrawal names: say it was published
    if (revoked)
      process.stdout.write(
        `${target} revoked: version ${revoked.version} (revoked: true) reaches every recipient through its feed\n`,
      )
    if (created.length === 0)
      process.stdout.write(
        'no partner to notify (none received it, or each already has an open withdrawal)\n',
      )
    for (const w of created) process.stdout.write(`${w.id}  ${w.partnerId}\n`)
  })
}
