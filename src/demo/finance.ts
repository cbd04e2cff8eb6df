import type { StixObject } from '../stix/object.js'
import { type Marks, revise, type WorldBuilder } from './builder.js'
import { grading } from './grading.js'
import type { Networks } from './networks.js'
import { HOME_IDENTITY_ID } from './parties.js'
import { beforeEpoch, demoInstant } from './time.js'
import { TLP_MARKING_IDS } from './tlp.js'
import { demoId } from './uuid.js'

/** Custom cyber-observable type for the invented bank accounts (identifiers follow no real scheme). */
export const BANK_ACCOUNT_TYPE = 'x-sluice-bank-account'

const MAILBOXES = [
  'broker@example.org',
  'ledger.desk@example.org',
  'invoices@example.com',
  'fishing-supplies@example.com',
  'crew-pay@example.net',
  'harbour.agent@example.org',
  'tide.tables@example.net',
  'cold-store@example.com',
  'payments.office@example.org',
  'netmaker@example.net',
]
const HOSTS = ['198.51.100.7', '198.51.100.88', '203.0.113.12', '203.0.113.200', '192.0.2.44', '192.0.2.101']
const DOMAINS = ['saltpan-trading.example.net', 'marlin-fuel.example.com', 'heron-freight.example.org']
const BANKS = [
  'Harbour Mutual (fictional)',
  'Meridia Coastal Savings (fictional)',
  'Isles Trade Credit (fictional)',
]

/** The extension-definition that declares `x-sluice-bank-account` a new SCO type (STIX 2.1 section 7.3). */
export const BANK_ACCOUNT_EXTENSION_ID = demoId('extension-definition', BANK_ACCOUNT_TYPE)

function bankAccountExtension(): StixObject {
  const created = beforeEpoch(24 * 365)
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: BANK_ACCOUNT_EXTENSION_ID,
    created_by_ref: HOME_IDENTITY_ID,
    created,
    modified: created,
    name: 'Sluice demo bank account',
    description: 'A bank account of the fictional demo world, identified by an invented account identifier.',
    schema: 'https://schemas.example.org/sluice/x-sluice-bank-account.json',
    version: '1.0.0',
    extension_types: ['new-sco'],
    object_marking_refs: [TLP_MARKING_IDS.clear],
  }
}

type Observable = {
  type: 'email-addr' | 'ipv4-addr' | 'domain-name' | typeof BANK_ACCOUNT_TYPE
  value: string
}

export function buildFinance(w: WorldBuilder, networks: Networks): void {
  const g = w.prng

  // Invented account identifiers: "MRD" + three groups of digits; not an IBAN, no real bank.
  const accounts: string[] = []
  for (let i = 0; i < 14; i++) {
    accounts.push(`MRD-${g.int(1000, 9999)}-${String(g.int(0, 9999)).padStart(4, '0')}-${g.int(10, 99)}`)
  }
  w.add('financial-flows', bankAccountExtension())
  const accountObjects = accounts.map((value) =>
    w.sco(BANK_ACCOUNT_TYPE, value, {
      bank_name: g.pick(BANKS),
      account_kind: g.pick(['current', 'business']),
      extensions: { [BANK_ACCOUNT_EXTENSION_ID]: { extension_type: 'new-sco' } },
    }),
  )
  for (const sco of accountObjects) w.add('financial-flows', sco)

  const observables: Observable[] = [
    ...MAILBOXES.map((value) => ({ type: 'email-addr' as const, value })),
    ...HOSTS.map((value) => ({ type: 'ipv4-addr' as const, value })),
    ...DOMAINS.map((value) => ({ type: 'domain-name' as const, value })),
    ...accounts.map((value) => ({ type: BANK_ACCOUNT_TYPE as typeof BANK_ACCOUNT_TYPE, value })),
  ]

  const tlps: Marks['tlp'][] = ['clear', 'green', 'green', 'amber', 'amber', 'amber', 'amber+strict', 'red']
  const indicators: StixObject[] = []
  observables.forEach((obs, i) => {
    const created = beforeEpoch(24 * g.int(5, 120) + g.int(0, 23))
    const network =
      obs.type === BANK_ACCOUNT_TYPE || obs.type === 'email-addr'
        ? g.pick([networks.saltpan, networks.saltpan, networks.redHeron])
        : g.pick([networks.redHeron, networks.blueMarlin])
    const label = obs.type === BANK_ACCOUNT_TYPE ? 'bank account' : obs.type.replace('-', ' ')
    const tlp = g.pick(tlps)
    const marks: Marks =
      i === 5 ? { tlp: 'green', granular: [{ tlp: 'red', selectors: ['description'] }] } : { tlp }
    const indicator = w.sdo('indicator', `finance-${obs.type}-${obs.value}`, { created }, marks, {
      name: `${label[0]!.toUpperCase()}${label.slice(1)} used for payments: ${obs.value}`,
      description: `Seen in transfers and messages linked to the network; grade ${g.pick(['B2', 'B3', 'C2', 'C3'])}.`,
      indicator_types: ['malicious-activity', 'attribution'],
      pattern: `[${obs.type}:value = '${obs.value}']`,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
      confidence: g.pick([40, 60, 70, 85]),
      labels: ['money-laundering'],
    })
    indicators.push(indicator)
    w.add('financial-flows', indicator)
    w.add(
      'financial-flows',
      w.sdo(
        'relationship',
        `finance-indicates-${i + 1}`,
        { created },
        { tlp: tlp === 'clear' ? 'green' : tlp },
        {
          relationship_type: 'indicates',
          source_ref: indicator.id,
          target_ref: network,
        },
      ),
    )
  })

  // Versions: some indicators are given an end of validity, one is revoked during the story.
  for (const i of [0, 3, 11, 17]) {
    const indicator = indicators[i]!
    w.add(
      'financial-flows',
      revise(indicator, demoInstant(1 + (i % 4), 12), { valid_until: demoInstant(40) }),
    )
  }
  const withdrawn = indicators[8]!
  w.add(
    'financial-flows',
    revise(withdrawn, demoInstant(4, 9), {
      description: 'Withdrawn: the address was reassigned and is no longer linked to the network.',
      revoked: true,
    }),
  )

  // Transfer batches observed between accounts.
  for (let i = 1; i <= 14; i++) {
    const first = beforeEpoch(24 * (90 - i * 6) + g.int(0, 12))
    const last = new Date(Date.parse(first) + g.int(1, 48) * 3_600_000).toISOString()
    const from = g.pick(accountObjects)
    let to = g.pick(accountObjects)
    if (to.id === from.id) to = accountObjects[(accountObjects.indexOf(from) + 1) % accountObjects.length]!
    w.add(
      'financial-flows',
      w.sdo(
        'observed-data',
        `transfer-batch-${i}`,
        { created: last },
        { tlp: g.pick(['amber', 'amber+strict'] as const) },
        {
          first_observed: first,
          last_observed: last,
          number_observed: g.int(2, 30),
          object_refs: [from.id, to.id],
          x_sluice_amount_band: g.pick(['under-10k', '10k-50k', 'over-50k']),
        },
      ),
    )
  }

  // Financial reports.
  const reportSpecs: [string, Marks, number][] = [
    ['Saltpan payment chain, first assessment', { tlp: 'amber+strict', caveats: ['IEP_NO_ATTRIBUTION'] }, 70],
    [
      'Crew payments around the new moon',
      { tlp: 'amber', granular: [{ tlp: 'red', selectors: ['description'] }] },
      35,
    ],
    ['Accounts feeding the fuel depots', { tlp: 'red' }, 10],
  ]
  reportSpecs.forEach(([name, marks, daysAgo], i) => {
    const created = beforeEpoch(24 * daysAgo)
    const refs = indicators.filter(() => g.chance(0.3)).map((x) => x.id)
    refs.push(networks.saltpan)
    w.add(
      'financial-flows',
      w.sdo('report', `finance-report-${i + 1}`, { created }, marks, {
        name,
        description: 'Flows between the accounts of the networks, reconstructed from transfers and invoices.',
        report_types: ['threat-actor', 'indicator'],
        published: created,
        object_refs: refs,
        extensions: grading(g.pick(['B2', 'B3', 'C2'] as const)),
      }),
    )
  })

  for (let i = 1; i <= 4; i++) {
    w.add(
      'financial-flows',
      w.sdo(
        'note',
        `finance-note-${i}`,
        { created: beforeEpoch(24 * g.int(2, 60)) },
        { tlp: g.pick(['green', 'amber'] as const) },
        {
          abstract: `Follow the money, note ${i}`,
          content: 'The same intermediary account appears between the crews and the broker.',
          object_refs: [g.pick(indicators).id],
        },
      ),
    )
  }
}
