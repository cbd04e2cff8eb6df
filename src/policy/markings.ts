/**
 * Data markings: resolving marking-definition ids to what they mean for sharing.
 *
 * Recognised:
 * - TLP, from all three id families (STIX 2.1 predefined TLP 1.0, OASIS TLP 2.0 extension, OpenCTI/MISP ids; see
 *   tlp.ts), and from marking-definition objects of unknown id that say TLP in their content (legacy
 *   `definition_type: "tlp"` with any spelling of the level, or the TLP 2.0 extension).
 * - IEP 2.0, through the OASIS IEP extension. Its `tlp` field counts as a TLP marking.
 * - Law-enforcement handling codes H0–H3 (in the style of Europol's), through the Sluice handling-code extension
 *   or as statement markings whose text starts with the code (`"H2: not to be disseminated…"`).
 * - Other statement markings (copyright, terms of use).
 *
 * Combination rule: the most restrictive TLP among a unit's markings wins. For an object that is every
 * `object_marking_refs` entry; for a granularly marked property it is the object's markings plus the
 * granular markings on that property or on a property containing it. A lower TLP can never relax a higher one.
 */
import { canonicalJson } from '../stix/canonical-json.js'
import { IEP_EXTENSION_ID, IEP_VOCABULARIES } from '../stix/markings.js'
import type { StixObject } from '../stix/object.js'
import { SLUICE_IDENTITY_ID } from './sluice-ids.js'
import {
  deepFreeze,
  maxTlp,
  parseTlpValue,
  TLP1_MARKINGS,
  TLP2_EXTENSION_ID,
  TLP2_MARKINGS,
  type TlpFamily,
  type TlpLevel,
  tlpRank,
  WELL_KNOWN_TLP_IDS,
} from './tlp.js'
import type { Reason } from './types.js'

/** The OASIS IEP 2.0 marking extension (cti-stix-common-objects). */
export { IEP_EXTENSION_ID }

export type IepPermittedActions =
  | 'none'
  | 'contact-for-instruction'
  | 'internally-visible-actions'
  | 'externally-visible-indirect-actions'
  | 'externally-visible-direct-actions'

/** The `iep-2-0-content` of an IEP marking, as far as it was well-formed. */
export interface IepPolicy {
  encrypt_in_transit?: 'must' | 'may'
  permitted_actions?: IepPermittedActions
  affected_party_notifications?: 'may' | 'must-not'
  /** IEP 2.0 still uses TLP 1.0 colours; `white` is read as CLEAR. */
  tlp?: TlpLevel
  provider_attribution?: 'may' | 'must' | 'must-not'
  unmodified_resale?: 'may' | 'must-not'
  iep_id?: string
  iep_version?: number
  description?: string
  start_date?: string
  end_date?: string
}

export type HandlingCode = 'H0' | 'H1' | 'H2' | 'H3'

/** The meaning of each handling code, in our words. */
export const HANDLING_CODE_MEANINGS: Readonly<Record<HandlingCode, string>> = {
  H0: 'Use only for the purpose of preventing and combating crime.',
  H1: 'Not to be used in court proceedings without the permission of the provider.',
  H2: 'No further dissemination without the permission of the provider.',
  H3: 'Other restrictions apply (see the marking text).',
}

export const HANDLING_EXTENSION_ID = 'extension-definition--43d3240f-0e74-5647-9bf8-5930b4c0a07e'

export const SLUICE_IDENTITY: StixObject = deepFreeze({
  type: 'identity',
  spec_version: '2.1',
  id: SLUICE_IDENTITY_ID,
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  name: 'Sluice',
  identity_class: 'system',
  description: 'The Sluice sharing-node software, author of the Sluice STIX extensions.',
})

export const HANDLING_EXTENSION_DEFINITION: StixObject = deepFreeze({
  type: 'extension-definition',
  spec_version: '2.1',
  id: HANDLING_EXTENSION_ID,
  created_by_ref: SLUICE_IDENTITY_ID,
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  name: 'Sluice law-enforcement handling code',
  description:
    'A marking-definition carrying a law-enforcement handling code H0-H3: H0 use only for preventing and ' +
    "combating crime; H1 not for court proceedings without the provider's permission; H2 no further " +
    'dissemination without permission; H3 other restrictions, stated in the text.',
  schema:
    'Property extension on marking-definition. Properties: handling_code (required, string, one of H0 H1 H2 ' +
    'H3); text (string, required for H3: the restriction in plain language).',
  version: '1.0.0',
  extension_types: ['property-extension'],
})

/** Ids of the canonical Sluice handling-code markings. H3's canonical marking says only "other restrictions". */
export const HANDLING_MARKING_IDS: Readonly<Record<HandlingCode, string>> = {
  H0: 'marking-definition--37ababc5-d0b9-59c4-8352-a5ba4fa3ea82',
  H1: 'marking-definition--f1d9c592-8fb8-5ebc-9efc-60f82eb3ffa1',
  H2: 'marking-definition--d4b3d411-97cc-5933-be2b-9f99493a67c2',
  H3: 'marking-definition--96468d86-f874-5fa7-9772-72d23496b32c',
}

/** Builds a handling-code marking-definition. For H3, pass the restriction as `text`. */
export function handlingMarking(code: HandlingCode, id: string, created: string, text?: string): StixObject {
  const ext: Record<string, unknown> = { extension_type: 'property-extension', handling_code: code }
  ext.text = text ?? HANDLING_CODE_MEANINGS[code]
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created_by_ref: SLUICE_IDENTITY_ID,
    created,
    name: `Handling code ${code}`,
    extensions: { [HANDLING_EXTENSION_ID]: ext },
  }
}

export const HANDLING_MARKINGS: Readonly<Record<HandlingCode, StixObject>> = Object.freeze({
  H0: deepFreeze(handlingMarking('H0', HANDLING_MARKING_IDS.H0, '2025-01-01T00:00:00.000Z')),
  H1: deepFreeze(handlingMarking('H1', HANDLING_MARKING_IDS.H1, '2025-01-01T00:00:00.000Z')),
  H2: deepFreeze(handlingMarking('H2', HANDLING_MARKING_IDS.H2, '2025-01-01T00:00:00.000Z')),
  H3: deepFreeze(handlingMarking('H3', HANDLING_MARKING_IDS.H3, '2025-01-01T00:00:00.000Z')),
})

/** What a marking-definition means for sharing. `tlp` is set when the marking implies a TLP level. */
export type MarkingInfo =
  | { kind: 'tlp'; id: string; tlp: TlpLevel; source: TlpFamily | 'content' }
  | { kind: 'iep'; id: string; tlp?: TlpLevel; iep: IepPolicy }
  | {
      kind: 'handling'
      id: string
      tlp?: undefined
      code: HandlingCode
      text?: string
      form: 'extension' | 'statement'
    }
  | { kind: 'statement'; id: string; tlp?: undefined; statement: string }
  /** A marking-definition the node holds but does not interpret (e.g. ACS, PAP). Neutral for policy. */
  | { kind: 'other'; id: string; tlp?: undefined }

/** Marking-definition objects the node knows, by id. */
export type KnownMarkings = ReadonlyMap<string, StixObject>

/** Every marking-definition object Sluice ships: TLP 2.0 (emitted by default), TLP 1.0, handling codes H0–H3. */
export const BUILTIN_MARKINGS: KnownMarkings = new Map(
  [...Object.values(TLP2_MARKINGS), ...Object.values(TLP1_MARKINGS), ...Object.values(HANDLING_MARKINGS)].map(
    (m) => [m.id, m] as const,
  ),
)

/**
 * The stored marking-definitions with one meaning per id. A marking-definition has no versions, so the
 * node refuses a second content for an id it holds; copies with different content that are held anyway
 * (stored before that rule, or by two writers at once) are read as one unreadable TLP marking, which
 * counts as RED: which copy a partner's objects were marked with cannot be known, so neither may relax
 * the other.
 */
export function oneDefinitionPerId(markings: readonly StixObject[]): StixObject[] {
  const byId = new Map<string, StixObject[]>()
  for (const m of markings) byId.set(m.id, [...(byId.get(m.id) ?? []), m])
  return [...byId.values()].map((copies) => {
    const first = copies[0]!
    if (!copiesDisagree(copies)) return first
    return {
      type: 'marking-definition',
      spec_version: '2.1',
      id: first.id,
      created: first.created,
      name: 'conflicting definitions (read as TLP:RED)',
      definition_type: 'tlp',
      definition: { tlp: 'conflicting definitions' },
    }
  })
}

/** Whether copies of one marking-definition say different things (the same members in any order do not). */
export function copiesDisagree(copies: readonly StixObject[]): boolean {
  return new Set(copies.map(canonicalJson)).size > 1
}

/** Indexes marking-definition objects by id (other object types are ignored). */
export function indexMarkings(objects: Iterable<StixObject>): Map<string, StixObject> {
  const out = new Map<string, StixObject>()
  for (const o of objects) if (o.type === 'marking-definition') out.set(o.id, o)
  return out
}

const HANDLING_STATEMENT = /^\s*(?:handling(?:\s+code)?\s*[:-]?\s*)?(H[0-3])(?![0-9A-Za-z])/i
const WELL_KNOWN_HANDLING = new Map(
  (Object.entries(HANDLING_MARKING_IDS) as [HandlingCode, string][]).map(([code, id]) => [id, code] as const),
)

function str<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined
}

/**
 * Reads the IEP extension body. Ingest refuses values outside the extension's vocabularies; one stored before
 * that, in the two fields policy reads, counts as its most restrictive (`tlp` RED, `permitted_actions` none),
 * as an unreadable TLP marking does. Other malformed fields are dropped.
 */
export function parseIep(ext: Record<string, unknown>): IepPolicy {
  const p: IepPolicy = {}
  const eit = str(ext.encrypt_in_transit, IEP_VOCABULARIES.encrypt_in_transit)
  if (eit) p.encrypt_in_transit = eit
  const pa = str(ext.permitted_actions, IEP_VOCABULARIES.permitted_actions)
  if (pa) p.permitted_actions = pa
  else if (ext.permitted_actions !== undefined) p.permitted_actions = 'none'
  const apn = str(ext.affected_party_notifications, IEP_VOCABULARIES.affected_party_notifications)
  if (apn) p.affected_party_notifications = apn
  if (ext.tlp !== undefined) p.tlp = parseTlpValue(ext.tlp) ?? 'red'
  const attribution = str(ext.provider_attribution, IEP_VOCABULARIES.provider_attribution)
  if (attribution) p.provider_attribution = attribution
  const resale = str(ext.unmodified_resale, IEP_VOCABULARIES.unmodified_resale)
  if (resale) p.unmodified_resale = resale
  if (typeof ext.iep_id === 'string') p.iep_id = ext.iep_id
  if (typeof ext.iep_version === 'number') p.iep_version = ext.iep_version
  if (typeof ext.description === 'string') p.description = ext.description
  if (typeof ext.start_date === 'string') p.start_date = ext.start_date
  if (typeof ext.end_date === 'string') p.end_date = ext.end_date
  return p
}

/** Interprets a marking-definition object by its content (ignoring well-known ids). */
export function interpretMarkingDefinition(m: StixObject): MarkingInfo {
  const id = m.id
  const exts = (m.extensions ?? {}) as Record<string, unknown>
  const tlp2 = exts[TLP2_EXTENSION_ID] as Record<string, unknown> | undefined
  if (tlp2 != null && typeof tlp2 === 'object') {
    const level = parseTlpValue(tlp2.tlp_2_0)
    if (level) return { kind: 'tlp', id, tlp: level, source: 'content' }
  }
  const iep = exts[IEP_EXTENSION_ID] as Record<string, unknown> | undefined
  if (iep != null && typeof iep === 'object') {
    const policy = parseIep(iep)
    return policy.tlp ? { kind: 'iep', id, tlp: policy.tlp, iep: policy } : { kind: 'iep', id, iep: policy }
  }
  const handling = exts[HANDLING_EXTENSION_ID] as Record<string, unknown> | undefined
  if (handling != null && typeof handling === 'object') {
    const code = str(handling.handling_code, ['H0', 'H1', 'H2', 'H3'] as const)
    // A malformed handling marking is still a restriction of some kind: read it as H3 (other restrictions).
    const text = typeof handling.text === 'string' ? handling.text : undefined
    return { kind: 'handling', id, code: code ?? 'H3', text, form: 'extension' }
  }
  const definitionType = typeof m.definition_type === 'string' ? m.definition_type.toLowerCase() : undefined
  const definition = (m.definition ?? {}) as Record<string, unknown>
  if (definitionType === 'tlp') {
    const level = parseTlpValue(definition.tlp ?? definition.TLP)
    if (level) return { kind: 'tlp', id, tlp: level, source: 'content' }
    // A TLP marking whose level we cannot read: assume the most restrictive.
    return { kind: 'tlp', id, tlp: 'red', source: 'content' }
  }
  if (definitionType === 'statement' && typeof definition.statement === 'string') {
    const statement = definition.statement
    const hm = HANDLING_STATEMENT.exec(statement)
    if (hm)
      return {
        kind: 'handling',
        id,
        code: hm[1]!.toUpperCase() as HandlingCode,
        text: statement,
        form: 'statement',
      }
    return { kind: 'statement', id, statement }
  }
  return { kind: 'other', id }
}

/** Whether `id` is a TLP or handling id whose meaning is published, whatever an object with that id says. */
export function isWellKnownMarkingId(id: string): boolean {
  return WELL_KNOWN_TLP_IDS.has(id) || WELL_KNOWN_HANDLING.has(id)
}

/**
 * What marking `id` means, or `undefined` when it is unknown. Well-known ids (TLP families, Sluice handling
 * codes) win over whatever an object claiming the same id says, so a forged definition cannot relax them.
 */
export function resolveMarking(id: string, known?: KnownMarkings): MarkingInfo | undefined {
  const tlp = WELL_KNOWN_TLP_IDS.get(id)
  if (tlp) return { kind: 'tlp', id, tlp: tlp.level, source: tlp.family }
  const code = WELL_KNOWN_HANDLING.get(id)
  if (code) {
    const text = (HANDLING_MARKINGS[code].extensions as Record<string, { text?: string }>)[
      HANDLING_EXTENSION_ID
    ]!.text
    return { kind: 'handling', id, code, text, form: 'extension' }
  }
  const m = known?.get(id)
  if (m === undefined || m.type !== 'marking-definition') return undefined
  return interpretMarkingDefinition(m)
}

/** Every marking id an object refers to (object level, then granular), without duplicates, in order. */
export function markingRefsOf(object: StixObject): string[] {
  const seen = new Set<string>()
  for (const r of object.object_marking_refs ?? []) seen.add(r)
  for (const g of object.granular_markings ?? []) if (g.marking_ref !== undefined) seen.add(g.marking_ref)
  return [...seen]
}

/**
 * Marking ids an object refers to (in `object_marking_refs` or `granular_markings`) that resolve to nothing:
 * neither well-known nor among `known`. Ingest should reject such objects; policy withholds them.
 */
export function unresolvedMarkings(
  object: StixObject,
  known: KnownMarkings | Iterable<StixObject>,
): string[] {
  const map = isKnownMarkings(known) ? known : indexMarkings(known)
  return markingRefsOf(object).filter((id) => resolveMarking(id, map) === undefined)
}

function isKnownMarkings(x: KnownMarkings | Iterable<StixObject>): x is KnownMarkings {
  return x instanceof Map
}

/** The most restrictive TLP among the object-level markings, or `undefined` if none implies a TLP. */
export function objectTlp(object: StixObject, known?: KnownMarkings): TlpLevel | undefined {
  let level: TlpLevel | undefined
  for (const id of object.object_marking_refs ?? []) level = maxTlp(level, resolveMarking(id, known)?.tlp)
  return level
}

/**
 * Why an object received from another node must not be passed on to a third party (empty: it may, subject to
 * the agreements). Only object-level markings count; granular ones are enforced by redaction.
 *
 * - An unresolvable marking: we cannot know what it forbids.
 * - TLP AMBER, AMBER+STRICT or RED (including an IEP policy's `tlp`), or no TLP at all (read as AMBER): TLP
 *   lets a recipient pass on only GREEN and CLEAR beyond its own organisation.
 * - Handling code H2 (no further dissemination without the provider's permission) and H3 (free-text
 *   restrictions a machine cannot check).
 * - IEP `permitted_actions` of `none` or `contact-for-instruction`: the recipient may not act, or must ask
 *   first, and passing the information on is acting on it.
 */
export function onwardSharingRestrictions(object: StixObject, known?: KnownMarkings): Reason[] {
  const reasons: Reason[] = []
  let level: TlpLevel | undefined
  for (const id of object.object_marking_refs ?? []) {
    const info = resolveMarking(id, known)
    if (info === undefined) {
      reasons.push({ kind: 'marking', id, message: `unresolvable marking ${id}` })
      continue
    }
    level = maxTlp(level, info.tlp)
    if (info.kind === 'handling' && (info.code === 'H2' || info.code === 'H3')) {
      reasons.push({
        kind: 'caveat',
        id,
        message: `handling code ${info.code}: ${HANDLING_CODE_MEANINGS[info.code]}`,
      })
    }
    if (
      info.kind === 'iep' &&
      (info.iep.permitted_actions === 'none' || info.iep.permitted_actions === 'contact-for-instruction')
    ) {
      reasons.push({ kind: 'caveat', id, message: `IEP permitted_actions is ${info.iep.permitted_actions}` })
    }
  }
  if (level === undefined) {
    reasons.push({ kind: 'tlp', message: 'no TLP marking: treated as TLP:AMBER, which may not be passed on' })
  } else if (tlpRank(level) >= tlpRank('amber')) {
    reasons.push({
      kind: 'tlp',
      message: `TLP:${level.toUpperCase()} may not be passed on to another organisation`,
    })
  }
  return reasons
}

/** True when {@link onwardSharingRestrictions} finds any reason. */
export function forbidsOnwardSharing(object: StixObject, known?: KnownMarkings): boolean {
  return onwardSharingRestrictions(object, known).length > 0
}
