import type { CompiledPolicy } from '../policy/compile.js'
import { decideWithoutEndpoints, decisionWindow } from '../policy/decide.js'
import type { Decision } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'
import type { Store } from '../store/types.js'

/**
 * Policy views by id, parsed once per process. A view id names one text for ever (src/store/policy-view-id.ts),
 * so an entry never goes stale; the cache is bounded only to cap memory.
 */
/** Parsed views held at most; past that the cache starts afresh. */
const VIEWS_LIMIT = 200_000

export class PolicyViewCache {
  readonly #views = new Map<number, StixObject>()

  constructor(readonly store: Store) {}

  /** Loads the views of `ids` not held yet. An id the store has no text for stays unknown. */
  async load(ids: Iterable<number>): Promise<void> {
    const missing = new Set<number>()
    for (const id of ids) if (!this.#views.has(id)) missing.add(id)
    if (missing.size === 0) return
    const texts = await this.store.policyViews([...missing])
    if (this.#views.size + texts.size > VIEWS_LIMIT) this.#views.clear()
    for (const [id, text] of texts) this.#views.set(id, JSON.parse(text) as StixObject)
  }

  get(id: number): StixObject | undefined {
    return this.#views.get(id)
  }
}

/** Decisions by collection and view id, for one partner under one compiled policy in one decision window. */
type ByCollection = Map<string, Map<number, Decision>>

/** Per collection, versions screened and served lately (decayed), for `GateSession.servedShare`. */
type Tally = Map<string, { screened: number; served: number }>

/**
 * What requests of one partner in one decision window share: their decisions, and what they were served
 * (a request's share is only a useful hint if the requests before it counted too).
 */
interface PartnerWindow {
  byCollection: ByCollection
  tally: Tally
}

/** Decisions remembered per partner and window, at most; past that they are forgotten (they only save work). */
const DECISIONS_LIMIT = 100_000
/** Denied views a query is asked to skip, at most (the rest are still decided when they come back). */
const SKIP_LIMIT = 1000
/** Versions counted before older counts are halved (see `tally`). */
const TALLY_WINDOW = 20_000

/**
 * `decideWithoutEndpoints` remembered across requests. A decision is a pure function of the compiled policy,
 * the partner, the decision window (`decisionWindow`: which agreements are in force), the collection and the
 * policy view, and a compiled policy object is replaced whenever policy changes; so a decision kept under
 * exactly that key is the decision `decide` would make now, and an order takes effect on the next request.
 */
export class ViewDecisions {
  readonly #byPolicy = new WeakMap<CompiledPolicy, Map<string, PartnerWindow>>()

  /** The decisions of `partnerId` at `instant` under `policy`, shared by every request in the same window. */
  forPartner(policy: CompiledPolicy, partnerId: string, instant: string): PartnerViewDecisions {
    let byPartner = this.#byPolicy.get(policy)
    if (byPartner === undefined) {
      byPartner = new Map()
      this.#byPolicy.set(policy, byPartner)
    }
    const key = `${partnerId}\n${decisionWindow(policy, partnerId, instant)}`
    let shared = byPartner.get(key)
    if (shared === undefined) {
      shared = { byCollection: new Map(), tally: new Map() }
      byPartner.set(key, shared)
    }
    return new PartnerViewDecisions(policy, partnerId, instant, shared.byCollection, shared.tally)
  }
}

export class PartnerViewDecisions {
  constructor(
    readonly policy: CompiledPolicy,
    readonly partnerId: string,
    readonly instant: string,
    readonly byCollection: ByCollection,
    readonly served: Tally = new Map(),
  ) {}

  /** The last collection decided in and its decisions (a batch is mostly one collection): its lookup skipped. */
  #lastCollection: string | undefined
  #lastByView: Map<number, Decision> | undefined

  decide(collectionId: string, viewId: number, view: StixObject): Decision {
    let byView = this.#lastCollection === collectionId ? this.#lastByView : undefined
    if (byView === undefined) {
      byView = this.byCollection.get(collectionId)
      if (byView === undefined) {
        byView = new Map()
        this.byCollection.set(collectionId, byView)
      }
      this.#lastCollection = collectionId
      this.#lastByView = byView
    }
    let decision = byView.get(viewId)
    if (decision === undefined) {
      decision = decideWithoutEndpoints(
        this.policy,
        this.partnerId,
        { collectionId, object: view },
        this.instant,
      )
      if (byView.size >= DECISIONS_LIMIT) byView.clear()
      byView.set(viewId, decision)
    }
    return decision
  }

  /**
   * Counts a screened batch (`served[i]` set where `items[i]` was served), per collection: a batch from a
   * collection query is one collection's, from a search a mix. Older batches weigh less as newer ones
   * come, so the share follows change.
   */
  tally(items: readonly { collectionId: string }[], served: readonly unknown[]): void {
    let from = 0
    let count = 0
    for (let i = 0; i < items.length; i++) {
      if (served[i]) count++
      const collectionId = items[i]!.collectionId
      if (items[i + 1]?.collectionId === collectionId) continue
      const t = this.served.get(collectionId) ?? { screened: 0, served: 0 }
      if (t.screened > TALLY_WINDOW) {
        t.screened /= 2
        t.served /= 2
      }
      t.screened += i + 1 - from
      t.served += count
      this.served.set(collectionId, t)
      from = i + 1
      count = 0
    }
  }

  /** The share of screened versions served lately in `collectionId`; 1 before anything was screened. */
  servedShare(collectionId: string): number {
    const t = this.served.get(collectionId)
    return t === undefined || t.screened === 0 ? 1 : t.served / t.screened
  }

  /** Views already decided to be denied in `collectionId`, for the store to skip (a bounded list). */
  denied(collectionId: string): number[] {
    const out: number[] = []
    for (const [id, d] of this.byCollection.get(collectionId) ?? []) {
      if (d.effect === 'deny') out.push(id)
      if (out.length >= SKIP_LIMIT) break
    }
    return out
  }
}
