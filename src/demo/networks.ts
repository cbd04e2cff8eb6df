import type { StixObject } from '../stix/object.js'
import { type AdmiraltyGrade, type Marks, revise, type WorldBuilder } from './builder.js'
import { grading } from './grading.js'
import { beforeEpoch, demoInstant } from './time.js'

/** The ids of the `networks` objects other collections refer to. */
export interface Networks {
  redHeron: string
  blueMarlin: string
  saltpan: string
  /** Every network (intrusion-set) id. */
  sets: string[]
}

interface NetworkSpec {
  slug: string
  name: string
  aliases: string[]
  description: string
  goals: string[]
  resource_level: string
  grade: AdmiraltyGrade
  marks: Marks
  firstSeenDaysAgo: number
}

const NETWORKS: NetworkSpec[] = [
  {
    slug: 'red-heron',
    name: 'Red Heron network',
    aliases: ['Heron', 'RH-1'],
    description:
      'Moves bulk cargo of narcotics from offshore rendezvous points to small ports in Meridia using fishing vessels and rented warehouses.',
    goals: ['import narcotics by sea', 'control landing sites on the southern coast'],
    resource_level: 'organization',
    grade: 'B2',
    marks: { tlp: 'amber', caveats: ['H0'] },
    firstSeenDaysAgo: 420,
  },
  {
    slug: 'blue-marlin',
    name: 'Blue Marlin cell',
    aliases: ['Marlin'],
    description:
      'Small crew that supplies fuel, fast boats and crews to Red Heron. Believed to be paid per crossing by a single broker.',
    goals: ['supply fuel and boats for crossings'],
    resource_level: 'team',
    grade: 'C3',
    marks: { tlp: 'green', caveats: ['H0'], granular: [{ tlp: 'red', selectors: ['description'] }] },
    firstSeenDaysAgo: 260,
  },
  {
    slug: 'saltpan',
    name: 'Saltpan brokers',
    aliases: ['Saltpan', 'the Ledger group'],
    description:
      'Launders proceeds for both networks through invoices for fishing equipment and a chain of intermediary accounts.',
    goals: ['launder proceeds', 'pay crews and suppliers'],
    resource_level: 'team',
    grade: 'B3',
    marks: { tlp: 'amber+strict' },
    firstSeenDaysAgo: 180,
  },
]

interface ActorSpec {
  slug: string
  network: string
  name: string
  alias: string
  roles: string[]
  description: string
  grade: AdmiraltyGrade
  marks: Marks
}

const ACTORS: ActorSpec[] = [
  {
    slug: 'red-heron-quartermaster',
    network: 'red-heron',
    name: 'Red Heron quartermaster',
    alias: 'Quartermaster',
    roles: ['director'],
    description: 'Plans crossings and pays the crews. Identity unknown; known only by role.',
    grade: 'B2',
    marks: { tlp: 'amber', caveats: ['H0'] },
  },
  {
    slug: 'red-heron-harbour-fixer',
    network: 'red-heron',
    name: 'Red Heron harbour fixer',
    alias: 'Gull',
    roles: ['agent'],
    description: 'Arranges berths, port badges and storage at the landing ports.',
    grade: 'C2',
    marks: { tlp: 'green', granular: [{ tlp: 'amber', selectors: ['aliases'] }] },
  },
  {
    slug: 'blue-marlin-skipper',
    network: 'blue-marlin',
    name: 'Blue Marlin skipper',
    alias: 'Skipper',
    roles: ['agent'],
    description: 'Commands the fast boats that meet cargo vessels at sea.',
    grade: 'C3',
    marks: { tlp: 'green' },
  },
  {
    slug: 'blue-marlin-fuel-supplier',
    network: 'blue-marlin',
    name: 'Blue Marlin fuel supplier',
    alias: 'Depot',
    roles: ['infrastructure-operator'],
    description: 'Runs the fuel depots used to refuel boats before and after crossings.',
    grade: 'D3',
    marks: { tlp: 'amber' },
  },
  {
    slug: 'saltpan-lead-broker',
    network: 'saltpan',
    name: 'Saltpan lead broker',
    alias: 'Ledger',
    roles: ['director', 'sponsor'],
    description: 'Controls the accounts through which proceeds are moved.',
    grade: 'B2',
    marks: { tlp: 'red' },
  },
  {
    slug: 'saltpan-courier-ring',
    network: 'saltpan',
    name: 'Saltpan courier ring',
    alias: 'Couriers',
    roles: ['agent'],
    description: 'Carries cash between ports and deposits it below reporting thresholds.',
    grade: 'C3',
    marks: { tlp: 'amber' },
  },
]

const REPORT_SENTENCES = [
  'Crossings continued at the usual rhythm, with one rendezvous moved further offshore.',
  'A new warehouse was rented near the northern port under a recently registered company.',
  'Fuel purchases rose sharply in the days before the new moon.',
  'Payments to crews were made in cash and through two intermediary accounts.',
  'An informant reports tension between the networks over the price of fuel.',
  'Port access badges were issued to contractors without a recorded employer.',
  'The fast boats were seen refuelling at sea rather than at the depot.',
  'Invoices for fishing equipment again did not match any delivery.',
]

const GRADES: AdmiraltyGrade[] = ['A2', 'B2', 'B3', 'C2', 'C3']
const WEEKS = 12

const CAMPAIGNS: [slug: string, name: string, network: string, daysAgo: number, tlp: Marks['tlp']][] = [
  ['winter-crossings', 'Winter crossings', 'red-heron', 75, 'amber'],
  ['new-moon-refuelling', 'New-moon refuelling runs', 'blue-marlin', 50, 'green'],
  ['equipment-invoices', 'Fishing-equipment invoices', 'saltpan', 40, 'amber+strict'],
]

export function buildNetworks(w: WorldBuilder): Networks {
  const g = w.prng
  const sets = new Map<string, StixObject>()

  for (const spec of NETWORKS) {
    const created = beforeEpoch(24 * spec.firstSeenDaysAgo)
    const set = w.sdo('intrusion-set', spec.slug, { created }, spec.marks, {
      name: spec.name,
      description: spec.description,
      aliases: spec.aliases,
      first_seen: created,
      goals: spec.goals,
      resource_level: spec.resource_level,
      primary_motivation: 'personal-gain',
      extensions: grading(spec.grade),
    })
    sets.set(spec.slug, set)
    w.add('networks', set)
  }

  // Later versions: the picture of Red Heron sharpens twice, Blue Marlin's grade improves once.
  const heron = sets.get('red-heron')!
  const heron2 = revise(heron, beforeEpoch(24 * 60), {
    aliases: ['Heron', 'RH-1', 'the Southern crossing'],
    last_seen: beforeEpoch(24 * 61),
  })
  const heron3 = revise(heron2, demoInstant(2, 14), {
    description: `${heron.description as string} Since December it also uses rendezvous points in the central Pacific.`,
    last_seen: demoInstant(2, 6),
    extensions: grading('B1'),
  })
  const marlin = sets.get('blue-marlin')!
  const marlin2 = revise(marlin, beforeEpoch(24 * 20), { extensions: grading('B3') })
  w.add('networks', heron2)
  w.add('networks', heron3)
  w.add('networks', marlin2)

  const actors = new Map<string, StixObject>()
  for (const spec of ACTORS) {
    const created = beforeEpoch(24 * g.int(90, 170) + g.int(0, 23))
    const actor = w.sdo('threat-actor', spec.slug, { created }, spec.marks, {
      name: spec.name,
      description: spec.description,
      threat_actor_types: ['criminal'],
      aliases: [spec.alias],
      roles: spec.roles,
      sophistication: 'intermediate',
      resource_level: 'team',
      primary_motivation: 'personal-gain',
      extensions: grading(spec.grade),
    })
    actors.set(spec.slug, actor)
    w.add('networks', actor)
    const rel = w.sdo(
      'relationship',
      `${spec.network}-attributed-to-${spec.slug}`,
      { created: actor.created as string },
      { tlp: spec.marks.tlp === 'red' ? 'red' : 'amber', caveats: ['H0'] },
      {
        relationship_type: 'attributed-to',
        source_ref: sets.get(spec.network)!.id,
        target_ref: actor.id,
        confidence: g.pick([50, 65, 70, 85]),
      },
    )
    w.add('networks', rel)
  }

  const links: [string, string, string, string][] = [
    ['blue-marlin', 'red-heron', 'Supplies fuel, fast boats and crews for Red Heron crossings.', 'amber'],
    ['saltpan', 'red-heron', 'Launders the proceeds of Red Heron shipments.', 'amber+strict'],
    ['saltpan', 'blue-marlin', 'Pays Blue Marlin crews on behalf of Red Heron.', 'amber'],
  ]
  for (const [from, to, description, tlp] of links) {
    w.add(
      'networks',
      w.sdo(
        'relationship',
        `${from}-related-to-${to}`,
        { created: beforeEpoch(24 * 150) },
        { tlp: tlp as Marks['tlp'], caveats: ['H0'] },
        {
          relationship_type: 'related-to',
          description,
          source_ref: sets.get(from)!.id,
          target_ref: sets.get(to)!.id,
        },
      ),
    )
  }

  for (const [slug, name, network, daysAgo, tlp] of CAMPAIGNS) {
    const created = beforeEpoch(24 * daysAgo)
    const campaign = w.sdo(
      'campaign',
      slug,
      { created },
      { tlp, caveats: ['H0'] },
      {
        name,
        description: `A series of operations by the ${sets.get(network)!.name as string}.`,
        first_seen: created,
        objective: 'move cargo and money without detection',
      },
    )
    w.add('networks', campaign)
    w.add(
      'networks',
      w.sdo(
        'relationship',
        `${slug}-attributed-to-${network}`,
        { created },
        { tlp, caveats: ['H0'] },
        {
          relationship_type: 'attributed-to',
          source_ref: campaign.id,
          target_ref: sets.get(network)!.id,
        },
      ),
    )
  }

  // Weekly pictures: twelve reports, each grouping a few networks and actors; two revised later.
  const setIds = [...sets.values()].map((s) => s.id)
  const actorIds = [...actors.values()].map((a) => a.id)
  const tlps: Marks['tlp'][] = ['green', 'amber', 'amber', 'clear', 'amber', 'green', 'amber+strict', 'amber']
  for (let week = 1; week <= WEEKS; week++) {
    const created = beforeEpoch(24 * 7 * (WEEKS + 1 - week) + 6)
    const refs = [...setIds.filter(() => g.chance(0.7)), ...actorIds.filter(() => g.chance(0.35))]
    if (refs.length === 0) refs.push(setIds[0]!)
    const sentences = [g.pick(REPORT_SENTENCES), g.pick(REPORT_SENTENCES), g.pick(REPORT_SENTENCES)]
    const tlp = tlps[(week - 1) % tlps.length]!
    const marks: Marks =
      week === 3 ? { tlp, caveats: ['H0'], granular: [{ tlp: 'red', selectors: ['description'] }] } : { tlp }
    const report = w.sdo('report', `weekly-picture-${week}`, { created }, marks, {
      name: `Maritime trafficking picture, week ${week}`,
      description: sentences.join(' '),
      report_types: ['threat-actor'],
      published: created,
      object_refs: refs,
      extensions: grading(g.pick(GRADES)),
    })
    w.add('networks', report)
    if (week >= WEEKS - 1) {
      w.add(
        'networks',
        revise(report, demoInstant(week - WEEKS + 3, 15), {
          description: `${report.description as string} Update: ${g.pick(REPORT_SENTENCES)}`,
          extensions: grading('B2'),
        }),
      )
    }
  }

  // Analyst notes on the networks.
  for (let i = 1; i <= 10; i++) {
    const target = g.pick([...setIds, ...actorIds])
    w.add(
      'networks',
      w.sdo(
        'note',
        `network-note-${i}`,
        { created: beforeEpoch(24 * g.int(3, 80)) },
        { tlp: g.pick(['green', 'amber'] as const), caveats: i % 4 === 0 ? ['IEP_NO_ATTRIBUTION'] : [] },
        {
          abstract: `Analyst note ${i}`,
          content: `${g.pick(REPORT_SENTENCES)} ${g.pick(REPORT_SENTENCES)}`,
          object_refs: [target],
        },
      ),
    )
  }

  return {
    redHeron: heron.id,
    blueMarlin: marlin.id,
    saltpan: sets.get('saltpan')!.id,
    sets: setIds,
  }
}
