import type { StixObject } from '../stix/object.js'
import type { Marks, WorldBuilder } from './builder.js'
import type { Networks } from './networks.js'
import { HOME_IDENTITY_ID } from './parties.js'
import { beforeEpoch, demoInstant } from './time.js'

/**
 * Open-ocean boxes [latMin, latMax, lonMin, lonMax], each hundreds of kilometres from any coast or
 * island: the central South Atlantic, the central North Pacific and the eastern South Pacific.
 * The invented ports are fictional islands placed there too.
 */
const OCEAN: Record<string, readonly [number, number, number, number]> = {
  'south-atlantic': [-34, -26, -28, -18],
  'north-pacific': [6, 14, -150, -140],
  'south-pacific': [-18, -10, -128, -120],
}

const PORTS: [slug: string, name: string, ocean: string][] = [
  ['port-calder', 'Port Calder', 'south-atlantic'],
  ['isla-venra', 'Isla Venra harbour', 'south-atlantic'],
  ['cape-orrin', 'Cape Orrin anchorage', 'north-pacific'],
  ['marrow-sound', 'Marrow Sound quay', 'north-pacific'],
  ['tessel-bay', 'Tessel Bay', 'south-pacific'],
  ['fallow-quay', 'Fallow Quay', 'south-pacific'],
]

const SITES: [
  slug: string,
  name: string,
  kind: 'warehouse' | 'fuel depot',
  port: string,
  tlp: Marks['tlp'],
][] = [
  ['warehouse-calder-7', 'Warehouse 7, Port Calder', 'warehouse', 'port-calder', 'amber'],
  ['warehouse-venra-cold-store', 'Cold store, Isla Venra', 'warehouse', 'isla-venra', 'amber'],
  ['warehouse-orrin-net-loft', 'Net loft, Cape Orrin', 'warehouse', 'cape-orrin', 'green'],
  ['warehouse-tessel-boatshed', 'Boat shed, Tessel Bay', 'warehouse', 'tessel-bay', 'amber+strict'],
  ['depot-calder-bunker', 'Bunker depot, Port Calder', 'fuel depot', 'port-calder', 'green'],
  ['depot-marrow-barge', 'Fuel barge, Marrow Sound', 'fuel depot', 'marrow-sound', 'amber'],
  ['depot-fallow-tanks', 'Tank farm, Fallow Quay', 'fuel depot', 'fallow-quay', 'red'],
]

/** Satellite phones and relay hosts seen at sea: documentation addresses and example.* names only. */
const PHONE_IPS = [
  '198.51.100.7',
  '198.51.100.23',
  '198.51.100.41',
  '203.0.113.9',
  '203.0.113.64',
  '192.0.2.15',
]
const RELAY_DOMAINS = ['relay.example.net', 'weather-feed.example.com', 'tracker.example.org']

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

export function buildRoutes(w: WorldBuilder, networks: Networks): void {
  const g = w.prng
  const at = (box: readonly [number, number, number, number]): { latitude: number; longitude: number } => ({
    latitude: round(box[0] + g.next() * (box[1] - box[0])),
    longitude: round(box[2] + g.next() * (box[3] - box[2])),
  })

  const ports = new Map<string, StixObject>()
  for (const [slug, name, ocean] of PORTS) {
    const port = w.sdo(
      'location',
      slug,
      { created: beforeEpoch(24 * 200) },
      { tlp: 'clear' },
      {
        name,
        description: `Fictional port on an invented island in the ${ocean.replace('-', ' ')}.`,
        ...at(OCEAN[ocean]!),
        precision: 500,
      },
    )
    ports.set(slug, port)
    w.add('maritime-routes', port)
  }

  // Rendezvous points at sea, where cargo vessels meet fast boats.
  const waypoints: StixObject[] = []
  const oceans = Object.keys(OCEAN)
  for (let i = 1; i <= 14; i++) {
    const ocean = oceans[i % oceans.length]!
    const tlp = g.pick(['green', 'amber', 'amber'] as const)
    const marks: Marks =
      i === 4 ? { tlp: 'green', granular: [{ tlp: 'amber', selectors: ['description'] }] } : { tlp }
    const wp = w.sdo('location', `rendezvous-${i}`, { created: beforeEpoch(24 * g.int(20, 150)) }, marks, {
      name: `Rendezvous point ${String.fromCharCode(64 + i)}`,
      description: 'Open-sea meeting point used for ship-to-boat transfers.',
      ...at(OCEAN[ocean]!),
      precision: g.pick([1000, 2000, 5000]),
    })
    waypoints.push(wp)
    w.add('maritime-routes', wp)
  }

  // Warehouses and fuel depots, each located at a port and used by a network.
  const sites: StixObject[] = []
  for (const [slug, name, kind, port, tlp] of SITES) {
    const created = beforeEpoch(24 * g.int(40, 160))
    const site = w.sdo(
      'infrastructure',
      slug,
      { created },
      { tlp, caveats: ['IEP_INTERNAL'] },
      {
        name,
        description:
          kind === 'warehouse'
            ? 'Rented storage used to hold cargo between landing and onward transport.'
            : 'Fuel storage used to refuel boats before and after crossings.',
        infrastructure_types: ['staging'],
        first_seen: created,
      },
    )
    sites.push(site)
    w.add('maritime-routes', site)
    w.add(
      'maritime-routes',
      w.sdo(
        'relationship',
        `${slug}-located-at-${port}`,
        { created },
        { tlp },
        {
          relationship_type: 'located-at',
          source_ref: site.id,
          target_ref: ports.get(port)!.id,
        },
      ),
    )
    const user = kind === 'fuel depot' ? networks.blueMarlin : networks.redHeron
    w.add(
      'maritime-routes',
      w.sdo(
        'relationship',
        `${slug}-used-by`,
        { created },
        { tlp, caveats: ['H0'] },
        {
          relationship_type: 'uses',
          source_ref: user,
          target_ref: site.id,
        },
      ),
    )
  }

  // Observables: one object per value, however many observations mention it.
  const observables = [
    ...PHONE_IPS.map((ip) => w.sco('ipv4-addr', ip)),
    ...RELAY_DOMAINS.map((d) => w.sco('domain-name', d)),
  ]
  for (const sco of observables) w.add('maritime-routes', sco)
  // The depot at Port Calder runs the relay host.
  w.add(
    'maritime-routes',
    w.sdo(
      'relationship',
      'depot-calder-consists-of-relay',
      { created: beforeEpoch(24 * 30) },
      { tlp: 'amber' },
      {
        relationship_type: 'consists-of',
        source_ref: sites[4]!.id,
        target_ref: observables[PHONE_IPS.length]!.id,
      },
    ),
  )

  // Observations over time: daily for six weeks before the story, then during the story days.
  const instants: string[] = []
  for (let d = 42; d >= 1; d--) instants.push(beforeEpoch(24 * d - g.int(0, 20)))
  for (let day = 1; day <= 5; day++) instants.push(demoInstant(day, 2 + g.int(0, 5)))
  instants.forEach((first, i) => {
    const refs = new Set<string>()
    refs.add(g.pick(observables.slice(0, PHONE_IPS.length)).id)
    if (g.chance(0.5)) refs.add(g.pick(observables).id)
    const last = new Date(Date.parse(first) + g.int(10, 240) * 60_000).toISOString()
    const tlp = g.pick(['green', 'green', 'amber', 'amber+strict'] as const)
    const observed = w.sdo(
      'observed-data',
      `sea-observation-${i + 1}`,
      { created: last },
      { tlp, caveats: g.chance(0.4) ? ['IEP_INTERNAL'] : [] },
      {
        first_observed: first,
        last_observed: last,
        number_observed: g.int(1, 6),
        object_refs: [...refs],
      },
    )
    w.add('maritime-routes', observed)

    if (i % 3 !== 2) {
      const where = g.pick(waypoints)
      w.add(
        'maritime-routes',
        w.sdo(
          'sighting',
          `sea-sighting-${i + 1}`,
          { created: last },
          { tlp: g.pick(['amber', 'amber', 'red', 'green'] as const), caveats: ['H0'] },
          {
            description: `Transfer at ${where.name as string} observed by patrol aircraft.`,
            first_seen: first,
            last_seen: last,
            count: g.int(1, 3),
            sighting_of_ref: g.pick([networks.redHeron, networks.redHeron, networks.blueMarlin]),
            observed_data_refs: [observed.id],
            where_sighted_refs: [where.id, HOME_IDENTITY_ID],
          },
        ),
      )
    }
  })
}
