/**
 * Federation records: what a node keeps (as named state documents) about the feeds it pulls, the pushes it
 * makes, and the withdrawals it issues or applies. Persisted shapes are plain JSON.
 */

/** How a feed or push authenticates to the remote TAXII server. */
export type RemoteAuth = 'bearer' | 'basic'

/** Whether a feed checks the remote node's ledger (a Sluice node offers one; other TAXII servers do not). */
export type VerifyMode = 'auto' | 'require' | 'off'

/** A remote TAXII collection and how to reach it. */
export interface RemoteCollection {
  /** The TAXII API root URL, ending in "/". */
  apiRoot: string
  /** The remote collection id. */
  collection: string
  /** The credential: a Sluice API key (bearer), or `user:password` (basic). */
  key: string
  auth: RemoteAuth
  /** Base URL of the remote node's ledger and federation APIs; by default the API root's origin. */
  nodeUrl: string
  /** Over HTTPS: a client certificate to present, and CAs to trust the peer by (absolute paths). */
  tls?: RemoteTls
}

/**
 * The TLS files of a feed or push, read at each poll or cycle so that a renewed certificate is used
 * without a restart. Without `caFile` the peer is checked against the process's trust store.
 */
export interface RemoteTls {
  certFile?: string
  keyFile?: string
  caFile?: string
}

/** A pull from one remote collection into one local collection. */
export interface FeedDefinition extends RemoteCollection {
  id: string
  /** The local collection received objects go to. */
  into: string
  /** The partner (in this node's policy) that the remote node is. */
  partnerId: string
  everyMs: number
  pageSize: number
  verify: VerifyMode
  /**
   * The remote node's verifier key as its operators gave it out of band: the ledger is checked from this
   * key (and the key changes it vouched for) instead of the key the node offers on first contact.
   */
  vkey?: string
  /** Who gave `vkey` and when: the feed's creator, or whoever cleared an alarm with a confirmed key. */
  vkeyPinnedBy?: string
  vkeyPinnedAt?: string
  createdAt: string
  createdBy: string
}

/** A push of one local collection to one remote collection. */
export interface PushDefinition extends RemoteCollection {
  id: string
  /** The local collection whose new versions are offered. */
  from: string
  /** The partner the remote node is: its policy decides what leaves. */
  partnerId: string
  everyMs: number
  batchSize: number
  createdAt: string
  createdBy: string
}

/** Where a feed stands in the remote collection. */
export interface FeedCursor {
  /** `added_after` of the current pass (the date_added of the last version of the previous finished pass). */
  addedAfter?: string
  /** The server's `next` for the page after the last one stored, when a pass is under way. */
  next?: string
  /** Newest date_added received in the current pass; becomes `addedAfter` when the pass ends. */
  high?: string
}

export interface HealthError {
  at: string
  message: string
}

/** What a feed or push reports about itself. */
export interface Health {
  status: 'new' | 'ok' | 'failing' | 'alarm'
  lastAttemptAt?: string
  lastSuccessAt?: string
  /**
   * Start of the last poll that reached the end of the remote collection: everything the remote had added
   * before this instant has been received. Lag is measured from it.
   */
  caughtUpAt?: string
  nextAttemptAt?: string
  /**
   * A feed's last poll stopped at its page limit while the remote still had `more`: the cursor holds where
   * the next poll continues. Absent once a poll reaches the end.
   */
  more?: true
  consecutiveFailures: number
  lastError?: HealthError
  /** Counters since the feed or push was created. */
  counts: Record<string, number>
  /** Recent per-object problems (rejections, failures), newest last, at most a few. */
  recent: HealthError[]
}

/** The remote node's ledger as this feed has verified it. */
export interface RemoteLedger {
  status: 'unverified' | 'unavailable' | 'consistent' | 'alarm'
  /**
   * The feed's `vkey` when it has one, else pinned on first contact (trust on first use); moves on when the
   * remote node changes its key.
   */
  vkey?: string
  /** Keys pinned before `vkey`, oldest first: the kept checkpoint may be signed by one of them. */
  formerKeys?: string[]
  /** The checkpoint origin of the log this feed follows (its partner log on the remote node). */
  logOrigin?: string
  log?: string
  /** Newest checkpoint note that verified and extends every earlier one. */
  checkpoint?: string
  size?: number
  checkedAt?: string
  /** Set when the remote log forked or rewrote history; stays until an administrator clears it. */
  alarm?: LedgerAlarm
}

export interface LedgerAlarm {
  at: string
  reason: string
  /** The evidence: the last good checkpoint, the offending one, and the proof offered. */
  trusted: string
  offered: string
  proof: string[]
}

export interface FeedState {
  cursor: FeedCursor
  health: Health
  ledger: RemoteLedger
}

/** A version offered to a partner but held back at send time while a suspension of that partner was in force. */
export interface HeldItem {
  id: string
  version: string | null
  seq: number
}

export interface PushState {
  /** Versions with a sequence number up to this one have been offered. */
  afterSeq: number
  held: HeldItem[]
  health: Health
}

/** Origin side: an object withdrawn from one partner, which the partner's node is to acknowledge. */
export interface WithdrawalRecord {
  id: string
  objectId: string
  partnerId: string
  /** `revoked`: the origin published a revoked version; `withdrawn`: the origin stopped sharing it with the partner. */
  kind: 'revoked' | 'withdrawn'
  reason: string
  createdAt: string
  createdBy: string
  acknowledgement?: Acknowledgement
}

export interface Acknowledgement {
  receivedAt: string
  /** The signed note as the partner's node sent it. */
  note: string
  /** The signer (the partner node's key name) and when it says it applied the withdrawal. */
  signer: string
  appliedAt: string
}

/** Receiver side: an object this node no longer passes on, because its origin withdrew or revoked it. */
export interface AppliedWithdrawal {
  objectId: string
  kind: 'revoked' | 'withdrawn'
  /** The partner (origin) and feed it came through. */
  partnerId: string
  feedId: string
  withdrawalId?: string
  appliedAt: string
  reason: string
}
