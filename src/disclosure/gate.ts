import type { CompiledPolicy } from '../policy/compile.js'
import type { StixObject } from '../stix/object.js'
import type { CollectionRecord, ObjectQuery, PrincipalRole, StoredVersion } from '../store/types.js'

/** Who is reading, as the disclosure pipeline sees it. */
export interface Viewer {
  principalId: string
  role: PrincipalRole
  /** Set for partners: the organisation whose policy applies. */
  partnerId?: string
  requestId: string
}

/** One stored version as it will leave the node: possibly redacted, with the exact bytes served. */
export interface Served {
  stored: StoredVersion
  json: string
  /** The agreement that allowed it, when policy applies. */
  allowedBy?: string
  /** The version's STIX `modified` (null when it has none), as the ledger records it. */
  objectModified?: string | null
}

export interface CollectionAccess {
  /** False means the collection is hidden: it is answered as not found. */
  visible: boolean
  canRead: boolean
  canWrite: boolean
}

/** What a session knows of one stored version of an SRO endpoint. */
export interface EndpointCandidate {
  collectionId: string
  /** The whole object, when it was parsed. */
  whole?: StixObject
  /** Its top-level created_by_ref as the store recorded it ('' for none); null or absent when not recorded. */
  createdBy?: string | null
}

/**
 * The one way out (DESIGN.md): every read path asks a session, opened once per
 * request at one instant, what a viewer may see, and records what was served
 * before the bytes leave.
 */
export interface GateSession {
  readonly viewer: Viewer
  readonly instant: string
  /** The compiled policy this session decides with, when policy applies (partners), so wrappers reuse it. */
  readonly policy?: CompiledPolicy
  /**
   * True when `screen` may withhold some versions of an object and serve others (policy, federation rules):
   * version selectors then choose among the versions it serves (src/disclosure/version-selection.ts).
   */
  readonly screensVersions?: boolean
  collectionAccess(collection: CollectionRecord): CollectionAccess
  /**
   * The query narrowed to versions the viewer could possibly see, so the store skips the rest without
   * handing them to `screen`; undefined when nothing in the collection can be seen. A prefilter only:
   * `screen` still decides every version the narrowed query returns. Absent: the query as it is.
   */
  narrow?(query: ObjectQuery): ObjectQuery | undefined
  /** Decides and redacts a batch, in order; undefined where the version is withheld. */
  screen(items: StoredVersion[]): Promise<(Served | undefined)[]>
  /**
   * The share (0–1] of what the narrowed query returns in `collectionId` that `screen` has lately served
   * this viewer: a hint to size the first store batch so that a page usually fills from one query.
   * Absent: everything returned is served.
   */
  servedShare?(collectionId: string): number
  /**
   * The newest versions of an SRO endpoint that `screen` read to judge the SROs of its batches, for rules
   * applied after the session (the federation rules) to judge the same endpoints. Absent: not known.
   */
  endpointVersions?(id: string): readonly EndpointCandidate[] | undefined
  /** Records content disclosures (the ledger); must complete before the response is written. */
  record(served: Served[]): Promise<void>
}

export interface DisclosureGate {
  open(viewer: Viewer, instant: string): Promise<GateSession>
}
