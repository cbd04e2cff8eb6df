import type { StateDocument, StateExpectation, Store } from '../store/types.js'
import { cachedList, changeDocuments, changed } from './state-copies.js'
import type {
  AppliedWithdrawal,
  FeedDefinition,
  FeedState,
  Health,
  PushDefinition,
  PushState,
  WithdrawalRecord,
} from './types.js'

/**
 * Federation's named documents in the store. Definitions and run state are separate documents, so an
 * administrator changing a feed never races the scheduler writing its cursor.
 */
const P = {
  feed: 'federation/feed/',
  feedState: 'federation/feed-state/',
  push: 'federation/push/',
  pushState: 'federation/push-state/',
  withdrawal: 'federation/withdrawal/',
  withdrawalOf: 'federation/withdrawal-of/',
  withdrawalsIndexed: 'federation/withdrawal-of-complete',
  withdrawn: 'federation/withdrawn/',
  partnerKey: 'federation/partner-key/',
  revocationCursor: 'federation/revocation-cursor/',
} as const

/** The key a partner node's acknowledgements are checked with. */
export interface PartnerKeyPin {
  vkey: string
  pinnedAt: string
  pinnedBy?: string
  /** The feed from this partner whose given key (`feeds add --vkey`) the first acknowledgement was checked with. */
  fromFeed?: string
}

const INDEXED = new WeakSet<Store>()

function withdrawalName(partnerId: string, id: string): string {
  return `${P.withdrawal}${partnerId}/${id}`
}

function withdrawalOf(w: Pick<WithdrawalRecord, 'partnerId' | 'kind' | 'objectId'>): string {
  return `${P.withdrawalOf}${w.partnerId}/${w.kind}/${w.objectId}`
}

export function newHealth(): Health {
  return { status: 'new', consecutiveFailures: 0, counts: {}, recent: [] }
}

export class FederationState {
  constructor(readonly store: Store) {}

  async #get<T>(name: string): Promise<T | undefined> {
    const text = await this.store.getState(name)
    return text === undefined ? undefined : (JSON.parse(text) as T)
  }

  #put(name: string, value: unknown): Promise<void> {
    return this.store.putState(name, JSON.stringify(value))
  }

  async #list<T>(prefix: string): Promise<T[]> {
    return (await this.store.listState(prefix)).map((s) => JSON.parse(s.value) as T)
  }

  feeds = () => this.#list<FeedDefinition>(P.feed)
  feed = (id: string) => this.#get<FeedDefinition>(P.feed + id)
  putFeed = (feed: FeedDefinition) => this.#put(P.feed + feed.id, feed)
  async removeFeed(id: string): Promise<void> {
    await this.store.deleteState(P.feed + id)
    await this.store.deleteState(P.feedState + id)
  }
  async feedState(id: string): Promise<FeedState> {
    return (
      (await this.#get<FeedState>(P.feedState + id)) ?? {
        cursor: {},
        health: newHealth(),
        ledger: { status: 'unverified' },
      }
    )
  }
  putFeedState = (id: string, state: FeedState) => this.#put(P.feedState + id, state)

  pushes = () => this.#list<PushDefinition>(P.push)
  push = (id: string) => this.#get<PushDefinition>(P.push + id)
  putPush = (push: PushDefinition) => this.#put(P.push + push.id, push)
  async removePush(id: string): Promise<void> {
    await this.store.deleteState(P.push + id)
    await this.store.deleteState(P.pushState + id)
  }
  async pushState(id: string): Promise<PushState | undefined> {
    return this.#get<PushState>(P.pushState + id)
  }
  putPushState = (id: string, state: PushState) => this.#put(P.pushState + id, state)

  /**
   * Origin side, keyed by partner so one partner's list is one prefix query. Every partner read consults
   * them, so the lists come from the process's copies (state-copies.ts): shared and frozen.
   */
  withdrawals = (partnerId?: string) =>
    cachedList<WithdrawalRecord>(this.store, partnerId ? `${P.withdrawal}${partnerId}/` : P.withdrawal)
  withdrawal = async (partnerId: string, id: string) => (await this.storedWithdrawal(partnerId, id))?.record
  /** The record with its text as stored: what `withdrawalUnchanged` expects. */
  async storedWithdrawal(
    partnerId: string,
    id: string,
  ): Promise<{ record: WithdrawalRecord; text: string } | undefined> {
    const text = await this.store.getState(withdrawalName(partnerId, id))
    return text === undefined ? undefined : { record: JSON.parse(text) as WithdrawalRecord, text }
  }
  putWithdrawal = (w: WithdrawalRecord) => this.store.putStates(this.withdrawalDocuments(w))
  /** What writes a withdrawal (with its index entry and the copies' tokens), to write with its ledger entry. */
  withdrawalDocuments = (w: WithdrawalRecord): StateDocument[] =>
    changeDocuments(withdrawalName(w.partnerId, w.id), w, [withdrawalOf(w), JSON.stringify(w.id)])
  /**
   * The condition that opens a withdrawal: no withdrawal of its kind of the object to the partner is
   * indexed. Writes that expect it (`Store.appendLedgerWithStates`) open one at most, whichever process
   * asks. Check `hasWithdrawal` first: it indexes a database from before the index.
   */
  withdrawalUnopened = (w: Pick<WithdrawalRecord, 'partnerId' | 'kind' | 'objectId'>): StateExpectation => ({
    name: withdrawalOf(w),
    value: undefined,
  })
  /** The condition that changes a withdrawal: it is still stored as `text` (from `storedWithdrawal`). */
  withdrawalUnchanged = (w: WithdrawalRecord, text: string): StateExpectation => ({
    name: withdrawalName(w.partnerId, w.id),
    value: text,
  })

  /**
   * Whether the partner already has a withdrawal of this kind of the object: a lookup in the index each
   * withdrawal is written with, not a read of the partner's whole history. A database from before the
   * index is indexed once, on first use.
   */
  async hasWithdrawal(w: Pick<WithdrawalRecord, 'partnerId' | 'kind' | 'objectId'>): Promise<boolean> {
    // once indexed, a database stays so: asked once per process, not per lookup
    if (!INDEXED.has(this.store) && (await this.store.getState(P.withdrawalsIndexed)) === undefined) {
      const all = await this.withdrawals()
      await this.store.putStates([
        ...all.map((r) => ({ name: withdrawalOf(r), value: JSON.stringify(r.id) })),
        { name: P.withdrawalsIndexed, value: 'true' },
      ])
    }
    INDEXED.add(this.store)
    return (await this.store.getState(withdrawalOf(w))) !== undefined
  }

  /** Receiver side: objects withdrawn by their origin (from the copies too). */
  applied = () => cachedList<AppliedWithdrawal>(this.store, P.withdrawn)
  appliedFor = (objectId: string) => this.#get<AppliedWithdrawal>(P.withdrawn + objectId)
  putApplied = (a: AppliedWithdrawal) => changed(this.store, P.withdrawn + a.objectId, a)

  /** The verifier key a partner's node signs acknowledgements with (pinned on first use). */
  partnerKey = (partnerId: string) => this.#get<PartnerKeyPin>(P.partnerKey + partnerId)
  /** `pinnedBy`: who pinned it (`sluice withdraw pin-key`), none when a first acknowledgement did. */
  putPartnerKey = (partnerId: string, pin: PartnerKeyPin) => this.#put(P.partnerKey + partnerId, pin)
  partnerKeys = async () =>
    (await this.store.listState(P.partnerKey)).map((s) => ({
      partner: s.name.slice(P.partnerKey.length),
      ...(JSON.parse(s.value) as PartnerKeyPin),
    }))

  revocationCursor = async (collectionId: string) =>
    (await this.#get<{ afterSeq: number }>(P.revocationCursor + collectionId))?.afterSeq ?? 0
  putRevocationCursor = (collectionId: string, afterSeq: number) =>
    this.#put(P.revocationCursor + collectionId, { afterSeq })
}
