/**
 * fast-check generators for policy histories, objects and instants. The worlds are small on purpose (three
 * partners, three collections, a dozen markings) so random cases collide often and exercise every rule.
 */
import fc from 'fast-check'
import {
  GRADING_EXTENSION_ID,
  HANDLING_MARKING_IDS,
  IEP_EXTENSION_ID,
  OPENCTI_AMBER_STRICT_ID,
  TLP_LEVELS,
  TLP1_MARKING_IDS,
  TLP2_EXTENSION_ID,
  TLP2_MARKING_IDS,
  type TlpLevel,
} from '../../src/policy/index.js'
import type {
  Agreement,
  DecisionContext,
  ObjectVersion,
  Order,
  OrderScope,
  Partner,
  PolicyHistory,
  Resumption,
  Suspension,
} from '../../src/policy/types.js'
import type { StixObject } from '../../src/stix/object.js'

const BASE = Date.UTC(2025, 0, 1)
export const HOUR = 3_600_000
export const at = (hours: number): string => new Date(BASE + hours * HOUR).toISOString()
export const instantArb = fc.integer({ min: 0, max: 24 }).map(at)
const earlyInstantArb = fc.integer({ min: 0, max: 8 }).map(at)

export const PARTNERS: Partner[] = [
  {
    id: 'p1',
    name: 'Partner One',
    identity_id: 'identity--00000000-0000-4000-8000-000000000001',
    kind: 'police',
  },
  {
    id: 'p2',
    name: 'Partner Two',
    identity_id: 'identity--00000000-0000-4000-8000-000000000002',
    kind: 'customs',
  },
  {
    id: 'p3',
    name: 'Partner Three',
    identity_id: 'identity--00000000-0000-4000-8000-000000000003',
    kind: 'coast-guard',
  },
]
export const COLLECTIONS = ['c1', 'c2', 'c3']
const TYPES = ['indicator', 'intrusion-set', 'location', 'relationship', 'sighting']
const OBJECT_TYPES = [
  'indicator',
  'indicator',
  'intrusion-set',
  'intrusion-set',
  'location',
  'relationship',
  'sighting',
]
const LABELS = ['l1', 'l2', 'l3']

/** Markings defined by objects in the history (their content is generated per run). */
const CUSTOM = {
  legacyTlp: 'marking-definition--aaaaaaaa-0000-4000-8000-000000000001',
  tlp2Content: 'marking-definition--aaaaaaaa-0000-4000-8000-000000000002',
  iep: 'marking-definition--aaaaaaaa-0000-4000-8000-000000000003',
  statement: 'marking-definition--aaaaaaaa-0000-4000-8000-000000000004',
  handlingStatement: 'marking-definition--aaaaaaaa-0000-4000-8000-000000000005',
}
const UNKNOWN = 'marking-definition--ffffffff-0000-4000-8000-00000000dead'

export const MARKING_POOL: string[] = [
  ...Object.values(TLP1_MARKING_IDS),
  ...Object.values(TLP2_MARKING_IDS),
  OPENCTI_AMBER_STRICT_ID,
  ...Object.values(HANDLING_MARKING_IDS),
  ...Object.values(CUSTOM),
  UNKNOWN,
]

const spellings = fc.constantFrom(
  'white',
  'WHITE',
  'clear',
  'green',
  'TLP:AMBER',
  'amber+strict',
  'TLP:AMBER+STRICT',
  'red',
  'purple',
)

export const customMarkingsArb: fc.Arbitrary<StixObject[]> = fc
  .record({
    legacy: spellings,
    tlp2: fc.constantFrom(...TLP_LEVELS),
    // 'TLP-RED': stored before ingest refused it, it must read as RED, never as no TLP
    iepTlp: fc.option(fc.constantFrom('white', 'green', 'amber', 'red', 'TLP-RED'), { nil: undefined }),
    handling: fc.constantFrom('H0', 'H1', 'H2', 'H3'),
  })
  .map(({ legacy, tlp2, iepTlp, handling }) => {
    const base = { type: 'marking-definition', spec_version: '2.1', created: '2025-01-01T00:00:00.000Z' }
    return [
      { ...base, id: CUSTOM.legacyTlp, definition_type: 'tlp', definition: { tlp: legacy } },
      {
        ...base,
        id: CUSTOM.tlp2Content,
        name: 'imported TLP 2.0',
        extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: tlp2 } },
      },
      {
        ...base,
        id: CUSTOM.iep,
        name: 'IEP',
        extensions: {
          [IEP_EXTENSION_ID]: {
            extension_type: 'property-extension',
            permitted_actions: 'internally-visible-actions',
            ...(iepTlp === undefined ? {} : { tlp: iepTlp }),
          },
        },
      },
      {
        ...base,
        id: CUSTOM.statement,
        definition_type: 'statement',
        definition: { statement: 'Copyright Meridia' },
      },
      {
        ...base,
        id: CUSTOM.handlingStatement,
        definition_type: 'statement',
        definition: { statement: `${handling}: see the handling code` },
      },
    ]
  })

/** `undefined` with weight `absent` against 1 for a value. */
const opt = <T>(arb: fc.Arbitrary<T>, absent = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary: arb, weight: 1 })

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}

const tlpArb = fc.constantFrom(...TLP_LEVELS)
const listOrAll = <T>(values: T[]) =>
  fc.oneof(
    { arbitrary: fc.constant('*' as const), weight: 1 },
    { arbitrary: fc.subarray(values, { minLength: 1 }), weight: 1 },
  )

const AGREEMENT_PARTNER: Record<string, string> = { a1: 'p1', a2: 'p1', a3: 'p2', a4: 'p3', a5: 'p2' }

export const agreementBodyArb = fc.record({
  id: fc.constantFrom('a1', 'a2', 'a3', 'a4', 'a5'),
  collections: listOrAll(COLLECTIONS),
  object_types: listOrAll(TYPES),
  max_tlp: fc.constantFrom<TlpLevel>('green', 'amber', 'amber', 'amber+strict', 'red', 'red', 'clear'),
  default_tlp: opt(tlpArb),
  required_markings: opt(fc.subarray(MARKING_POOL.slice(0, 12), { maxLength: 1 }), 4),
  forbidden_markings: opt(fc.subarray(MARKING_POOL, { maxLength: 2 })),
  required_labels: opt(fc.subarray(LABELS, { maxLength: 1 }), 4),
  forbidden_labels: opt(fc.subarray(LABELS, { maxLength: 1 })),
  admiralty: opt(
    fc
      .record({
        reliability: opt(fc.subarray(['A', 'B', 'C', 'D', 'E', 'F'] as const, { minLength: 1 }), 1),
        credibility: opt(fc.subarray([1, 2, 3, 4, 5, 6] as const, { minLength: 1 }), 1),
        ungraded: opt(fc.constantFrom('allow', 'deny') as fc.Arbitrary<'allow' | 'deny'>, 1),
      })
      .map(clean),
    4,
  ),
  evaluation_4x4: opt(
    fc
      .record({
        source: opt(fc.subarray(['A', 'B', 'C', 'X'] as const, { minLength: 1 }), 1),
        information: opt(fc.subarray([1, 2, 3, 4] as const, { minLength: 1 }), 1),
        ungraded: opt(fc.constantFrom('allow', 'deny') as fc.Arbitrary<'allow' | 'deny'>, 1),
      })
      .map(clean),
    4,
  ),
  valid_from: opt(instantArb, 4),
  valid_until: opt(instantArb, 4),
  caveats: opt(
    fc.oneof(
      {
        arbitrary: fc.subarray([HANDLING_MARKING_IDS.H0, CUSTOM.iep, TLP2_MARKING_IDS.green], {
          maxLength: 2,
        }),
        weight: 6,
      },
      { arbitrary: fc.constant([HANDLING_MARKING_IDS.H0, UNKNOWN]), weight: 1 },
    ),
    1,
  ),
  effective_from: earlyInstantArb,
  withdrawn: opt(fc.constant(true), 10),
})

const scopeArb: fc.Arbitrary<OrderScope | undefined> = opt(
  fc
    .record({
      collections: opt(fc.subarray(COLLECTIONS, { minLength: 1, maxLength: 2 }), 1),
      object_types: opt(fc.subarray(TYPES, { minLength: 1, maxLength: 2 }), 4),
      markings: opt(fc.subarray(MARKING_POOL, { minLength: 1, maxLength: 2 }), 4),
      labels: opt(fc.subarray(LABELS, { minLength: 1 }), 4),
      above_tlp: opt(tlpArb, 1),
    })
    .map(clean),
  1,
)

const suspensionArb = (id: string): fc.Arbitrary<Suspension> =>
  fc
    .record({
      partner_id: fc.constantFrom('p1', 'p2', 'p3'),
      scope: scopeArb,
      effective_from: instantArb,
    })
    .map(({ partner_id, scope, effective_from }) =>
      clean({
        kind: 'suspension' as const,
        id,
        partner_id,
        scope,
        effective_from,
        issuer: 'duty officer',
        reason: 'test',
        recorded_at: effective_from,
        recorded_by: 'tester',
      }),
    )

const resumptionArb = (id: string): fc.Arbitrary<Resumption> =>
  fc
    .record({ lifts: fc.constantFrom('s1', 's2', 's3', 's4'), effective_from: instantArb })
    .map(({ lifts, effective_from }) => ({
      kind: 'resumption' as const,
      id,
      lifts,
      effective_from,
      issuer: 'duty officer',
      reason: 'lifted',
      recorded_at: effective_from,
    }))

export const ordersArb: fc.Arbitrary<Order[]> = fc
  .tuple(
    fc.subarray(['s1', 's2', 's3', 's4'], { maxLength: 4 }),
    fc.subarray(['r1', 'r2', 'r3'], { maxLength: 3 }),
  )
  .chain(([sids, rids]) => fc.tuple(...sids.map(suspensionArb), ...rids.map(resumptionArb)))
  .map((orders) => orders as Order[])

/** Each agreement id gets 0–3 versions (usually at least one). */
export const agreementsArb: fc.Arbitrary<Agreement[]> = fc
  .tuple(
    ...Object.keys(AGREEMENT_PARTNER).map((id) =>
      fc
        .oneof(
          { arbitrary: fc.constant([]), weight: 1 },
          { arbitrary: fc.array(agreementBodyArb, { minLength: 1, maxLength: 3 }), weight: 4 },
        )
        .map((bodies) => bodies.map((b) => ({ ...b, id }))),
    ),
  )
  .map((perId) =>
    perId.flatMap((bodies) =>
      bodies.map(
        (b, i) =>
          clean({
            ...b,
            version: i + 1,
            partner_id: AGREEMENT_PARTNER[b.id]!,
            recorded_at: b.effective_from,
            recorded_by: 'tester',
          }) as Agreement,
      ),
    ),
  )

export const historyArb: fc.Arbitrary<PolicyHistory> = fc
  .record({ agreements: agreementsArb, orders: ordersArb, markings: customMarkingsArb })
  .map(({ agreements, orders, markings }) => ({ partners: PARTNERS, agreements, orders, markings }))

const gradingArb = opt(
  fc
    .record({
      admiralty_source_reliability: opt(fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'), 1),
      // 7 and 9 are no grades: stored before ingest refused them, no filter may admit them
      admiralty_information_credibility: opt(fc.constantFrom(1, 2, 3, 4, 5, 6, 7), 1),
      source_evaluation_4x4: opt(fc.constantFrom('A', 'B', 'C', 'X'), 2),
      information_evaluation_4x4: opt(fc.constantFrom(1, 2, 3, 4, 9), 2),
    })
    .map((g) => ({ [GRADING_EXTENSION_ID]: clean({ extension_type: 'property-extension', ...g }) })),
  1,
)

const SELECTORS = [
  'description',
  'name',
  'external_references',
  'external_references.[0]',
  'external_references.[1]',
  'external_references.[0].url',
  'external_references.[1].url',
  'pattern',
  'labels',
]

const granularArb = fc.array(
  fc.record({
    marking_ref: fc.constantFrom(...MARKING_POOL),
    selectors: fc.subarray(SELECTORS, { minLength: 1, maxLength: 3 }),
  }),
  { maxLength: 3 },
)

export const ENDPOINT_IDS = [
  'indicator--0e000000-0000-4000-8000-000000000001',
  'intrusion-set--0e000000-0000-4000-8000-000000000002',
  'location--0e000000-0000-4000-8000-000000000003',
]

const objectIdFor = (type: string) => `${type}--0b000000-0000-4000-8000-000000000001`

export function objectArb(types: string[] = OBJECT_TYPES): fc.Arbitrary<ObjectVersion> {
  return fc
    .record({
      type: fc.constantFrom(...types),
      collectionId: fc.constantFrom(...COLLECTIONS),
      labels: opt(fc.subarray(LABELS, { minLength: 1 }), 1),
      object_marking_refs: opt(fc.subarray(MARKING_POOL, { minLength: 1, maxLength: 2 }), 1),
      granular_markings: opt(
        granularArb.filter((g) => g.length > 0),
        1,
      ),
      extensions: gradingArb,
      refs: fc.subarray(ENDPOINT_IDS, { minLength: 1, maxLength: 3 }),
      refCount: fc.integer({ min: 0, max: 3 }),
      extRefs: fc.integer({ min: 0, max: 2 }),
    })
    .map((r) => {
      const o: StixObject = {
        type: r.type,
        spec_version: '2.1',
        id: objectIdFor(r.type),
        created: '2025-01-01T00:00:00.000Z',
        modified: '2025-01-01T00:00:00.000Z',
        name: `object ${r.type}`,
        description: 'a description',
      }
      if (r.extRefs > 0) {
        o.external_references = Array.from({ length: r.extRefs }, (_, i) => ({
          source_name: `src${i}`,
          url: `https://example.org/${i}`,
        }))
      }
      if (r.type === 'indicator')
        Object.assign(o, { pattern: "[file:name = 'x']", pattern_type: 'stix', valid_from: at(0) })
      if (r.type === 'relationship') {
        delete o.name
        o.relationship_type = 'related-to'
        if (r.refCount !== 0) o.source_ref = r.refs[0]
        o.target_ref = r.refs[r.refs.length - 1]
      }
      if (r.type === 'sighting') {
        delete o.name
        o.sighting_of_ref = r.refs[0]
        if (r.refs.length > 1) o.where_sighted_refs = r.refs.slice(1)
      }
      if (r.labels) o.labels = r.labels
      if (r.object_marking_refs) o.object_marking_refs = r.object_marking_refs
      if (r.granular_markings) o.granular_markings = r.granular_markings
      if (r.extensions) o.extensions = r.extensions
      return { collectionId: r.collectionId, object: o }
    })
}

/** Stored versions of the endpoint objects (some missing, some with several versions). */
export const contextArb: fc.Arbitrary<DecisionContext> = fc
  .tuple(
    ...ENDPOINT_IDS.map(() =>
      fc.oneof(
        { arbitrary: fc.constant([]), weight: 1 },
        {
          arbitrary: fc.array(objectArb(['indicator', 'intrusion-set', 'location']), {
            minLength: 1,
            maxLength: 3,
          }),
          weight: 4,
        },
      ),
    ),
  )
  .map((lists) => {
    const endpoints = new Map<string, ObjectVersion[]>()
    lists.forEach((versions, i) => {
      const id = ENDPOINT_IDS[i]!
      if (versions.length > 0) {
        endpoints.set(
          id,
          versions.map((v) => ({ ...v, object: { ...v.object, id, type: id.split('--')[0]! } })),
        )
      }
    })
    return { endpoints }
  })

export const partnerIdArb = fc.constantFrom('p1', 'p1', 'p1', 'p2', 'p2', 'p2', 'p3', 'p3', 'p3', 'p-unknown')

/** The same worlds with most agreement filters removed, so objects usually go out (whole or redacted). */
export const lenientHistoryArb: fc.Arbitrary<PolicyHistory> = historyArb.map((h) => ({
  ...h,
  agreements: h.agreements.map((a) => {
    const {
      required_markings: _rm,
      required_labels: _rl,
      admiralty: _ad,
      evaluation_4x4: _ev,
      valid_from: _vf,
      valid_until: _vu,
      withdrawn: _w,
      ...rest
    } = a
    return { ...rest, collections: '*', object_types: a.version % 2 === 0 ? a.object_types : '*' }
  }),
}))

/** One decision to make: a policy history (strict or lenient), a partner, an object version, an instant. */
export const decisionCaseArb = fc.record({
  history: fc.oneof(historyArb, lenientHistoryArb),
  partnerId: partnerIdArb,
  version: objectArb(),
  instant: instantArb,
  context: contextArb,
})
