/**
 * The storage interface every adapter implements. Shared code talks only to
 * this file's types; it asks for capabilities, never for a backend's name.
 */

export interface StoreCapabilities {
  /** Several processes may write at once (PostgreSQL); SQLite has one writer per file. */
  concurrentWriters: boolean
  /** Online backup without stopping writers. */
  onlineBackup: boolean
}

export interface ApiRootRecord {
  name: string
  title: string
  description?: string
}

export interface CollectionRecord {
  id: string
  apiRoot: string
  title: string
  description?: string
  alias?: string
  mediaTypes: string[]
}

/** `admin` may do everything; see src/auth/roles.ts for what each other role may do. */
export type PrincipalRole = 'admin' | 'officer' | 'analyst' | 'auditor' | 'partner'

export interface PrincipalRecord {
  id: string
  name: string
  role: PrincipalRole
  /** The partner this principal speaks for (set when role is `partner`). */
  partnerId?: string
  createdAt: string
  revokedAt?: string
}

export interface ApiKeyRecord {
  keyId: string
  principalId: string
  /** SHA-256 of the secret part; keys carry 256 bits of entropy so a slow hash adds nothing. */
  secretHash: Buffer
  createdAt: string
  revokedAt?: string
  /** After this instant the key no longer authenticates (the end of a rotation's overlap). */
  expiresAt?: string
  /** Last successful use, recorded at most once a minute. */
  lastUsedAt?: string
}

/** Fields of a key that change after it is issued; absent fields are left as they are. */
export interface ApiKeyChange {
  /** Set once; a key already revoked keeps its first revocation time. */
  revokedAt?: string
  expiresAt?: string
  lastUsedAt?: string
}

export interface CollectionGrant {
  principalId: string
  collectionId: string
  canRead: boolean
  canWrite: boolean
}

/** An object version ready to store: validated, with its exact serving bytes. */
export interface IncomingObject {
  id: string
  type: string
  /** `modified`, or undefined for objects that have a single version (SCOs, some meta objects). */
  modified?: string
  created?: string
  specVersion: string
  /** The exact JSON text served for this version. */
  json: string
  /** `screeningTlpRank` of the object; null or absent when not computed (never screened out). */
  tlpRank?: number | null
  /**
   * `policyViewFacts` of the object (src/policy/policy-view.ts): the text of its policy view, kept once per
   * distinct text (`policyViews`), and an SRO's endpoint refs. Absent: the gate judges the stored text.
   */
  policyView?: { view: string; endpointRefs?: string[] }
  /** The top-level `created_by_ref`, '' when the object has none; absent: not computed. */
  createdBy?: string
}

export type PutOutcome =
  | { id: string; version: string | undefined; result: 'added'; seq: number; dateAdded: string }
  | { id: string; version: string | undefined; result: 'unchanged' }
  | { id: string; version: string | undefined; result: 'conflict'; message: string }

export interface StoredVersion {
  seq: number
  collectionId: string
  id: string
  type: string
  /** `modified` if the object has one, else `created`, else undefined. */
  version: string | undefined
  specVersion: string
  dateAdded: string
  json: string
  /** Set when the query asked for `gateFacts`. */
  gate?: GateFacts
}

/** What the disclosure gate reads of a stored version besides its text. */
export interface GateFacts {
  /** The id of the version's policy view (`Store.policyViews`), or null when none is stored. */
  viewId: number | null
  /** A relationship's or sighting's endpoint refs as stored at ingest; null for other objects or no view. */
  endpointRefs: string[] | null
  /** The version's STIX `modified`, or null when it has none. */
  modified: string | null
  /**
   * The version's top-level `created_by_ref`, '' when it has none, null when the store did not record it
   * (versions stored before it did): the federation rules then look in the text.
   */
  createdBy: string | null
}

/** The newest version of an object in one collection, as the gate judges it when an SRO points at it. */
export interface EndpointVersion {
  id: string
  collectionId: string
  gate: GateFacts
  /** The stored text, given only when `gate.viewId` is null (the version must be judged whole). */
  json?: string
}

export type VersionSelector =
  | { kind: 'last' }
  | { kind: 'first' }
  | { kind: 'all' }
  | { kind: 'at'; timestamp: string }

export interface ObjectQuery {
  collectionId: string
  /** Strictly after this sequence number (the cursor's position). */
  afterSeq?: number
  /** Strictly after this date_added. */
  addedAfter?: string
  ids?: string[]
  types?: string[]
  specVersions?: string[]
  /** Any of these selectors (TAXII match[version] is a comma-separated OR). Default: last. */
  versions?: VersionSelector[]
  /**
   * Skip versions whose stored TLP rank (see `screeningTlpRank` in src/policy) is known and above
   * `maxTlpRank`, and unmarked ones unless `unmarked`. A policy prefilter only: it narrows what the
   * gate has to judge and never replaces its decision.
   */
  tlpScreen?: { maxTlpRank: number; unmarked: boolean }
  /**
   * Skip versions whose policy view id is one of these (versions without a view are kept). A policy
   * prefilter too: the gate lists only views it has decided to deny, and still decides what comes back.
   */
  withoutViews?: number[]
  /** Return each version's `gate` facts. */
  gateFacts?: boolean
  limit: number
}

export interface ObjectBatch {
  items: StoredVersion[]
  /** True when the store holds further matching versions after the last item. */
  exhausted: boolean
}

/**
 * A bounded search over the newest versions of one collection (the console's intelligence search).
 * It examines at most `scanLimit` versions that pass the indexed filters (collection, newest, type),
 * in sequence order after `afterSeq`, and returns those that also pass the others; the caller goes
 * on from `lastSeq`. A selective filter thus costs one window per call, never a whole-store scan.
 */
export interface ObjectSearch {
  collectionId: string
  afterSeq?: number
  types?: string[]
  /** An element of the object's `labels`, exactly. */
  label?: string
  /** Any of these ids in the object's `object_marking_refs` (an empty list matches nothing). */
  markings?: string[]
  /** Every one of these must occur in the stored JSON text, A–Z compared case-insensitively. */
  text?: string[]
  /** Matches returned at most. */
  limit: number
  /** Versions examined at most. */
  scanLimit: number
  /** Also count what the indexed filters match in the whole collection (ignores `afterSeq`). */
  withTotal?: boolean
}

export interface ObjectSearchBatch {
  items: StoredVersion[]
  /** Versions examined, up to and including `lastSeq`. */
  scanned: number
  /** Where the next call goes on (afterSeq); absent when nothing was examined. */
  lastSeq?: number
  /** True when no version after `lastSeq` passes the indexed filters. */
  exhausted: boolean
  /** Set when `withTotal` was asked. */
  total?: number
}

export interface StatusRecord {
  id: string
  apiRoot: string
  principalId: string
  requestTimestamp: string
  status: 'pending' | 'complete'
  successes: StatusDetail[]
  failures: StatusDetail[]
  pendings: StatusDetail[]
}

export interface StatusDetail {
  id: string
  version?: string
  message?: string
}

/** One append-only policy row (partner, agreement version, order); the body is the domain record as JSON. */
export interface PolicyRecord {
  kind: 'partner' | 'agreement' | 'order'
  id: string
  recordedAt: string
  body: string
}

/** An entry to append to the ledger: its canonical bytes, leaf hash and the logs it belongs to. */
export interface LedgerAppend {
  bytes: Uint8Array
  leafHash: Uint8Array
  logs: string[]
  /**
   * `entryObjectKey` of the entry `bytes` encode: for a disclosure its object version (`objectId|modified`),
   * so a proof can be found by it; for a key change the key it changes to. A store may keep only a hash of
   * it and confirm a match from the bytes.
   */
  objectKey?: string
}

export interface StateDocument {
  name: string
  value: string
}

/** A state document's value as the writer last read it; `undefined` when it read none. */
export interface StateExpectation {
  name: string
  value: string | undefined
}

export interface LedgerPosition {
  logId: string
  index: number
}

export interface LedgerHead {
  logId: string
  size: number
  /** Right-edge perfect subtree hashes, largest first (see src/ledger/tree.ts). */
  frontier: Uint8Array[]
}

export interface LedgerLeaf {
  index: number
  bytes: Uint8Array
}

export interface CheckpointRecord {
  logId: string
  size: number
  note: string
  createdAt: string
}

export interface NodeKeyRef {
  level: number
  index: number
}

/** Where a received object version came from (federation). */
export interface ProvenanceRecord {
  collectionId: string
  objectId: string
  /** `modified`, or '' for objects with a single version. */
  version: string
  /** The feed that brought it, and the partner that feed reads from. */
  feedId: string
  partnerId: string
  receivedAt: string
}

export interface Store {
  readonly capabilities: StoreCapabilities
  close(): Promise<void>

  /** A node-wide secret by name, created on first use (cursor HMAC key, etc.). */
  secret(name: string): Promise<Buffer>

  listApiRoots(): Promise<ApiRootRecord[]>
  ensureApiRoot(root: ApiRootRecord): Promise<void>

  listCollections(apiRoot?: string): Promise<CollectionRecord[]>
  getCollection(apiRoot: string, id: string): Promise<CollectionRecord | undefined>
  createCollection(collection: CollectionRecord): Promise<void>

  /** Stores versions in one transaction; each item's outcome in input order. */
  putObjects(collectionId: string, items: IncomingObject[]): Promise<PutOutcome[]>
  /** Matching versions in sequence order, at most `limit`. */
  queryObjects(query: ObjectQuery): Promise<ObjectBatch>
  /** Newest versions of one collection matching filters, at bounded cost per call (see ObjectSearch). */
  searchObjects(query: ObjectSearch): Promise<ObjectSearchBatch>
  /** The newest version of each id, across collections (for SRO endpoints and marking lookups). */
  latestVersions(ids: string[]): Promise<StoredVersion[]>
  /** `latestVersions` as the gate needs them for SRO endpoints: gate facts, and text only where no view is stored. */
  latestEndpointVersions(ids: string[]): Promise<EndpointVersion[]>
  /** The texts of stored policy views by id (ids are never reused: a text, once stored, stays). */
  policyViews(ids: number[]): Promise<Map<number, string>>
  /** Deletes matching versions of one object; returns how many were removed. */
  deleteObject(
    collectionId: string,
    id: string,
    versions?: VersionSelector[],
    specVersions?: string[],
  ): Promise<number>
  countObjects(collectionId: string): Promise<number>

  putStatus(status: StatusRecord): Promise<void>
  getStatus(apiRoot: string, id: string): Promise<StatusRecord | undefined>

  createPrincipal(principal: PrincipalRecord, key: ApiKeyRecord): Promise<void>
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>
  listPrincipals(): Promise<PrincipalRecord[]>
  addApiKey(key: ApiKeyRecord): Promise<void>
  getApiKey(keyId: string): Promise<ApiKeyRecord | undefined>
  /** Every key of a principal, revoked and expired ones included, oldest first. */
  listApiKeys(principalId: string): Promise<ApiKeyRecord[]>
  /** Returns false when no key has that id. */
  updateApiKey(keyId: string, change: ApiKeyChange): Promise<boolean>
  revokePrincipal(id: string, at: string): Promise<boolean>

  setGrant(grant: CollectionGrant): Promise<void>
  listGrants(principalId: string): Promise<CollectionGrant[]>

  /**
   * Appends policy rows and their ledger entries in one transaction, and bumps the policy version. With
   * `ifPolicyVersion`, appends only while the policy version is still that one, else throws
   * `PolicyChangedError` and appends nothing: a change derived from the history (an agreement's next version
   * number, a partner id not yet taken) is then never made from a stale one.
   */
  appendPolicy(
    records: PolicyRecord[],
    ledger: LedgerAppend[],
    ifPolicyVersion?: number,
  ): Promise<LedgerPosition[][]>
  loadPolicy(): Promise<PolicyRecord[]>
  /** Changes whenever policy rows or marking-definitions change; cheap enough to ask per request. */
  policyVersion(): Promise<number>
  /**
   * Changes whenever an object version is added or deleted; cheap enough to ask per request. Lets a
   * process keep what it read of objects (SRO endpoints) until the next change.
   */
  objectsVersion(): Promise<string>
  /** The newest version of every stored marking-definition. */
  listMarkingDefinitions(): Promise<StoredVersion[]>

  /** Appends entries in one transaction; each entry's position in each of its logs. */
  appendLedger(entries: LedgerAppend[]): Promise<LedgerPosition[][]>
  /**
   * Appends entries and writes state documents (as `putStates`) in one transaction, so the ledger never
   * records a change the state lacks, or the reverse. With `expect`, does neither unless that document holds
   * that value (`undefined`: no such document) and returns `undefined`: of writers racing to make one change,
   * in any process, exactly one makes it.
   */
  appendLedgerWithStates(
    entries: LedgerAppend[],
    documents: readonly StateDocument[],
    expect?: StateExpectation,
  ): Promise<LedgerPosition[][] | undefined>
  ledgerHead(logId: string): Promise<LedgerHead>
  ledgerLogs(): Promise<{ logId: string; size: number }[]>
  /** Stored tree nodes, keyed `level/index`. */
  ledgerNodes(logId: string, keys: readonly NodeKeyRef[]): Promise<Map<string, Uint8Array>>
  ledgerLeaves(logId: string, start: number, end: number): Promise<LedgerLeaf[]>
  findLedgerLeaves(logId: string, objectKey: string): Promise<LedgerLeaf[]>
  saveCheckpoint(checkpoint: CheckpointRecord): Promise<void>
  /** Newest first. */
  listCheckpoints(logId: string, limit: number): Promise<CheckpointRecord[]>

  /** Small named JSON documents (feed definitions, cursors, health); last write wins. */
  getState(name: string): Promise<string | undefined>
  putState(name: string, value: string): Promise<void>
  /** Several documents at once: all are written or none (a document and the token marking it changed). */
  putStates(documents: readonly StateDocument[]): Promise<void>
  listState(prefix: string): Promise<{ name: string; value: string }[]>
  deleteState(name: string): Promise<void>

  /** Records where versions came from; a version received twice keeps every record. */
  addProvenance(records: ProvenanceRecord[]): Promise<void>
  provenance(objectIds: string[]): Promise<ProvenanceRecord[]>
  /** Whether any provenance is recorded (a node that never received anything skips `provenance`). */
  hasProvenance(): Promise<boolean>

  /**
   * Writes a consistent copy of the whole store to `destination` while writers
   * continue (capability `onlineBackup`); SQLite writes a database file there.
   */
  backup(destination: string): Promise<void>
}
