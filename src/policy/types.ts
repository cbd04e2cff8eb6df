/**
 * The sharing-policy domain: partners, agreements, orders, and what a decision looks like.
 *
 * Persisted records (partners, agreements, orders) use snake_case like the STIX and TAXII objects they sit
 * beside, because they are stored and written to the ledger as JSON. In-process API types use camelCase.
 */
import type { StixObject } from '../stix/object.js'
import type {
  AdmiraltyCredibility,
  AdmiraltyReliability,
  EvaluationInformation,
  EvaluationSource,
} from './grading.js'
import type { TlpLevel } from './tlp.js'

export type PartnerKind =
  | 'police'
  | 'customs'
  | 'coast-guard'
  | 'border-guard'
  | 'judicial'
  | 'international'
  | 'node'
  | 'other'

export interface Partner {
  id: string
  name: string
  /** The partner's STIX `identity--…` id. */
  identity_id: string
  kind: PartnerKind
}

/** `'*'` means "all". */
export type AllOr<T> = readonly T[] | '*'

/** Allowed grades; an object without a grade passes only when `ungraded` is `'allow'` (the default). */
export interface AdmiraltyFilter {
  reliability?: readonly AdmiraltyReliability[]
  credibility?: readonly AdmiraltyCredibility[]
  ungraded?: 'allow' | 'deny'
}

export interface EvaluationFilter {
  source?: readonly EvaluationSource[]
  information?: readonly EvaluationInformation[]
  ungraded?: 'allow' | 'deny'
}

/**
 * One version of a sharing agreement. Versions are append-only: a change is a new row with the same `id`
 * and a higher `version`. At an instant, the in-force version of an agreement is the highest `version`
 * whose `effective_from` has passed; if that version is `withdrawn`, the agreement is not in force.
 */
export interface Agreement {
  id: string
  version: number
  partner_id: string
  collections: AllOr<string>
  object_types: AllOr<string>
  /** Most restrictive TLP the partner may receive under this agreement. */
  max_tlp: TlpLevel
  /** TLP assumed for objects that carry none. Defaults to `'amber'` (see docs/POLICY.md). */
  default_tlp?: TlpLevel
  /** Object-level marking ids the object must all carry. */
  required_markings?: readonly string[]
  /** Marking ids that must not apply to the object (object level) or to a property (granular: redacted). */
  forbidden_markings?: readonly string[]
  required_labels?: readonly string[]
  forbidden_labels?: readonly string[]
  admiralty?: AdmiraltyFilter
  evaluation_4x4?: EvaluationFilter
  /** The period the agreement itself covers (e.g. the term of a memorandum of understanding). */
  valid_from?: string
  valid_until?: string
  /** Marking-definition ids attached to every object released under this agreement. */
  caveats?: readonly string[]
  effective_from: string
  recorded_at: string
  recorded_by: string
  /** This version ends the agreement. */
  withdrawn?: boolean
}

/** What a suspension covers. Every criterion given must hold (AND); a criterion's list matches any of its entries. */
export interface OrderScope {
  collections?: readonly string[]
  object_types?: readonly string[]
  markings?: readonly string[]
  labels?: readonly string[]
  /** Matches what is above this TLP (an object, or a granularly marked property). */
  above_tlp?: TlpLevel
}

export interface Suspension {
  kind: 'suspension'
  id: string
  partner_id: string
  /** Empty or absent: the whole partner. */
  scope?: OrderScope
  /** Now, or a scheduled instant. */
  effective_from: string
  issuer: string
  reason: string
  /** External reference such as a ministerial order number. */
  reference?: string
  recorded_at: string
  recorded_by: string
  /**
   * Random hex mixed into the ledger's commitments to the reason and scope, so a partner reading its log
   * cannot confirm a guess of either by hashing it; absent on orders recorded before salts were used.
   */
  commitment_salt?: string
}

export interface Resumption {
  kind: 'resumption'
  id: string
  /** The suspension this resumption lifts. */
  lifts: string
  effective_from: string
  issuer: string
  reason: string
  recorded_at: string
  recorded_by?: string
  /** As on a suspension: salts the ledger's commitment to the reason. */
  commitment_salt?: string
}

export type Order = Suspension | Resumption

/** The whole append-only policy record of a node. */
export interface PolicyHistory {
  partners: readonly Partner[]
  agreements: readonly Agreement[]
  orders: readonly Order[]
  /** Marking-definition objects the node knows (well-known TLP and Sluice markings are built in). */
  markings?: Iterable<StixObject>
  /** Collection ids that exist, used to expand `'*'` in {@link collectionsVisibleTo} when orders block some. */
  collections?: readonly string[]
}

/**
 * The policy in force at `at`. Built by `policyAt`; do not assemble by hand, and treat it as immutable: `decide`
 * compiles each snapshot object once and caches the result.
 */
export interface PolicySnapshot {
  at: string
  /** First instant after `at` when something scheduled in the history takes effect (the snapshot is stale then). */
  staleAt?: string
  partners: ReadonlyMap<string, Partner>
  /** In-force agreement versions, sorted by (partner_id, id). */
  agreements: readonly Agreement[]
  /** Suspensions in effect and not lifted at `at`. */
  suspensions: readonly Suspension[]
  markings: ReadonlyMap<string, StixObject>
  collections?: readonly string[]
}

export interface ObjectVersion {
  collectionId: string
  object: StixObject
}

export interface DecisionContext {
  /**
   * For relationships and sightings: the stored versions of each referenced object the store found, by id.
   * An SRO is disclosed only if every endpoint has at least one version the partner may see.
   */
  endpoints?: Map<string, ObjectVersion[]>
  /**
   * Whether each endpoint version (of a type that has no endpoints itself) may be seen, kept across the
   * decisions of one batch so an endpoint shared by many SROs is decided once. Valid for one partner and
   * one instant only: the caller creates it with the batch and drops it afterwards.
   */
  endpointMemo?: WeakMap<ObjectVersion, boolean>
}

export type ReasonKind =
  | 'agreement'
  | 'order'
  | 'marking'
  | 'no-agreement'
  | 'collection'
  | 'type'
  | 'tlp'
  | 'label'
  | 'grading'
  | 'validity'
  | 'endpoint'
  | 'caveat'
  | 'unknown-partner'
  /** The federation rules, applied after the sharing policy (a received object does not go back, withdrawals). */
  | 'federation'
  /** A newer version of the object, in the same collection, is withheld: reads show no older one (POLICY.md, "Versions"). */
  | 'version'

export interface Reason {
  kind: ReasonKind
  /** The agreement, order, marking or endpoint the reason is about. */
  id?: string
  message: string
}

export type Decision =
  | { effect: 'allow'; allowedBy: Reason; caveats: string[] }
  | { effect: 'redact'; allowedBy: Reason; caveats: string[]; redactions: string[]; deniedBy: Reason[] }
  | { effect: 'deny'; deniedBy: Reason[] }
