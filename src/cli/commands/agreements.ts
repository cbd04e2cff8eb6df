import {
  ADMIRALTY_CREDIBILITY,
  ADMIRALTY_RELIABILITY,
  EVALUATION_INFORMATION,
  EVALUATION_SOURCE,
} from '../../policy/grading.js'
import { TLP_LEVELS, tlpRank } from '../../policy/tlp.js'
import { resolveCollectionIds } from '../../services/collections.js'
import { stringList } from '../../services/policy-input.js'
import { CliError } from '../errors.js'
import { refuseUnderFourEyes } from '../four-eyes-guard.js'
import {
  actionNames,
  actionOf,
  instant,
  oneOf,
  onlyFor,
  operand,
  parse,
  required,
  someOf,
} from '../options.js'
import { withServices } from '../store-session.js'
import { agreementText } from './agreement-text.js'
import { issuer } from './issuer.js'

const HELP = `Usage:
  sluice agreements list [--partner P] [--json]
  sluice agreements add --partner P --collections C1,C2|'*' --max-tlp ${TLP_LEVELS.join('|')}
                        [--types T1,T2] [--caveats MARKING_IDS] [--required-labels L] [--forbidden-labels L]
                        [--required-markings M] [--forbidden-markings M] [--valid-from T] [--valid-until T] [--at T]
                        [--default-tlp LEVEL] [--admiralty-reliability A,B] [--admiralty-credibility 1,2,3]
                        [--evaluation-source A,B] [--evaluation-information 1,2] [--ungraded allow|deny]
  sluice agreements amend AGREEMENT_ID (options as add, --partner optional; replaces the terms from --at, default now)
  sluice agreements withdraw AGREEMENT_ID [--at T]

Every change is a new version; the earlier versions stay in the history and the ledger.`

const ACTIONS = { list: 0, add: 0, amend: 1, withdraw: 1 } as const

/** What an agreement says: only `add` and `amend` take these. */
const TERM_OPTIONS = [
  'collections',
  'max-tlp',
  'types',
  'caveats',
  'required-labels',
  'forbidden-labels',
  'required-markings',
  'forbidden-markings',
  'valid-from',
  'valid-until',
  'default-tlp',
  'admiralty-reliability',
  'admiralty-credibility',
  'evaluation-source',
  'evaluation-information',
  'ungraded',
] as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
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
    },
    ACTIONS,
  )
  const [given, id] = positionals
  if (values.help || !given) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(given, actionNames(ACTIONS))
  const terms = ['add', 'amend'] as const
  const changes = ['add', 'amend', 'withdraw'] as const
  onlyFor(values, action, {
    partner: ['list', ...terms],
    json: ['list'],
    at: changes,
    issuer: changes,
    ...Object.fromEntries(TERM_OPTIONS.map((option) => [option, terms])),
  })
  const at = instant(values.at, 'at')
  const maxTlp = oneOf(values['max-tlp'], TLP_LEVELS, 'max-tlp')
  const defaultTlp = oneOf(values['default-tlp'], TLP_LEVELS, 'default-tlp')
  const validFrom = instant(values['valid-from'], 'valid-from')
  const validUntil = instant(values['valid-until'], 'valid-until')
  const ungraded = oneOf(values.ungraded, ['allow', 'deny'] as const, 'ungraded')
  const reliability = someOf(values['admiralty-reliability'], ADMIRALTY_RELIABILITY, 'admiralty-reliability')
  const credibility = someOf(values['admiralty-credibility'], ADMIRALTY_CREDIBILITY, 'admiralty-credibility')
  const source = someOf(values['evaluation-source'], EVALUATION_SOURCE, 'evaluation-source')
  const information = someOf(
    values['evaluation-information'],
    EVALUATION_INFORMATION,
    'evaluation-information',
  )
  await withServices(values, async ({ policy, store }) => {
    if (action === 'list') {
      const { agreements } = await policy.history()
      // an unknown partner is refused rather than shown an empty list; a name is as good as the id
      const partner = values.partner ? (await policy.partner(values.partner)).id : undefined
      const shown = partner ? agreements.filter((a) => a.partner_id === partner) : agreements
      if (values.json) return void process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
      if (shown.length === 0)
        process.stdout.write(partner ? `no agreements for ${partner}\n` : 'no agreements\n')
      const aliases = new Map(
        (await store.listCollections()).flatMap((c) => (c.alias ? [[c.id, c.alias] as const] : [])),
      )
      for (const a of shown) process.stdout.write(`${agreementText(a, aliases)}\n`)
      return
    }
    if (action === 'withdraw') {
      const agreementId = operand(id, 'agreement')
      const current = await policy.latestAgreement(agreementId)
      if (!current) throw new CliError(`no agreement "${agreementId}"`)
      const a = await policy.putAgreement(
        {
          id: agreementId,
          partner: current.partner_id,
          collections: current.collections === '*' ? '*' : [...current.collections],
          types: current.object_types === '*' ? '*' : [...current.object_types],
          maxTlp: current.max_tlp,
          withdrawn: true,
          ...(at ? { at } : {}),
        },
        issuer(values.issuer),
      )
      process.stdout.write(`${a.id} v${a.version} withdrawn from ${a.effective_from}\n`)
      return
    }
    // a new agreement always widens what flows; an amendment may, and the API judges that with a second officer
    await refuseUnderFourEyes(
      store,
      action === 'add' ? 'a new agreement' : 'amending an agreement',
      'POST /admin/agreements (a narrowing amendment takes effect there at once)',
    )
    // which agreement first: "--collections is required" would send the officer to the wrong omission
    const amended = action === 'amend' ? operand(id, 'agreement') : undefined
    const collections = required(values.collections, 'collections')
    const list = (v: string | undefined) => (v === undefined ? undefined : stringList(v, 'list'))
    const before = amended ? await policy.latestAgreement(amended) : undefined
    const a = await policy.putAgreement(
      {
        ...(amended ? { id: amended } : {}),
        // an amendment stays with its agreement's partner, so it need not be named again
        ...(action === 'add' || values.partner !== undefined
          ? { partner: required(values.partner, 'partner') }
          : {}),
        collections:
          collections === '*'
            ? '*'
            : await resolveCollectionIds(store, stringList(collections, 'collections') ?? []),
        types: values.types === undefined || values.types === '*' ? '*' : (list(values.types) ?? '*'),
        maxTlp: required(maxTlp, 'max-tlp'),
        ...(values.caveats ? { caveats: list(values.caveats)! } : {}),
        ...(values['required-labels'] ? { requiredLabels: list(values['required-labels'])! } : {}),
        ...(values['forbidden-labels'] ? { forbiddenLabels: list(values['forbidden-labels'])! } : {}),
        ...(values['required-markings'] ? { requiredMarkings: list(values['required-markings'])! } : {}),
        ...(values['forbidden-markings'] ? { forbiddenMarkings: list(values['forbidden-markings'])! } : {}),
        ...(validFrom ? { validFrom } : {}),
        ...(validUntil ? { validUntil } : {}),
        ...(at ? { at } : {}),
        ...(defaultTlp ? { defaultTlp } : {}),
        ...(reliability ? { admiraltyReliability: reliability } : {}),
        ...(credibility ? { admiraltyCredibility: credibility } : {}),
        ...(source ? { evaluationSource: source } : {}),
        ...(information ? { evaluationInformation: information } : {}),
        ...(ungraded ? { ungraded } : {}),
      },
      issuer(values.issuer),
    )
    process.stdout.write(`${a.id} v${a.version}\n`)
    // an amendment of a withdrawn agreement brings it back into force: said, since it reads as a change of terms
    if (before?.withdrawn)
      process.stdout.write(
        `reinstates the agreement, withdrawn from ${before.effective_from} (v${before.version})\n`,
      )
    if (a.default_tlp !== undefined && tlpRank(a.default_tlp) > tlpRank(a.max_tlp))
      process.stderr.write(
        `sluice: note: the default TLP (${a.default_tlp}) is above max TLP (${a.max_tlp}): objects without a TLP marking are withheld\n`,
      )
  })
}
