/**
 * The console API contract: what `/console-api/*` answers. Types only, no imports, so the browser bundle
 * (web/) can import them too and both sides agree on one shape.
 */

export interface ConsoleMe {
  role: 'admin' | 'officer' | 'analyst' | 'auditor' | 'partner'
  name: string
  /** Set for partner principals. */
  partner?: { id: string; name: string }
  /** What the role may do, so the console offers only what will work. */
  can: ConsoleCan
}

/**
 * What a role may do in the console. The console API enforces the same matrix (`CONSOLE_ACCESS` in
 * console-routes.ts); these flags only let the console hide what would be refused.
 *
 * | role    | flows | partner pages | orders | intelligence | ledger | federation |
 * | admin   | all   | all           | yes    | yes          | all    | yes        |
 * | officer | all   | all           | yes    | –            | –      | –          |
 * | auditor | all   | all           | –      | –            | all    | –          |
 * | analyst | –     | –             | –      | yes (grants) | –      | –          |
 * | partner | own   | own           | –      | what it gets | own    | –          |
 */
export interface ConsoleCan {
  /** The flows matrix (a partner sees its own row). */
  readFlows: boolean
  /** Flows matrix of every partner, every partner page, order history (officers, auditors, admins). */
  readPolicy: boolean
  /** Issue and lift orders, and preview their effect. */
  changePolicy: boolean
  /** Browse intelligence (through the disclosure gate). */
  readIntel: boolean
  /** Read the ledger (every log, or a partner's own). */
  readLedger: boolean
  /** Feeds and pushes with their health (the federation API is for administrators). */
  readFederation: boolean
}

/** A feed or push's health, as `GET /federation/feeds` and `GET /federation/pushes` report it. */
export interface FederationHealth {
  status: 'new' | 'ok' | 'failing' | 'alarm'
  lastAttemptAt?: string
  lastSuccessAt?: string
  caughtUpAt?: string
  nextAttemptAt?: string
  /** Seconds since the feed was last caught up; absent until it has been. */
  lagSeconds?: number
  consecutiveFailures?: number
  lastError?: { at: string; message: string }
  counts?: Record<string, number>
  recent?: { at: string; message: string }[]
}

/** One feed as `GET /federation/feeds` lists it (never its key). */
export interface FederationFeed {
  id: string
  url: string
  collection: string
  into: string
  partner: string
  every: string
  verify: string
  /** The remote node's verifier key, when the feed was given it out of band; who gave it, and when. */
  vkey?: string
  vkeyPinnedBy?: string
  vkeyPinnedAt?: string
  health: FederationHealth
  ledger: {
    status: 'unverified' | 'unavailable' | 'consistent' | 'alarm'
    /** The key checkpoints are checked with now, and where it came from. */
    vkey?: string
    keySource?: 'given' | 'first seen' | 'followed'
    /** For a followed key: the key given or first seen that the changes were followed from. */
    followedFrom?: string
    size?: number
    checkedAt?: string
    alarm?: { at: string; reason: string }
  }
}

/** One withdrawal as `GET /federation/withdrawals` lists it: issued here, acknowledged by the partner's node or not. */
export interface FederationWithdrawal {
  id: string
  object_id: string
  partner_id: string
  kind: 'withdrawn' | 'revoked'
  reason: string
  created_at: string
  created_by: string
  /** Present once the partner's node acknowledged: when it arrived, when it says it applied it, its key name. */
  acknowledged_at?: string
  applied_at?: string
  signer?: string
  acknowledgement?: string
}

/** A partner node key acknowledgements are checked with, as `GET /federation/partner-keys` lists it. */
export interface PartnerNodeKey {
  partner: string
  vkey: string
  pinnedAt: string
  pinnedBy?: string
  /** The feed from this partner whose given key it is (or was, before an acknowledgement pinned it). */
  fromFeed?: string
  /** A feed's key no acknowledgement has been checked with yet. */
  pending?: true
}

/** One push as `GET /federation/pushes` lists it. */
export interface FederationPush {
  id: string
  url: string
  collection: string
  from: string
  partner: string
  every: string
  afterSeq: number
  held: number
  health: FederationHealth
}

export interface ConsoleCollection {
  id: string
  alias?: string
  title: string
}

/** One partner × collection cell of the flows matrix. */
export type FlowStatus = 'allowed' | 'partial' | 'suspended' | 'no-agreement'

export interface FlowCell {
  collectionId: string
  status: FlowStatus
  /** Most permissive TLP an in-force agreement allows in this collection (absent without an agreement). */
  maxTlp?: string
  /** Active orders that touch this cell. */
  orders: string[]
  /** Orders scheduled to take effect later that would touch this cell. */
  scheduled: string[]
  disclosures24h: number
  disclosuresSinceCheckpoint: number
}

export interface FlowRow {
  partner: { id: string; name: string; kind: string }
  cells: FlowCell[]
  /** Disclosures in this partner's log, over all collections. */
  disclosures24h: number
  disclosuresSinceCheckpoint: number
  /** Size of the partner's log and of its newest signed checkpoint. */
  logSize: number
  checkpointSize: number
  /** True when the backwards scan stopped at its cap before reaching the window start. */
  truncated: boolean
}

export interface FlowsMatrix {
  at: string
  /** Changes when the policy changes; the console re-renders when it does. */
  policyVersion: number
  collections: ConsoleCollection[]
  rows: FlowRow[]
}

/** The order-to-be, as the suspend form fills it. */
export interface SuspendDraft {
  partner: string
  collections?: string[]
  object_types?: string[]
  markings?: string[]
  labels?: string[]
  above_tlp?: string
  effective_from?: string
}

export interface PartnerImpact {
  partner: { id: string; name: string }
  /** False when the change cannot touch this partner (no order in it concerns them): counts are not computed. */
  affected: boolean
  /** Objects the partner receives (whole or redacted) before and after; only computed when affected. */
  visibleBefore?: number
  visibleAfter?: number
  /** Objects that stop being disclosed / start being disclosed. */
  lost: number
  gained: number
  /** Objects still disclosed but with more (or fewer) properties removed. */
  newlyRedacted: number
  unredacted: number
  /** Collection id → objects lost there (only collections with a change). */
  lostByCollection: Record<string, number>
  gainedByCollection: Record<string, number>
}

export interface OrderImpact {
  at: string
  total: number
  partners: PartnerImpact[]
  /** One plain sentence: "X loses access to N objects in M collections; Y and Z unaffected." */
  summary: string
}

export interface DayCount {
  /** Bucket start, RFC 3339. */
  start: string
  count: number
}

/** An agreement's grading filter: the grades accepted on each axis it restricts, and what an ungraded object meets. */
export interface GradingTerms {
  /** Only the axes the agreement restricts, e.g. `{ axis: 'reliability', accepted: ['A', 'B'] }`. */
  axes: { axis: string; accepted: string[] }[]
  /** `allow` unless the agreement says otherwise (docs/POLICY.md). */
  ungraded: 'allow' | 'deny'
}

export interface PartnerPage {
  partner: { id: string; name: string; kind: string; identity_id: string }
  agreements: {
    id: string
    version: number
    inForce: boolean
    collections: string[] | '*'
    object_types: string[] | '*'
    max_tlp: string
    caveats: string[]
    /** TLP assumed for objects that carry none; absent when the agreement leaves it to the node's default. */
    default_tlp?: string
    required_labels: string[]
    forbidden_labels: string[]
    /** Labelled, as the officer knows markings by name, not by id. */
    required_markings: MarkingLabel[]
    forbidden_markings: MarkingLabel[]
    admiralty?: GradingTerms
    evaluation_4x4?: GradingTerms
    /** The period the agreement itself covers, when it sets one. */
    valid_from?: string
    valid_until?: string
    effective_from: string
    recorded_by: string
    withdrawn: boolean
  }[]
  orders: {
    id: string
    /** `cancelled`: lifted at or before its start, so it never came into force. */
    status: 'scheduled' | 'active' | 'lifted' | 'cancelled'
    scope: string
    /** Absent on a partner's own page: the reason is internal (docs/POLICY.md, what the ledger says). */
    reason?: string
    reference?: string
    issuer: string
    effective_from: string
    /** Set when it was recorded after its effective time: reads before this instant were served without it. */
    backdated_until?: string
    lifted_at?: string
    /** The resumption that lifts it: who ordered the lift and why (the reason is absent on a partner's page). */
    lift?: { order: string; issuer: string; reason?: string; scheduled: boolean }
  }[]
  /** The instant the page describes. */
  at: string
  /**
   * What the partner receives now. Absent when the page was asked for without it (`?preview=later`): it
   * decides every stored version (~1 s at 10^5), so the console fetches it on its own and shows the rest first.
   */
  preview?: PartnerPreview
  disclosures: { hourly: DayCount[]; daily: DayCount[]; truncated: boolean }
}

export interface PartnerPreview {
  at: string
  total: number
  allowed: number
  redacted: number
  denied: number
  byCollection: Record<string, { allowed: number; redacted: number; denied: number }>
  deniedByReason: Record<string, number>
}

export interface MarkingLabel {
  id: string
  label: string
  kind: string
  tlp?: string
}

export interface ObjectRow {
  id: string
  type: string
  name: string
  collectionId: string
  modified?: string
  labels: string[]
  markings: MarkingLabel[]
}

export interface ObjectPage {
  items: ObjectRow[]
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  next?: string
  /** Versions examined for this page (so a slow, very selective search shows why). */
  scanned: number
  /** Versions searched so far, over this page and the ones before it ("searched N of M"). */
  searched: number
  /** Versions the search covers in all (newest versions of the readable collections, of the type asked). */
  total: number
}

export interface ObjectVersionView {
  collectionId: string
  version?: string
  dateAdded: string
  markings: MarkingLabel[]
  granular: { selectors: string[]; marking: MarkingLabel }[]
  object: Record<string, unknown>
}

export interface ObjectDetail {
  id: string
  type: string
  name: string
  versions: ObjectVersionView[]
  /** Admin only: whether each partner receives the newest version now, and why. */
  decisions?: { partner: string; name: string; effect: string; lines: string[] }[]
}

export interface GraphNode {
  id: string
  type: string
  name: string
}

export interface GraphEdge {
  id: string
  source: string
  target: string
  label: string
}

export interface ObjectGraph {
  center: string
  nodes: GraphNode[]
  edges: GraphEdge[]
  /** True when the neighbourhood was cut to keep the drawing readable. */
  truncated: boolean
}
