import type { Store } from '../store/types.js'
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

  /** Origin side, keyed by partner so one partner's list is one prefix query. */
  withdrawals = (partnerId?: string) =>
    this.#list<WithdrawalRecord>(partnerId ? `${P.withdrawal}${partnerId}/` : P.withdrawal)
  withdrawal = (partnerId: string, id: string) =>
    this.#get<WithdrawalRecord>(`${P.withdrawal}${partnerId}/${id}`)
  putWithdrawal = (w: WithdrawalRecord) => this.#put(`${P.withdrawal}${w.partnerId}/${w.id}`, w)

  /** Receiver side: objects withdrawn by their origin. */
  applied = () => this.#list<AppliedWithdrawal>(P.withdrawn)
  appliedFor = (objectId: string) => this.#get<AppliedWithdrawal>(P.withdrawn + objectId)
  putApplied = (a: AppliedWithdrawal) => this.#put(P.withdrawn + a.objectId, a)

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
