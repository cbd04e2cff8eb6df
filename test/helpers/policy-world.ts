/**
 * Random sharing worlds for end-to-end policy tests: a generator of partners, agreements, suspension orders and
 * object lineages (several versions, object-level and granular markings, relationships, sightings,
 * observed-data and SCOs), a loader that puts a world into a running node through the policy services and TAXII
 * POST, and the oracle: what each partner may see, computed with the independent reference model
 * (test/policy/reference-model.ts) and the plain-language rules of docs/POLICY.md, never with src/policy.
 *
 * Everything here is fictional: invented names, documentation IP ranges, coordinates in open ocean.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { expect } from 'vitest'
import { toIncoming } from '../../src/ingest/prepare.js'
import type {
  Agreement,
  ObjectVersion,
  PolicyHistory,
  Resumption,
  Suspension,
} from '../../src/policy/types.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StixObject } from '../../src/stix/object.js'
import {
  agreementsInForce,
  type ModelDecision,
  modelDecide,
  modelRedact,
  suspensionsActive,
} from '../policy/reference-model.js'
import { startTestNode, type TestNode } from './node.js'

// ---------------------------------------------------------------------------------------------------------------
// Marking ids, written out here (not imported from src) so a wrong table in src cannot hide itself.

export const TLP1 = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
}
export const TLP2 = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  amberStrict: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}
export const OPENCTI_AMBER_STRICT = 'marking-definition--826578e1-40ad-459f-bc73-ede076f81f37'
export const HANDLING = {
  H0: 'marking-definition--37ababc5-d0b9-59c4-8352-a5ba4fa3ea82',
  H1: 'marking-definition--f1d9c592-8fb8-5ebc-9efc-60f82eb3ffa1',
  H2: 'marking-definition--d4b3d411-97cc-5933-be2b-9f99493a67c2',
  H3: 'marking-definition--96468d86-f874-5fa7-9772-72d23496b32c',
}
const IEP_EXT = 'extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a'

/**
 * Marking-definitions the node holds (posted once per node into a "markings" collection). TLP-bearing ones other
 * than the well-known TLP ids are refused at ingest (rule tlp-marking), so the only custom TLP source is IEP.
 */
export const CUSTOM = {
  iepAmber: 'marking-definition--c0570000-0000-4000-8000-000000000005',
  iepInternal: 'marking-definition--c0570000-0000-4000-8000-000000000006',
  statement: 'marking-definition--c0570000-0000-4000-8000-000000000007',
  handlingH2: 'marking-definition--c0570000-0000-4000-8000-000000000008',
}
/** A caveat id no node holds: an agreement that attaches it releases nothing. */
export const UNRESOLVABLE = 'marking-definition--c0570000-0000-4000-8000-0000000dead0'

const MARKING_CREATED = '2025-01-02T00:00:00.000Z'
function customMarkings(): StixObject[] {
  const base = { type: 'marking-definition', spec_version: '2.1', created: MARKING_CREATED }
  return [
    {
      ...base,
      id: CUSTOM.iepAmber,
      name: 'IEP amber',
      extensions: {
        [IEP_EXT]: {
          extension_type: 'property-extension',
          tlp: 'amber',
          permitted_actions: 'internally-visible-actions',
        },
      },
    },
    {
      ...base,
      id: CUSTOM.iepInternal,
      name: 'IEP internal use',
      extensions: {
        [IEP_EXT]: { extension_type: 'property-extension', permitted_actions: 'internally-visible-actions' },
      },
    },
    // OpenCTI's AMBER+STRICT as OpenCTI emits it: the node must post it before objects may reference the id.
    {
      ...base,
      id: OPENCTI_AMBER_STRICT,
      name: 'TLP:AMBER+STRICT',
      definition_type: 'TLP',
      definition: { TLP: 'TLP:AMBER+STRICT' },
    },
    {
      ...base,
      id: CUSTOM.statement,
      definition_type: 'statement',
      definition: { statement: 'Copyright Meridia (fictional)' },
    },
    {
      ...base,
      id: CUSTOM.handlingH2,
      definition_type: 'statement',
      definition: { statement: 'H2: no further dissemination without permission' },
    },
  ]
}

/** Markings objects may carry (object-level or granular). */
export const OBJECT_MARKINGS: string[] = [
  ...Object.values(TLP1),
  ...Object.values(TLP2),
  OPENCTI_AMBER_STRICT,
  ...Object.values(HANDLING),
  ...Object.values(CUSTOM),
]
const CAVEATS = [HANDLING.H0, CUSTOM.iepInternal, TLP2.green, UNRESOLVABLE]
const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const
type Tlp = (typeof TLPS)[number]
export const LABELS = ['vessel-tracking', 'finance', 'source-sensitive']
const SDO_KINDS = ['indicator', 'intrusion-set', 'location', 'observed-data'] as const
export const OBJECT_KINDS = [...SDO_KINDS, 'relationship', 'sighting', 'ipv4-addr'] as const
export type ObjectKind = (typeof OBJECT_KINDS)[number]

// ---------------------------------------------------------------------------------------------------------------
// The node harness: one node reused across many cases, on tmpfs when there is one (ledger appends fsync).

export interface Harness {
  t: TestNode
  /** Every collection of the node, in creation order. */
  collections: string[]
  markings: StixObject[]
  /** Cases loaded on the current node (rotate() starts a new node after a while, to keep policy loads small). */
  cases: number
  /** Partner key for the "other partner" / missing-id probes. */
  seq: number
}

let shmDirs: string[] = []

async function freshNode(): Promise<{ t: TestNode; collections: string[] }> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : undefined
  const dataDir = base ? mkdtempSync(join(base, 'sluice-leak-')) : undefined
  if (dataDir) shmDirs.push(dataDir)
  const t = await startTestNode(dataDir ? { dataDir } : {})
  const markingsCollection = await createCollection(t.node.store, {
    apiRoot: 'intel',
    title: 'Marking definitions',
  })
  const res = await t.post(`/intel/collections/${markingsCollection.id}/objects/`, {
    objects: customMarkings(),
  })
  const status = (await res.json()) as { success_count: number; failures?: unknown[] }
  expect(status.failures ?? [], 'custom marking-definitions must be accepted').toEqual([])
  return { t, collections: [markingsCollection.id] }
}

export async function startHarness(): Promise<Harness> {
  const { t, collections } = await freshNode()
  return { t, collections, markings: customMarkings(), cases: 0, seq: 0 }
}

export async function stopHarness(h: Harness | undefined): Promise<void> {
  await h?.t.stop()
  for (const d of shmDirs) rmSync(d, { recursive: true, force: true })
  shmDirs = []
}

/** Starts over on a new node every `every` cases (policy reloads grow with the number of rows). */
export async function rotate(h: Harness, every: number): Promise<void> {
  if (h.cases < every) return
  await h.t.stop()
  for (const d of shmDirs) rmSync(d, { recursive: true, force: true })
  shmDirs = []
  const { t, collections } = await freshNode()
  h.t = t
  h.collections = collections
  h.cases = 0
}

// ---------------------------------------------------------------------------------------------------------------
// World specification (what fast-check generates): abstract, indices instead of ids.

export type When = 'now' | 'past' | 'future'
export type Validity = 'none' | 'from-past' | 'from-future' | 'expired' | 'until-future'

export interface AgreementVersionSpec {
  collections: number[] | '*'
  types: string[] | '*'
  maxTlp: Tlp
  caveats: string[]
  requiredLabels: string[]
  forbiddenLabels: string[]
  requiredMarkings: string[]
  forbiddenMarkings: string[]
  validity: Validity
  at: When
  withdrawn: boolean
}

export interface ScopeSpec {
  collections?: number[]
  types?: string[]
  markings?: string[]
  labels?: string[]
  aboveTlp?: Tlp
}

export interface OrderSpec {
  /** undefined: the whole partner. */
  scope: ScopeSpec | undefined
  at: When
  /** Lift it (when): 'past' only after a past suspension. */
  resume: When | undefined
}

export interface PartnerSpec {
  agreements: AgreementVersionSpec[][]
  orders: OrderSpec[]
}

export interface GranularSpec {
  marking: string
  /** Picks among the selectors that exist on the object (index modulo their number). */
  selectors: number[]
}

export interface VersionSpec {
  labels: string[]
  markings: string[]
  granular: GranularSpec[]
  extRefs: number
}

export interface LineageSpec {
  kind: ObjectKind
  collection: number
  versions: VersionSpec[]
  /** Other lineages this one references (modulo), -1 for an id that is stored nowhere. */
  refs: number[]
  /** Versions are posted in this rotation of their natural order (so date_added order ≠ modified order). */
  rotate: number
}

export interface WorldSpec {
  collections: number
  partners: PartnerSpec[]
  lineages: LineageSpec[]
  /** Seed of the post order across lineages. */
  shuffle: number
}

const opt = <T>(arb: fc.Arbitrary<T>, absentWeight = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: absentWeight }, { arbitrary: arb, weight: 1 })

const whenArb = fc.constantFrom<When>('now', 'now', 'past', 'future')
// nothing is above red: the node refuses an order narrowed to it
const aboveTlpArb = fc.constantFrom<Tlp>(...TLPS.filter((t) => t !== 'red'))

export function agreementVersionSpecArb(collections: number): fc.Arbitrary<AgreementVersionSpec> {
  const idx = Array.from({ length: collections }, (_, i) => i)
  return fc.record({
    collections: fc.oneof(fc.constant('*' as const), fc.subarray(idx, { minLength: 1 })),
    types: fc.oneof(
      { arbitrary: fc.constant('*' as const), weight: 3 },
      { arbitrary: fc.subarray([...OBJECT_KINDS], { minLength: 1 }), weight: 1 },
    ),
    maxTlp: fc.constantFrom<Tlp>('clear', 'green', 'amber', 'amber', 'amber+strict', 'red', 'red', 'red'),
    caveats: fc.oneof(
      { arbitrary: fc.constant([] as string[]), weight: 3 },
      { arbitrary: fc.subarray(CAVEATS.slice(0, 3), { minLength: 1 }), weight: 5 },
      { arbitrary: fc.constant([HANDLING.H0, UNRESOLVABLE] as string[]), weight: 1 },
    ),
    requiredLabels: fc.oneof(
      { arbitrary: fc.constant([] as string[]), weight: 5 },
      { arbitrary: fc.subarray(LABELS, { maxLength: 1 }), weight: 1 },
    ),
    forbiddenLabels: fc.oneof(
      { arbitrary: fc.constant([] as string[]), weight: 4 },
      { arbitrary: fc.subarray(LABELS, { maxLength: 1 }), weight: 1 },
    ),
    requiredMarkings: fc.oneof(
      { arbitrary: fc.constant([] as string[]), weight: 6 },
      { arbitrary: fc.subarray(OBJECT_MARKINGS, { minLength: 1, maxLength: 1 }), weight: 1 },
    ),
    forbiddenMarkings: fc.oneof(
      { arbitrary: fc.constant([] as string[]), weight: 4 },
      { arbitrary: fc.subarray(OBJECT_MARKINGS, { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
    validity: fc.oneof(
      { arbitrary: fc.constantFrom<Validity>('none', 'from-past', 'until-future'), weight: 6 },
      { arbitrary: fc.constantFrom<Validity>('from-future', 'expired'), weight: 1 },
    ),
    at: fc.constantFrom<When>('now', 'now', 'now', 'past', 'past', 'future'),
    withdrawn: fc.oneof(
      { arbitrary: fc.constant(false), weight: 12 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
  })
}

function scopeArb(collections: number): fc.Arbitrary<ScopeSpec> {
  const idx = Array.from({ length: collections }, (_, i) => i)
  const clean = (s: ScopeSpec): ScopeSpec => {
    for (const k of Object.keys(s) as (keyof ScopeSpec)[]) if (s[k] === undefined) delete s[k]
    return s
  }
  return fc
    .record({
      collections: opt(fc.subarray(idx, { minLength: 1, maxLength: Math.min(2, collections) }), 1),
      types: opt(fc.subarray([...OBJECT_KINDS], { minLength: 1, maxLength: 2 }), 3),
      markings: opt(fc.subarray(OBJECT_MARKINGS, { minLength: 1, maxLength: 3 }), 3),
      labels: opt(fc.subarray(LABELS, { minLength: 1 }), 3),
      aboveTlp: opt(aboveTlpArb, 1),
    })
    .map(clean)
    .filter((s) => Object.keys(s).length > 0)
}

export function orderSpecArb(collections: number): fc.Arbitrary<OrderSpec> {
  return fc
    .record({
      scope: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 1 },
        { arbitrary: scopeArb(collections), weight: 4 },
      ),
      at: whenArb,
      resume: opt(whenArb, 1),
    })
    .map((o) => {
      // a resumption cannot take effect before its suspension
      let resume = o.resume
      if (resume === 'past' && o.at !== 'past') resume = 'future'
      if (resume === 'now' && o.at === 'future') resume = 'future'
      return { ...o, resume }
    })
}

export function partnerArb(collections: number): fc.Arbitrary<PartnerSpec> {
  const lineage = fc.array(agreementVersionSpecArb(collections), { minLength: 1, maxLength: 2 })
  return fc.record({
    agreements: fc.oneof(
      { arbitrary: fc.constant([] as AgreementVersionSpec[][]), weight: 1 },
      { arbitrary: fc.array(lineage, { minLength: 1, maxLength: 2 }), weight: 8 },
    ),
    orders: fc.oneof(
      { arbitrary: fc.constant([] as OrderSpec[]), weight: 3 },
      { arbitrary: fc.array(orderSpecArb(collections), { minLength: 1, maxLength: 2 }), weight: 3 },
    ),
  })
}

const versionArb: fc.Arbitrary<VersionSpec> = fc.record({
  labels: fc.oneof(
    { arbitrary: fc.constant([] as string[]), weight: 2 },
    { arbitrary: fc.subarray(LABELS, { minLength: 1 }), weight: 1 },
  ),
  markings: fc.oneof(
    { arbitrary: fc.constant([] as string[]), weight: 1 },
    { arbitrary: fc.subarray(OBJECT_MARKINGS, { minLength: 1, maxLength: 2 }), weight: 3 },
  ),
  granular: fc.oneof(
    { arbitrary: fc.constant([] as GranularSpec[]), weight: 1 },
    {
      arbitrary: fc.array(
        fc.record({
          marking: fc.oneof(
            {
              arbitrary: fc.constantFrom(
                TLP2.green,
                TLP2.amber,
                TLP2.amberStrict,
                TLP2.red,
                TLP1.red,
                TLP1.amber,
                CUSTOM.iepAmber,
              ),
              weight: 3,
            },
            { arbitrary: fc.constantFrom(...OBJECT_MARKINGS), weight: 1 },
          ),
          selectors: fc.array(fc.nat(20), { minLength: 1, maxLength: 2 }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      weight: 1,
    },
  ),
  extRefs: fc.integer({ min: 0, max: 2 }),
})

export function lineageArb(collections: number): fc.Arbitrary<LineageSpec> {
  return fc.record({
    kind: fc.constantFrom<ObjectKind>(...OBJECT_KINDS),
    collection: fc.integer({ min: 0, max: collections - 1 }),
    versions: fc.array(versionArb, { minLength: 1, maxLength: 3 }),
    refs: fc.array(fc.integer({ min: -1, max: 30 }), { minLength: 1, maxLength: 3 }),
    rotate: fc.nat(2),
  })
}

export interface WorldShape {
  collections?: number
  partners?: number
  minLineages?: number
  maxLineages?: number
}

export function worldArb(shape: WorldShape = {}): fc.Arbitrary<WorldSpec> {
  const collections = shape.collections ?? 3
  const partners = shape.partners ?? 3
  return fc.record({
    collections: fc.constant(collections),
    partners: fc.array(partnerArb(collections), { minLength: partners, maxLength: partners }),
    lineages: fc.array(lineageArb(collections), {
      minLength: shape.minLineages ?? 2,
      maxLength: shape.maxLineages ?? 8,
    }),
    shuffle: fc.nat(),
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Building the objects.

const HOUR = 3_600_000
const CREATED = '2025-06-01T00:00:00.000Z'
const modifiedAt = (k: number): string => new Date(Date.parse(CREATED) + (k + 1) * HOUR).toISOString()

let caseCounter = 0
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0').slice(-width)

function lineageId(kind: ObjectKind, caseNo: number, index: number): string {
  return `${kind}--${hex(caseNo, 8)}-5eed-4000-8000-${hex(index + 1, 12)}`
}
function ghostId(kind: string, caseNo: number, salt: number): string {
  return `${kind}--${hex(caseNo, 8)}-9605-4000-8000-${hex(salt + 1, 12)}`
}

/** Paths of a built object a granular marking may point at. */
function selectorsOf(o: Record<string, unknown>): { free: string[]; required: string[] } {
  const out: string[] = []
  const required = ['name', 'pattern', 'value', 'source_ref', 'number_observed'].filter((k) => k in o)
  for (const key of ['description', 'where_sighted_refs']) if (key in o) out.push(key)
  const labels = o.labels as unknown[] | undefined
  if (labels) {
    out.push('labels')
    for (let i = 0; i < labels.length; i++) out.push(`labels.[${i}]`)
  }
  const refs = o.external_references as unknown[] | undefined
  if (refs) {
    out.push('external_references')
    for (let i = 0; i < refs.length; i++)
      out.push(`external_references.[${i}]`, `external_references.[${i}].url`)
  }
  return { free: out, required }
}

function buildVersion(
  spec: LineageSpec,
  index: number,
  k: number,
  ids: string[],
  kinds: ObjectKind[],
  caseNo: number,
): StixObject {
  const v = spec.versions[k]!
  const id = ids[index]!
  const pick = (wanted: readonly ObjectKind[], r: number, ghostKind: string): string => {
    if (r >= 0) {
      const candidates = ids.filter((_, i) => wanted.includes(kinds[i]!))
      if (candidates.length > 0) return candidates[r % candidates.length]!
    }
    return ghostId(ghostKind, caseNo, Math.abs(r) + index * 7)
  }
  const n = (caseNo * 31 + index) % 250
  let o: Record<string, unknown>
  if (spec.kind === 'ipv4-addr') {
    o = { type: 'ipv4-addr', spec_version: '2.1', id, value: `198.51.100.${index % 3}` }
  } else {
    o = { type: spec.kind, spec_version: '2.1', id, created: CREATED, modified: modifiedAt(k) }
    switch (spec.kind) {
      case 'indicator':
        Object.assign(o, {
          name: `Fictional relay ${n} v${k + 1}`,
          description: `Relay used by the invented Blue Marlin cell (version ${k + 1})`,
          pattern: `[ipv4-addr:value = '203.0.113.${n}']`,
          pattern_type: 'stix',
          valid_from: CREATED,
        })
        break
      case 'intrusion-set':
        Object.assign(o, {
          name: `Saltpan brokers ${n}`,
          description: `An invented brokerage network, revision ${k + 1}`,
        })
        break
      case 'location':
        Object.assign(o, {
          name: `Open-sea waypoint ${n}`,
          description: 'A fictional rendezvous far from any coast',
          latitude: -48.5,
          longitude: -125 + k,
        })
        break
      case 'observed-data':
        Object.assign(o, {
          description: `Fictional observation ${k + 1}`,
          first_observed: CREATED,
          last_observed: CREATED,
          number_observed: k + 1,
          object_refs: [...new Set(spec.refs.map((r) => pick(['ipv4-addr'], r, 'ipv4-addr')))],
        })
        break
      case 'relationship':
        Object.assign(o, {
          relationship_type: 'related-to',
          description: `Link ${k + 1}`,
          source_ref: pick(SDO_KINDS, spec.refs[0]!, 'intrusion-set'),
          target_ref: pick(SDO_KINDS, spec.refs[spec.refs.length - 1]!, 'indicator'),
        })
        break
      case 'sighting': {
        const where = spec.refs
          .slice(1)
          .filter((r) => r % 2 === 0)
          .map((r) => pick(['location'], r, 'location'))
        const observed = spec.refs
          .slice(1)
          .filter((r) => r % 2 !== 0)
          .map((r) => pick(['observed-data'], r, 'observed-data'))
        Object.assign(o, {
          description: `Sighting ${k + 1}`,
          sighting_of_ref: pick(['indicator', 'intrusion-set'], spec.refs[0]!, 'intrusion-set'),
          ...(where.length ? { where_sighted_refs: [...new Set(where)] } : {}),
          ...(observed.length ? { observed_data_refs: [...new Set(observed)] } : {}),
        })
        break
      }
    }
    if (v.labels.length) o.labels = v.labels
    if (v.extRefs > 0) {
      o.external_references = Array.from({ length: v.extRefs }, (_, i) => ({
        source_name: `fictional-source-${i}`,
        url: `https://example.org/case/${n}/${i}`,
      }))
    }
  }
  if (v.markings.length) o.object_marking_refs = v.markings
  // Mostly properties an object can lose (redaction); sometimes one it cannot (the object is withheld).
  const { free, required } = selectorsOf(o)
  const choose = (n: number): string | undefined => {
    const list = (n >= 17 && required.length) || !free.length ? required : free
    return list.length ? list[n % list.length] : undefined
  }
  const granular = v.granular
    .map((g) => ({
      marking_ref: g.marking,
      selectors: [...new Set(g.selectors.map(choose).filter((x): x is string => x !== undefined))],
    }))
    .filter((g) => g.selectors.length > 0)
  if (granular.length) o.granular_markings = granular
  return o as StixObject
}

// ---------------------------------------------------------------------------------------------------------------
// Loading a world into the node.

export interface LoadedPartner {
  id: string
  key: string
  principalId: string
}

export interface Row {
  /** Position in the collection's sequence order (ascending = date_added order). */
  seq: number
  collectionId: string
  id: string
  type: string
  /** `modified`, else `created`, else undefined (as TAXII versions them). */
  version: string | undefined
  dateAdded: string
  object: StixObject
}

export interface World {
  caseNo: number
  collections: string[]
  partners: LoadedPartner[]
  /** The policy as the model sees it, assembled from what the test asked for (not read back from the node). */
  history: PolicyHistory
  rows: Row[]
  /** Every object id of the world, plus ids stored nowhere. */
  ids: string[]
  unknownId: string
  spec: WorldSpec
}

const ISSUER = 'Fictional duty officer'

export function relTime(when: When | 'past-later' | 'far-future', base: number): string | undefined {
  switch (when) {
    case 'now':
      return undefined
    case 'past':
      return new Date(base - 2 * HOUR).toISOString()
    case 'past-later':
      return new Date(base - 1 * HOUR).toISOString()
    case 'future':
      return new Date(base + 2 * HOUR).toISOString()
    case 'far-future':
      return new Date(base + 4 * HOUR).toISOString()
  }
}

function validityWindow(v: Validity, base: number): { validFrom?: string; validUntil?: string } {
  const at = (h: number) => new Date(base + h * HOUR).toISOString()
  switch (v) {
    case 'none':
      return {}
    case 'from-past':
      return { validFrom: at(-5) }
    case 'from-future':
      return { validFrom: at(5) }
    case 'expired':
      return { validFrom: at(-5), validUntil: at(-1) }
    case 'until-future':
      return { validUntil: at(5) }
  }
}

type HistoryRows = {
  partners: PolicyHistory['partners'][number][]
  agreements: Agreement[]
  orders: (Suspension | Resumption)[]
  markings: StixObject[]
}

/**
 * Puts one agreement version through the policy service and returns the record the model uses, built from the
 * request (only the id and the recording time come from the node; the test checks the node stored the rest).
 */
export async function putAgreementVersion(
  h: Harness,
  partnerId: string,
  v: AgreementVersionSpec,
  collections: string[],
  base: number,
  agreementId: string | undefined,
  version: number,
  /** The agreement's latest version, when this is a new version of it. */
  previous?: Agreement,
): Promise<Agreement | undefined> {
  const at = relTime(v.at, base)
  const window = validityWindow(v.validity, base)
  const cols = v.collections === '*' ? ('*' as const) : v.collections.map((c) => collections[c]!)
  // a withdrawal of an agreement already withdrawn records nothing, unless it brings that withdrawal forward
  if (
    v.withdrawn &&
    previous?.withdrawn &&
    Date.parse(at ?? new Date().toISOString()) >= Date.parse(previous.effective_from)
  ) {
    await expect(
      h.t.node.services.policy.putAgreement(
        {
          id: previous.id,
          partner: partnerId,
          collections: cols,
          maxTlp: v.maxTlp,
          withdrawn: true,
          ...(at ? { at } : {}),
        },
        ISSUER,
      ),
    ).rejects.toThrow(`agreement "${previous.id}" is already withdrawn`)
    return undefined
  }
  if (v.caveats.includes(UNRESOLVABLE))
    return heldUnresolvable(h, partnerId, v, cols, at, window, agreementId, version)
  let put: Agreement
  try {
    put = await h.t.node.services.policy.putAgreement(
      {
        ...(agreementId ? { id: agreementId } : {}),
        partner: partnerId,
        collections: cols,
        types: v.types,
        maxTlp: v.maxTlp,
        caveats: v.caveats,
        requiredLabels: v.requiredLabels,
        forbiddenLabels: v.forbiddenLabels,
        requiredMarkings: v.requiredMarkings,
        forbiddenMarkings: v.forbiddenMarkings,
        ...window,
        ...(at ? { at } : {}),
        ...(v.withdrawn ? { withdrawn: true } : {}),
      },
      ISSUER,
    )
  } catch (error) {
    // an amendment repeating what is in force records nothing (src/policy/amendment.ts): the history stays
    if (previous && /an amendment that changes nothing is not recorded$/.test((error as Error).message))
      return undefined
    throw error
  }
  const expected = modelAgreement(partnerId, v, cols, at, window, put.id, version, put.recorded_at)
  expect(put).toEqual(expected)
  return expected
}

/**
 * The node refuses to record a caveat it cannot resolve (src/services/policy-names.ts), yet it can come to hold
 * one: the marking-definition is deleted over TAXII after the agreement was made, or the agreement predates
 * the check. Such an agreement is written to the store as it would then be held, so the rule for it (it
 * releases nothing) stays under test.
 */
async function heldUnresolvable(
  h: Harness,
  partnerId: string,
  v: AgreementVersionSpec,
  cols: Agreement['collections'],
  at: string | undefined,
  window: { validFrom?: string; validUntil?: string },
  agreementId: string | undefined,
  version: number,
): Promise<Agreement> {
  const recordedAt = new Date().toISOString()
  const id = agreementId ?? `agreement--${randomUUID()}`
  const agreement = modelAgreement(partnerId, v, cols, at, window, id, version, recordedAt)
  await h.t.node.store.appendPolicy(
    [{ kind: 'agreement', id: agreement.id, recordedAt, body: JSON.stringify(agreement) }],
    [],
  )
  return agreement
}

/** The agreement record a spec stands for, as the node stores it. */
function modelAgreement(
  partnerId: string,
  v: AgreementVersionSpec,
  cols: Agreement['collections'],
  at: string | undefined,
  window: { validFrom?: string; validUntil?: string },
  id: string,
  version: number,
  recordedAt: string,
): Agreement {
  return {
    id,
    version,
    partner_id: partnerId,
    collections: cols,
    object_types: v.types,
    max_tlp: v.maxTlp,
    ...(v.caveats.length ? { caveats: v.caveats } : {}),
    ...(v.requiredLabels.length ? { required_labels: v.requiredLabels } : {}),
    ...(v.forbiddenLabels.length ? { forbidden_labels: v.forbiddenLabels } : {}),
    ...(v.requiredMarkings.length ? { required_markings: v.requiredMarkings } : {}),
    ...(v.forbiddenMarkings.length ? { forbidden_markings: v.forbiddenMarkings } : {}),
    ...(window.validFrom ? { valid_from: window.validFrom } : {}),
    ...(window.validUntil ? { valid_until: window.validUntil } : {}),
    effective_from: at ?? recordedAt,
    recorded_at: recordedAt,
    recorded_by: ISSUER,
    ...(v.withdrawn ? { withdrawn: true } : {}),
  }
}

/** Issues a suspension (and its resumption, if the spec says so); returns the records the model uses. */
export async function putOrder(
  h: Harness,
  partnerId: string,
  o: OrderSpec,
  collections: string[],
  base: number,
): Promise<(Suspension | Resumption)[]> {
  const { policy } = h.t.node.services
  const at = relTime(o.at, base)
  const scope = o.scope
  const order = await policy.suspend({
    partner: partnerId,
    ...(scope?.collections ? { collections: scope.collections.map((c) => collections[c]!) } : {}),
    ...(scope?.types ? { types: scope.types } : {}),
    ...(scope?.markings ? { markings: scope.markings } : {}),
    ...(scope?.labels ? { labels: scope.labels } : {}),
    ...(scope?.aboveTlp ? { aboveTlp: scope.aboveTlp } : {}),
    ...(at ? { at } : {}),
    reason: 'fictional ministerial order pending review',
    issuer: ISSUER,
  })
  const expectedScope = scope && {
    ...(scope.collections ? { collections: scope.collections.map((c) => collections[c]!) } : {}),
    ...(scope.types ? { object_types: scope.types } : {}),
    ...(scope.markings ? { markings: scope.markings } : {}),
    ...(scope.labels ? { labels: scope.labels } : {}),
    ...(scope.aboveTlp ? { above_tlp: scope.aboveTlp } : {}),
  }
  const suspension: Suspension = {
    kind: 'suspension',
    id: order.id,
    partner_id: partnerId,
    ...(expectedScope ? { scope: expectedScope } : {}),
    effective_from: at ?? order.recorded_at,
    issuer: ISSUER,
    reason: 'fictional ministerial order pending review',
    recorded_at: order.recorded_at,
    recorded_by: ISSUER,
    commitment_salt: order.commitment_salt!,
  }
  expect(order.commitment_salt).toMatch(/^[0-9a-f]{64}$/)
  expect(order).toEqual(suspension)
  const out: (Suspension | Resumption)[] = [suspension]
  if (o.resume) {
    const rAt = relTime(
      o.resume === 'past' ? 'past-later' : o.resume === 'future' ? 'far-future' : 'now',
      base,
    )
    const lift = await policy.resume({
      order: order.id,
      reason: 'lifted after review',
      issuer: ISSUER,
      ...(rAt ? { at: rAt } : {}),
    })
    const resumption: Resumption = {
      kind: 'resumption',
      id: lift.id,
      lifts: order.id,
      effective_from: rAt ?? lift.recorded_at,
      issuer: ISSUER,
      reason: 'lifted after review',
      recorded_at: lift.recorded_at,
      recorded_by: ISSUER,
      commitment_salt: lift.commitment_salt!,
    }
    expect(lift.commitment_salt).toMatch(/^[0-9a-f]{64}$/)
    expect(lift).toEqual(resumption)
    out.push(resumption)
  }
  return out
}

/** Creates the partners, principals and policy of a spec. */
export async function loadPolicy(
  h: Harness,
  spec: WorldSpec,
  collections: string[],
  caseNo: number,
  base: number,
) {
  const { policy, store } = h.t.node.services
  const history: HistoryRows = { partners: [], agreements: [], orders: [], markings: h.markings }
  const partners: LoadedPartner[] = []
  for (let p = 0; p < spec.partners.length; p++) {
    const ps = spec.partners[p]!
    const id = `k${hex(caseNo, 6)}-p${p}`
    const partner = await policy.addPartner(
      { id, name: `Fictional agency ${caseNo}/${p}`, kind: 'police' },
      ISSUER,
    )
    history.partners.push(partner)
    const principal = await createPrincipal(store, { name: `${id} reader`, role: 'partner', partnerId: id })
    partners.push({ id, key: principal.apiKey, principalId: principal.principal.id })
    for (const lineage of ps.agreements) {
      let latest: Agreement | undefined
      for (const v of lineage) {
        const version = (latest?.version ?? 0) + 1
        const a = await putAgreementVersion(h, id, v, collections, base, latest?.id, version, latest)
        if (!a) continue
        latest = a
        history.agreements.push(a)
      }
    }
    for (const o of ps.orders) history.orders.push(...(await putOrder(h, id, o, collections, base)))
  }
  return { history: history as PolicyHistory, partners }
}

/** A deterministic shuffle (mulberry32). */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Posts the world's objects (as admin, over TAXII) and reads back sequence order and date_added. */
export async function loadObjects(
  h: Harness,
  spec: WorldSpec,
  collections: string[],
  caseNo: number,
  via: 'taxii' | 'store' = 'taxii',
): Promise<Row[]> {
  const kinds = spec.lineages.map((l) => l.kind)
  const ids = spec.lineages.map((l, i) => lineageId(l.kind, caseNo, i))
  const perCollection = new Map<string, StixObject[]>()
  const pending: { collection: string; object: StixObject }[] = []
  spec.lineages.forEach((l, i) => {
    const count = l.kind === 'ipv4-addr' ? 1 : l.versions.length
    const versions = Array.from({ length: count }, (_, k) => buildVersion(l, i, k, ids, kinds, caseNo))
    const r = l.rotate % versions.length
    for (const object of [...versions.slice(r), ...versions.slice(0, r)])
      pending.push({ collection: collections[l.collection]!, object })
  })
  // Keep each lineage's rotated order but interleave lineages.
  const order = shuffled(
    pending.map((_, i) => i),
    spec.shuffle,
  )
  const byLineage = new Map<string, number[]>()
  for (const [i, p] of pending.entries())
    byLineage.set(p.object.id, [...(byLineage.get(p.object.id) ?? []), i])
  const cursor = new Map<string, number>()
  for (const slot of order) {
    const id = pending[slot]!.object.id
    const k = cursor.get(id) ?? 0
    cursor.set(id, k + 1)
    const item = pending[byLineage.get(id)![k]!]!
    perCollection.set(item.collection, [...(perCollection.get(item.collection) ?? []), item.object])
  }
  const rows: Row[] = []
  for (const collectionId of collections) {
    const objects = perCollection.get(collectionId) ?? []
    if (objects.length === 0) continue
    let manifest: { objects: { id: string; date_added: string; version: string }[] }
    if (via === 'taxii') {
      const res = await h.t.post(`/intel/collections/${collectionId}/objects/`, { objects })
      const status = (await res.json()) as {
        success_count: number
        failures?: { id: string; message: string }[]
      }
      expect(res.status).toBe(202)
      expect(status.failures ?? [], 'every generated object is valid STIX the node accepts').toEqual([])
      expect(status.success_count).toBe(objects.length)
      // The admin sees everything: its manifest gives the sequence order and date_added.
      manifest = (await (
        await h.t.get(`/intel/collections/${collectionId}/manifest/?match[version]=all&limit=1000`)
      ).json()) as typeof manifest
    } else {
      // Cheaper, for the many-small-worlds property (the same generator is validated over TAXII elsewhere).
      const { store } = h.t.node
      const outcomes = await store.putObjects(collectionId, objects.map(toIncoming))
      expect(outcomes.map((o) => o.result)).toEqual(objects.map(() => 'added'))
      const batch = await store.queryObjects({ collectionId, versions: [{ kind: 'all' }], limit: 1000 })
      manifest = {
        objects: batch.items.map((v) => ({
          id: v.id,
          date_added: v.dateAdded,
          version: v.version ?? v.dateAdded,
        })),
      }
    }
    const remaining = [...objects]
    manifest.objects.forEach((m, seq) => {
      const at = remaining.findIndex(
        (o) => o.id === m.id && (o.modified ?? o.created ?? m.date_added) === m.version,
      )
      expect(at, `manifest entry ${m.id} ${m.version} is one of the posted versions`).toBeGreaterThanOrEqual(
        0,
      )
      const object = remaining.splice(at, 1)[0]!
      rows.push({
        seq,
        collectionId,
        id: object.id,
        type: object.type,
        version: (object.modified as string | undefined) ?? (object.created as string | undefined),
        dateAdded: m.date_added,
        object,
      })
    })
    expect(remaining).toEqual([])
  }
  return rows
}

/** Loads a whole world: fresh collections, partners, policy, objects. */
export async function loadWorld(
  h: Harness,
  spec: WorldSpec,
  via: 'taxii' | 'store' = 'taxii',
): Promise<World> {
  const caseNo = ++caseCounter
  h.cases++
  const base = Date.now()
  const collections: string[] = []
  for (let c = 0; c < spec.collections; c++) {
    const col = await createCollection(h.t.node.store, {
      apiRoot: 'intel',
      title: `Case ${caseNo} collection ${c}`,
      alias: `k${hex(caseNo, 6)}-c${c}`,
    })
    collections.push(col.id)
    h.collections.push(col.id)
  }
  const rows = await loadObjects(h, spec, collections, caseNo, via)
  const { history, partners } = await loadPolicy(h, spec, collections, caseNo, base)
  const ids = [...new Set(rows.map((r) => r.id))]
  const refs = rows.flatMap((r) =>
    [r.object.source_ref, r.object.target_ref, r.object.sighting_of_ref].filter(
      (x): x is string => typeof x === 'string',
    ),
  )
  for (const ref of refs) if (!ids.includes(ref)) ids.push(ref)
  return {
    caseNo,
    collections,
    partners,
    history,
    rows,
    ids,
    unknownId: ghostId('intrusion-set', caseNo, 999),
    spec,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle.

const t = (s: string) => Date.parse(s)

/**
 * Collections a partner may list, from docs/POLICY.md "Collection listing": those some agreement in force and
 * inside its validity window covers ('*': every collection of the node), minus those an active suspension
 * blocks whole (no scope: all; a scope of collections only: those).
 */
export function modelCollections(
  history: PolicyHistory,
  partnerId: string,
  now: string,
  all: readonly string[],
): Set<string> {
  const at = t(now)
  if (!history.partners.some((p) => p.id === partnerId)) return new Set()
  const visible = new Set<string>()
  for (const a of agreementsInForce(history, partnerId, at)) {
    if (a.valid_from && at < t(a.valid_from)) continue
    if (a.valid_until && at >= t(a.valid_until)) continue
    for (const c of a.collections === '*' ? all : a.collections) visible.add(c)
  }
  for (const s of suspensionsActive(history, partnerId, at)) {
    const scope = s.scope ?? {}
    const keys = Object.keys(scope)
    if (keys.length === 0) return new Set()
    if (keys.length === 1 && scope.collections) for (const c of scope.collections) visible.delete(c)
  }
  return visible
}

export type Selector = 'last' | 'first' | 'all' | { at: string }

export interface ModelQuery {
  versions?: Selector[]
  ids?: string[]
  types?: string[]
  addedAfter?: string
}

export interface Expected {
  row: Row
  decision: ModelDecision
  /** The object as the partner must receive it. */
  object: StixObject
}

/** Microseconds of an RFC 3339 instant with up to 9 fractional digits (truncating to micros). */
export function micros(s: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s)
  if (!m) throw new Error(`bad instant ${s}`)
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0').slice(0, 6))
}

const versionNanos = (v: string | undefined): string => {
  if (v === undefined) return ''
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(v)!
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}`
}

const contextCache = new WeakMap<readonly Row[], Map<string, { endpoints: Map<string, ObjectVersion[]> }>>()
const endsCache = new WeakMap<readonly Row[], Map<Row, { first: boolean; last: boolean }>>()

/**
 * The stored versions of each id that `decide` gets as SRO endpoint context. 'last-per-collection' is what the
 * gate hands it (the newest version of the id in each collection, `Store.latestVersions`); 'all' is the literal
 * reading of docs/POLICY.md ("at least one stored version the partner may see").
 */
export function endpointContext(
  rows: readonly Row[],
  mode: 'last-per-collection' | 'all' = 'last-per-collection',
) {
  let byMode = contextCache.get(rows)
  if (!byMode) {
    byMode = new Map()
    contextCache.set(rows, byMode)
  }
  const cached = byMode.get(mode)
  if (cached) return cached
  const endpoints = new Map<string, ObjectVersion[]>()
  for (const r of rows) {
    if (mode === 'last-per-collection' && !isEnd(rows, r, 'last')) continue
    endpoints.set(r.id, [...(endpoints.get(r.id) ?? []), { collectionId: r.collectionId, object: r.object }])
  }
  const context = { endpoints }
  byMode.set(mode, context)
  return context
}

function isEnd(rows: readonly Row[], r: Row, end: 'first' | 'last'): boolean {
  let ends = endsCache.get(rows)
  if (!ends) {
    ends = new Map()
    const groups = new Map<string, Row[]>()
    for (const x of rows)
      groups.set(`${x.collectionId} ${x.id}`, [...(groups.get(`${x.collectionId} ${x.id}`) ?? []), x])
    for (const group of groups.values()) {
      const keys = group.map((x) => versionNanos(x.version)).sort()
      for (const x of group)
        ends.set(x, {
          first: versionNanos(x.version) === keys[0],
          last: versionNanos(x.version) === keys[keys.length - 1],
        })
    }
    endsCache.set(rows, ends)
  }
  return ends.get(r)![end]
}

/** What `partnerId` must receive from one collection for a query, in sequence order (no paging). */
export function modelRead(
  world: Pick<World, 'history' | 'rows'>,
  partnerId: string,
  collectionId: string,
  query: ModelQuery,
  now: string,
  // LEAK_ENDPOINTS=all checks the literal docs/POLICY.md wording instead of what the gate does (see the report).
  context = endpointContext(world.rows, (process.env.LEAK_ENDPOINTS as 'all') ?? 'last-per-collection'),
): Expected[] {
  const selectors = query.versions?.length ? query.versions : ['last' as const]
  const decideRow = (r: Row) =>
    modelDecide(world.history, partnerId, { collectionId, object: r.object }, now, context)
  // docs/POLICY.md "Versions": an object is seen only while its newest version is, and the selectors choose
  // among the versions the partner may see
  const inCollection = world.rows.filter((r) => r.collectionId === collectionId)
  const decisions = new Map(inCollection.map((r) => [r, decideRow(r)]))
  const visibleById = new Map<string, Row[]>()
  for (const r of inCollection) {
    if (decisions.get(r)!.effect === 'deny') continue
    visibleById.set(r.id, [...(visibleById.get(r.id) ?? []), r])
  }
  const keyOf = (r: Row) => versionNanos(r.version)
  const selected = (r: Row) => {
    const visible = visibleById.get(r.id)
    if (!visible?.includes(r) || !visible.some((v) => isEnd(world.rows, v, 'last'))) return false
    const keys = visible.map(keyOf).sort()
    return selectors.some((s) =>
      s === 'all'
        ? true
        : s === 'last'
          ? keyOf(r) === keys[keys.length - 1]
          : s === 'first'
            ? keyOf(r) === keys[0]
            : keyOf(r) === versionNanos(s.at),
    )
  }
  const rows = inCollection
    .filter(selected)
    .filter((r) => !query.ids || query.ids.includes(r.id))
    .filter((r) => !query.types || query.types.includes(r.type))
    .filter((r) => query.addedAfter === undefined || micros(r.dateAdded) > micros(query.addedAfter))
    .sort((a, b) => a.seq - b.seq)
  const out: Expected[] = []
  for (const row of rows) {
    const decision = decisions.get(row)!
    out.push({ row, decision, object: modelRedact(row.object, decision) })
  }
  return out
}

/** Every version of the world the partner may see through some read path, keyed `id|version`. */
export function modelVisibleVersions(
  world: Pick<World, 'history' | 'rows'>,
  partnerId: string,
  collections: Iterable<string>,
  now: string,
) {
  const out = new Map<string, StixObject[]>()
  for (const c of collections) {
    for (const e of modelRead(world, partnerId, c, { versions: ['all'] }, now)) {
      const key = `${e.row.id}|${e.row.object.modified ?? 'null'}`
      out.set(key, [...(out.get(key) ?? []), e.object])
    }
  }
  return out
}
