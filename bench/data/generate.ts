import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { Prng } from '../../src/demo/prng.js'
import { TLP_MARKING_IDS } from '../../src/demo/tlp.js'
import type { StixObject } from '../../src/stix/object.js'

/**
 * Large, mixed, fictional STIX 2.1 for benchmarks: indicators, observed-data with their SCOs,
 * relationships, sightings, intrusion-sets, reports, locations and notes, about 1–2 KB each, with
 * TLP markings spread over all five levels. Same `(count, seed)`, same objects.
 *
 * Every reference points to an object generated earlier in the same stream, so any prefix of the
 * stream is self-contained. Addresses are from the documentation ranges and domains are example.*.
 */
export function* generateObjects(count: number, seed: number): Generator<StixObject> {
  const g = new ObjectFactory(seed)
  let emitted = 0
  while (emitted < count) {
    for (const object of g.step()) {
      if (emitted === count) return
      emitted++
      yield object
    }
  }
}

export interface WriteResult {
  objects: number
  bytes: number
}

/** Writes `generateObjects(count, seed)` as one STIX bundle, streaming (never the whole file in memory). */
export function writeBundle(path: string, count: number, seed: number): Promise<WriteResult> {
  const id = `bundle--${new Prng(seed ^ 0x5bd1e995).uuid()}`
  return writeStream(path, count, seed, `{"type":"bundle","id":"${id}","objects":[\n`, ',\n', '\n]}\n')
}

/** Writes `generateObjects(count, seed)` as JSON Lines, one object per line. */
export function writeJsonLines(path: string, count: number, seed: number): Promise<WriteResult> {
  return writeStream(path, count, seed, '', '\n', count > 0 ? '\n' : '')
}

async function writeStream(
  path: string,
  count: number,
  seed: number,
  head: string,
  separator: string,
  tail: string,
): Promise<WriteResult> {
  const out = createWriteStream(path)
  const failed = once(out, 'error').then(([err]) => {
    throw err
  })
  failed.catch(() => {})
  let bytes = 0
  let batch = head
  let objects = 0
  const flush = async (): Promise<void> => {
    bytes += Buffer.byteLength(batch)
    const ok = out.write(batch)
    batch = ''
    if (!ok) await Promise.race([once(out, 'drain'), failed])
  }
  for (const object of generateObjects(count, seed)) {
    batch += (objects === 0 ? '' : separator) + JSON.stringify(object)
    objects++
    if (batch.length > 1 << 20) await flush()
  }
  batch += tail
  await flush()
  out.end()
  await Promise.race([once(out, 'finish'), failed])
  return { objects, bytes }
}

const EPOCH = Date.parse('2026-01-05T08:00:00.000Z')
const DAY = 86_400_000

const TLP_SPREAD: readonly (readonly [string, number])[] = [
  [TLP_MARKING_IDS.clear, 15],
  [TLP_MARKING_IDS.green, 40],
  [TLP_MARKING_IDS.amber, 30],
  [TLP_MARKING_IDS['amber+strict'], 10],
  [TLP_MARKING_IDS.red, 5],
]

const SENTENCES = [
  'Vessel movements were reported near the transshipment point over three consecutive nights.',
  'A fishing trawler changed its transponder identity twice while loitering outside the shipping lane.',
  'Cash deposits below the reporting threshold were made at several branches on the same afternoon.',
  'The warehouse lease was signed by a shell company registered one week earlier.',
  'Fuel purchases at the depot exceeded the declared capacity of the fleet.',
  'Encrypted messaging accounts were created from the same documentation address range.',
  'A courier was observed transferring sealed containers between two unregistered vans.',
  'Invoices for refrigerated cargo did not match the recorded port calls.',
  'The broker used rotating mailboxes under a documentation domain to arrange payments.',
  'Satellite imagery shows a rendezvous between a cargo vessel and a fast boat at sea.',
  'Crew lists submitted to the harbour master contained duplicated passport numbers.',
  'Payments were routed through three intermediary accounts before reaching the supplier.',
  'An informant of moderate reliability reported a new storage site inland.',
  'Port access badges were issued to contractors with no recorded employer.',
  'The same mobile handset appeared in logs at two ports on the same day.',
  'Customs inspection found concealed compartments in the hull of the coaster.',
  'Analysts assess with moderate confidence that the cell is expanding its routes southward.',
  'A second network appears to supply fuel and logistics to the first.',
  'Transfers were labelled as fishing-equipment purchases but never matched a delivery.',
  'The rented office was vacated shortly after the first inspection.',
]

const NAMES = [
  'Red Heron network',
  'Blue Marlin cell',
  'Saltpan brokers',
  'Grey Gannet crew',
  'Amber Tide group',
  'Lantern Reef syndicate',
  'Quiet Keel couriers',
  'Driftwood exchange',
]

const PLACES = ['Port Calder', 'Isla Venra', 'Cape Orrin', 'Marrow Sound', 'Tessel Bay', 'Fallow Quay']

/** Open-ocean boxes (lat/lon ranges) far from any coast: mid South Atlantic and central Pacific. */
const OCEAN_BOXES: readonly (readonly [number, number, number, number])[] = [
  [-35, -25, -25, -15],
  [-20, -10, -130, -120],
  [10, 20, -160, -150],
]

const KILL_CHAIN = ['reconnaissance', 'procurement', 'transport', 'storage', 'distribution', 'laundering']

/** The fictional organisations that author and sight everything. */
const AUTHORS = [
  'identity--0b7e3c2a-6f1d-4c8e-9a5b-3d2f1e0c9b8a',
  'identity--1c8f4d3b-7a2e-4d9f-8b6c-4e3a2f1d0c9b',
  'identity--2d9a5e4c-8b3f-4e0a-9c7d-5f4b3a2e1d0c',
  'identity--3e0b6f5d-9c4a-4f1b-8d8e-6a5c4b3f2e1d',
  'identity--4f1c7a6e-0d5b-4a2c-9e9f-7b6d5c4a3f2e',
]
const AUTHOR_NAMES = [
  'Meridia Maritime Intelligence Unit',
  'Northland Drug Enforcement Bureau',
  'Isles Coast Guard',
  'Southern Customs Service',
  'Interregional Maritime Analysis Centre',
]

type Kind =
  | 'indicator'
  | 'observed-data'
  | 'relationship'
  | 'sighting'
  | 'intrusion-set'
  | 'report'
  | 'location'
  | 'note'

const KIND_SPREAD: readonly (readonly [Kind, number])[] = [
  ['indicator', 24],
  ['observed-data', 14],
  ['relationship', 20],
  ['sighting', 10],
  ['intrusion-set', 4],
  ['report', 6],
  ['location', 6],
  ['note', 16],
]

/** A bounded pool of recent ids of one type, so references stay local and memory stays flat. */
class Recent {
  readonly #ids: string[] = []
  #next = 0
  constructor(readonly size: number) {}
  add(id: string): void {
    if (this.#ids.length < this.size) this.#ids.push(id)
    else this.#ids[this.#next++ % this.size] = id
  }
  get empty(): boolean {
    return this.#ids.length === 0
  }
  pick(g: Prng): string {
    return g.pick(this.#ids)
  }
}

class ObjectFactory {
  readonly #g: Prng
  #serial = 0
  #started = false
  readonly #sets = new Recent(64)
  readonly #indicators = new Recent(512)
  readonly #observed = new Recent(512)
  readonly #locations = new Recent(128)
  readonly #any = new Recent(1024)

  constructor(seed: number) {
    this.#g = new Prng(seed)
  }

  /** The next one or more objects (an observed-data comes after the SCOs it refers to). */
  step(): StixObject[] {
    if (!this.#started) {
      this.#started = true
      return [
        ...AUTHORS.map((id, i) => this.#identity(id, i)),
        this.#intrusionSet(),
        this.#location(),
        this.#indicator(),
      ]
    }
    let kind = this.#g.weighted(KIND_SPREAD)
    if ((kind === 'relationship' || kind === 'sighting' || kind === 'report') && this.#observed.empty) {
      kind = 'observed-data'
    }
    switch (kind) {
      case 'indicator':
        return [this.#indicator()]
      case 'observed-data':
        return this.#observedData()
      case 'relationship':
        return [this.#relationship()]
      case 'sighting':
        return [this.#sighting()]
      case 'intrusion-set':
        return [this.#intrusionSet()]
      case 'report':
        return [this.#report()]
      case 'location':
        return [this.#location()]
      case 'note':
        return [this.#note()]
    }
  }

  #times(): { created: string; modified: string } {
    const g = this.#g
    const created = EPOCH - g.int(30, 400) * DAY + g.int(0, DAY - 1)
    const modified = g.chance(0.3) ? created + g.int(1, 20 * DAY) : created
    return { created: new Date(created).toISOString(), modified: new Date(modified).toISOString() }
  }

  #common(type: string, id?: string): StixObject {
    const g = this.#g
    const { created, modified } = this.#times()
    this.#serial++
    return {
      type,
      spec_version: '2.1',
      id: id ?? `${type}--${g.uuid()}`,
      created_by_ref: g.pick(AUTHORS),
      created,
      modified,
      object_marking_refs: [g.weighted(TLP_SPREAD)],
    }
  }

  #text(min: number, max: number): string {
    const g = this.#g
    const n = g.int(min, max)
    let s = g.pick(SENTENCES)
    for (let i = 1; i < n; i++) s += ' ' + g.pick(SENTENCES)
    return s
  }

  #identity(id: string, i: number): StixObject {
    const o = this.#common('identity', id)
    o.created_by_ref = AUTHORS[0]
    o.object_marking_refs = [TLP_MARKING_IDS.clear]
    o.name = AUTHOR_NAMES[i]
    o.identity_class = 'organization'
    o.sectors = ['government-public-services']
    o.description = 'Fictional law-enforcement organisation used in generated benchmark data.'
    return o
  }

  #ip(): string {
    const g = this.#g
    return `${g.pick(['192.0.2', '198.51.100', '203.0.113'])}.${g.int(1, 254)}`
  }

  #indicator(): StixObject {
    const g = this.#g
    const o = this.#common('indicator')
    const shape = g.int(0, 3)
    let pattern: string
    if (shape === 0) pattern = `[ipv4-addr:value = '${this.#ip()}']`
    else if (shape === 1) pattern = `[email-addr:value = 'broker${g.int(1, 9999)}@example.org']`
    else if (shape === 2) pattern = `[domain-name:value = 'pay${g.int(1, 9999)}.example.net']`
    else
      pattern = `[ipv4-addr:value = '${this.#ip()}'] OR [domain-name:value = 'dock${g.int(1, 999)}.example.com']`
    o.name = `Indicator ${this.#serial}: ${g.pick(NAMES)} contact point`
    o.description = this.#text(6, 14)
    o.indicator_types = [g.pick(['malicious-activity', 'attribution', 'anomalous-activity'])]
    o.pattern = pattern
    o.pattern_type = 'stix'
    o.valid_from = o.created
    o.kill_chain_phases = [{ kill_chain_name: 'sluice-maritime-trafficking', phase_name: g.pick(KILL_CHAIN) }]
    o.confidence = g.int(10, 95)
    o.labels = ['maritime', g.pick(['narcotics', 'fuel-smuggling', 'money-laundering'])]
    o.external_references = [
      { source_name: 'sluice-case', external_id: `CASE-${g.int(1000, 9999)}-${this.#serial}` },
    ]
    this.#indicators.add(o.id)
    this.#any.add(o.id)
    return o
  }

  #observedData(): StixObject[] {
    const g = this.#g
    const scos: StixObject[] = []
    const n = g.int(1, 3)
    for (let i = 0; i < n; i++) {
      const r = g.int(0, 2)
      const type = r === 0 ? 'ipv4-addr' : r === 1 ? 'email-addr' : 'domain-name'
      const value =
        r === 0
          ? this.#ip()
          : r === 1
            ? `crew${g.int(1, 9999)}@example.com`
            : `port${g.int(1, 9999)}.example.org`
      scos.push({ type, spec_version: '2.1', id: `${type}--${g.uuid()}`, value })
    }
    const o = this.#common('observed-data')
    const first = Date.parse(o.created as string)
    o.first_observed = o.created
    o.last_observed = new Date(first + g.int(0, 6 * 3_600_000)).toISOString()
    o.number_observed = g.int(1, 40)
    o.object_refs = scos.map((s) => s.id)
    o.x_sluice_source_note = this.#text(3, 8)
    this.#observed.add(o.id)
    this.#any.add(o.id)
    return [...scos, o]
  }

  #relationship(): StixObject {
    const g = this.#g
    const o = this.#common('relationship')
    const r = g.int(0, 2)
    if (r === 0) {
      o.relationship_type = 'indicates'
      o.source_ref = this.#indicators.pick(g)
      o.target_ref = this.#sets.pick(g)
    } else if (r === 1) {
      o.relationship_type = 'targets'
      o.source_ref = this.#sets.pick(g)
      o.target_ref = this.#locations.pick(g)
    } else {
      o.relationship_type = 'related-to'
      o.source_ref = this.#any.pick(g)
      o.target_ref = this.#any.pick(g)
    }
    o.description = this.#text(4, 10)
    o.confidence = g.int(10, 95)
    return o
  }

  #sighting(): StixObject {
    const g = this.#g
    const o = this.#common('sighting')
    const first = Date.parse(o.created as string)
    o.first_seen = o.created
    o.last_seen = new Date(first + g.int(0, 3 * DAY)).toISOString()
    o.count = g.int(1, 12)
    o.sighting_of_ref = this.#indicators.pick(g)
    o.observed_data_refs = [this.#observed.pick(g)]
    o.where_sighted_refs = [g.pick(AUTHORS)]
    o.description = this.#text(4, 10)
    return o
  }

  #intrusionSet(): StixObject {
    const g = this.#g
    const o = this.#common('intrusion-set')
    o.name = `${g.pick(NAMES)} ${this.#serial}`
    o.description = this.#text(8, 16)
    o.aliases = [`Cluster ${this.#serial}`]
    o.goals = ['move illicit cargo by sea', 'launder proceeds']
    o.resource_level = g.pick(['club', 'team', 'organization'])
    o.primary_motivation = 'personal-gain'
    o.x_sluice_grading = { admiralty: `${g.pick(['A', 'B', 'C', 'D'])}${g.int(1, 4)}` }
    this.#sets.add(o.id)
    this.#any.add(o.id)
    return o
  }

  #report(): StixObject {
    const g = this.#g
    const o = this.#common('report')
    const refs = new Set<string>()
    const n = g.int(2, 8)
    for (let i = 0; i < n; i++) refs.add(this.#any.pick(g))
    o.name = `Weekly maritime picture ${this.#serial}`
    o.description = this.#text(10, 20)
    o.report_types = ['threat-actor', 'observed-data']
    o.published = o.modified
    o.object_refs = [...refs]
    o.x_sluice_grading = { admiralty: `${g.pick(['A', 'B', 'C'])}${g.int(1, 3)}` }
    return o
  }

  #location(): StixObject {
    const g = this.#g
    const o = this.#common('location')
    const [lat0, lat1, lon0, lon1] = g.pick(OCEAN_BOXES)
    o.name = `${g.pick(PLACES)} approach, waypoint ${this.#serial}`
    o.description = this.#text(3, 8)
    o.latitude = Math.round((lat0 + g.next() * (lat1 - lat0)) * 1e4) / 1e4
    o.longitude = Math.round((lon0 + g.next() * (lon1 - lon0)) * 1e4) / 1e4
    o.precision = g.int(100, 5000)
    this.#locations.add(o.id)
    this.#any.add(o.id)
    return o
  }

  #note(): StixObject {
    const g = this.#g
    const o = this.#common('note')
    o.abstract = `Analyst note ${this.#serial}`
    o.content = this.#text(8, 18)
    o.authors = ['Duty analyst (fictional)']
    o.object_refs = [this.#any.pick(g)]
    return o
  }
}
