import { resolveCollectionIds } from '../../services/collections.js'
import { stringList } from '../../services/policy-input.js'
import { CliError } from '../errors.js'
import { parse, required } from '../options.js'
import { withServices } from '../store-session.js'
import { issuer } from './issuer.js'

const HELP = `Usage:
  sluice agreements list [--partner P] [--json]
  sluice agreements add --partner P --collections C1,C2|'*' --max-tlp clear|green|amber|amber+strict|red
                        [--types T1,T2] [--caveats MARKING_IDS] [--required-labels L] [--forbidden-labels L]
                        [--required-markings M] [--forbidden-markings M] [--valid-from T] [--valid-until T] [--at T]
                        [--default-tlp LEVEL] [--admiralty-reliability A,B] [--admiralty-credibility 1,2,3]
                        [--evaluation-source A,B] [--evaluation-information 1,2] [--ungraded allow|deny]
  sluice agreements amend AGREEMENT_ID (same options as add; replaces the terms from --at, default now)
  sluice agreements withdraw AGREEMENT_ID [--at T]

Every change is a new version; the earlier versions stay in the history and the ledger.`

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    partner: { type: 'string' },
    collections: { type: 'string' },
    'max-tlp': { type: 'string' },
    types: { type: 'string' },
    caveats: { type: 'string' },
    'required-labels': { type: 'string' },
    'forbidden-labels': { type: 'string' },
    'required-markings': { type: 'string' },
    'forbidden-markings': { type: 'string' },
    'valid-from': { type: 'string' },
    'valid-until': { type: 'string' },
    at: { type: 'string' },
    'default-tlp': { type: 'string' },
    'admiralty-reliability': { type: 'string' },
    'admiralty-credibility': { type: 'string' },
    'evaluation-source': { type: 'string' },
    'evaluation-information': { type: 'string' },
    ungraded: { type: 'string' },
    issuer: { type: 'string' },
    json: { type: 'boolean' },
  })
  const [action, id] = positionals
  if (values.help || !action) {
    process.stdout.write(`${HELP}\n`)
    if (!values.help) throw new CliError('say what to do: list, add, amend or withdraw', 2)
    return
  }
  await withServices(values, async ({ policy, store }) => {
    if (action === 'list') {
      const { agreements } = await policy.history()
      const shown = values.partner ? agreements.filter((a) => a.partner_id === values.partner) : agreements
      if (values.json) return void process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
      for (const a of shown) {
        const cols = a.collections === '*' ? '*' : a.collections.join(',')
        process.stdout.write(
          `${a.id} v${a.version}  ${a.partner_id}  collections=${cols}  max_tlp=${a.max_tlp}  from ${a.effective_from}${a.withdrawn ? '  WITHDRAWN' : ''}\n`,
        )
      }
      return
    }
    if (action === 'withdraw') {
      const agreementId = required(id, 'agreement id')
      const current = (await policy.history()).agreements.filter((a) => a.id === agreementId).at(-1)
      if (!current) throw new CliError(`no agreement "${agreementId}"`)
      const a = await policy.putAgreement(
        {
          id: agreementId,
          partner: current.partner_id,
          collections: current.collections === '*' ? '*' : [...current.collections],
          types: current.object_types === '*' ? '*' : [...current.object_types],
          maxTlp: current.max_tlp,
          withdrawn: true,
          ...(values.at ? { at: values.at } : {}),
        },
        issuer(values.issuer),
      )
      process.stdout.write(`${a.id} v${a.version} withdrawn from ${a.effective_from}\n`)
      return
    }
    if (action !== 'add' && action !== 'amend')
      throw new CliError(`unknown action "${action}"; use list, add, amend or withdraw`, 2)
    const collections = required(values.collections, 'collections')
    const list = (v: string | undefined) => (v === undefined ? undefined : stringList(v, 'list'))
    const a = await policy.putAgreement(
      {
        ...(action === 'amend' ? { id: required(id, 'agreement id') } : {}),
        partner: required(values.partner, 'partner'),
        collections:
          collections === '*'
            ? '*'
            : await resolveCollectionIds(store, stringList(collections, 'collections') ?? []),
        types: values.types === undefined || values.types === '*' ? '*' : (list(values.types) ?? '*'),
        maxTlp: required(values['max-tlp'], 'max-tlp'),
        ...(values.caveats ? { caveats: list(values.caveats)! } : {}),
        ...(values['required-labels'] ? { requiredLabels: list(values['required-labels'])! } : {}),
        ...(values['forbidden-labels'] ? { forbiddenLabels: list(values['forbidden-labels'])! } : {}),
        ...(values['required-markings'] ? { requiredMarkings: list(values['required-markings'])! } : {}),
        ...(values['forbidden-markings'] ? { forbiddenMarkings: list(values['forbidden-markings'])! } : {}),
        ...(values['valid-from'] ? { validFrom: values['valid-from'] } : {}),
        ...(values['valid-until'] ? { validUntil: values['valid-until'] } : {}),
        ...(values.at ? { at: values.at } : {}),
        ...(values['default-tlp'] ? { defaultTlp: values['default-tlp'] } : {}),
        ...(values['admiralty-reliability']
          ? { admiraltyReliability: list(values['admiralty-reliability'])! }
          : {}),
        ...(values['admiralty-credibility']
          ? { admiraltyCredibility: list(values['admiralty-credibility'])! }
          : {}),
        ...(values['evaluation-source'] ? { evaluationSource: list(values['evaluation-source'])! } : {}),
        ...(values['evaluation-information']
          ? { evaluationInformation: list(values['evaluation-information'])! }
          : {}),
        ...(values.ungraded ? { ungraded: values.ungraded } : {}),
      },
      issuer(values.issuer),
    )
    process.stdout.write(`${a.id} v${a.version}\n`)
  })
}
