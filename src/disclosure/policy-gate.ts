import type { GateObserver } from '../ops/node-metrics.js'
import type { CompiledPolicy } from '../policy/compile.js'
import {
  decideCompiled,
  decideWithoutEndpoints,
  endpointDenial,
  MAX_ENDPOINT_DEPTH,
  withEndpointDenials,
} from '../policy/decide.js'
import { screeningBound } from '../policy/screening.js'
import type { Decision, Reason } from '../policy/types.js'
import { collectionsVisibleTo } from '../policy/views.js'
import type { DisclosureBatch, LedgerService } from '../services/ledger-service.js'
import type { PolicyService } from '../services/policy-service.js'
import { formatMicros, toMicros } from '../store/time.js'
import type { CollectionGrant, CollectionRecord, ObjectQuery, Store, StoredVersion } from '../store/types.js'
import { type Candidate, candidateOf, EndpointIndex, indexEndpoints, viewIdsOf } from './candidates.js'
import type { CollectionAccess, DisclosureGate, GateSession, Served, Viewer } from './gate.js'
import { GrantSession } from './grant-gate.js'
import { applySplice, type Splice, spliceFor } from './served-json.js'
import { joinedJson } from './served-text.js'
import { type PartnerViewDecisions, PolicyViewCache, ViewDecisions } from './view-decisions.js'

/**
 * The gate with sharing policy: partners see what `decide` allows at the
 * request's instant, redacted and with caveats attached, and every version
 * served to them is recorded in the ledger before the response is written.
 * Other principals are governed by their grants alone.
 */
export class PolicyGate implements DisclosureGate {
  /** Counts decisions for metrics (src/ops); sees partner ids and reasons, never content. */
  observer: GateObserver | undefined
  readonly views: PolicyViewCache
  readonly decisions = new ViewDecisions()
  /** Splices by remembered decision (see PartnerSession.#spliceFor). */
  readonly splices = new WeakMap<Decision, Splice>()

  constructor(
    readonly store: Store,
    readonly policy: PolicyService,
    readonly ledger: LedgerService,
  ) {
    this.views = new PolicyViewCache(store)
  }

  async open(viewer: Viewer, instant: string): Promise<GateSession> {
    const grants = viewer.role === 'admin' ? [] : await this.store.listGrants(viewer.principalId)
    if (viewer.role !== 'partner' || !viewer.partnerId) return new GrantSession(viewer, instant, grants)
    const [compiled, endpoints] = await Promise.all([this.policy.compiledAt(instant), this.#endpointIndex()])
    return new PartnerSession(this, viewer, viewer.partnerId, instant, compiled, grants, endpoints)
  }

  #endpoints: EndpointIndex | undefined

  /** The endpoint index for the store's objects as they are now. */
  async #endpointIndex(): Promise<EndpointIndex> {
    const version = await this.store.objectsVersion()
    if (this.#endpoints?.version !== version || this.#endpoints.byId.size > ENDPOINTS_LIMIT)
      this.#endpoints = new EndpointIndex(version)
    return this.#endpoints
  }
}

/** Endpoint ids kept at most before the index starts afresh (it only saves store reads). */
const ENDPOINTS_LIMIT = 200_000

const HIDDEN: CollectionAccess = { visible: false, canRead: false, canWrite: false }

class PartnerSession implements GateSession {
  readonly screensVersions = true
  readonly #visible: Set<string> | '*'
  readonly #grants: Map<string, CollectionGrant>
  readonly #decisions: PartnerViewDecisions
  /** Newest versions of SRO endpoints, by id, shared with requests that saw the same objects. */
  readonly #endpoints: Map<string, Candidate[]>

  constructor(
    readonly gate: PolicyGate,
    readonly viewer: Viewer,
    readonly partnerId: string,
    readonly instant: string,
    readonly compiled: CompiledPolicy,
    grants: CollectionGrant[],
    endpoints: EndpointIndex,
  ) {
    this.#endpoints = endpoints.byId
    this.#visible = collectionsVisibleTo(compiled.snapshot, partnerId, instant)
    this.#grants = new Map(grants.map((g) => [g.collectionId, g]))
    this.#decisions = gate.decisions.forPartner(compiled, partnerId, instant)
  }

  get policy(): CompiledPolicy {
    return this.compiled
  }

  endpointVersions(id: string): readonly Candidate[] | undefined {
    return this.#endpoints.get(id)
  }

  #mayRead(collectionId: string): boolean {
    return this.#visible === '*' || this.#visible.has(collectionId)
  }

  collectionAccess(collection: CollectionRecord): CollectionAccess {
    const canRead = this.#mayRead(collection.id)
    const canWrite = this.#grants.get(collection.id)?.canWrite === true
    return canRead || canWrite ? { visible: true, canRead, canWrite } : HIDDEN
  }

  narrow(query: ObjectQuery): ObjectQuery | undefined {
    if (!this.#mayRead(query.collectionId)) return undefined
    const bound = screeningBound(this.compiled, this.partnerId, query.collectionId, this.instant)
    if (bound === undefined) return undefined
    let types = query.types
    if (bound.types !== undefined) {
      const allowed = bound.types
      types = types?.length ? types.filter((t) => allowed.has(t)) : [...allowed]
      if (types.length === 0) return undefined
    }
    const denied = this.#decisions.denied(query.collectionId)
    return {
      ...query,
      ...(types !== undefined ? { types } : {}),
      tlpScreen: { maxTlpRank: bound.maxTlpRank, unmarked: bound.unmarked },
      ...(denied.length > 0 ? { withoutViews: denied } : {}),
      gateFacts: true,
    }
  }

  async screen(items: StoredVersion[]): Promise<(Served | undefined)[]> {
    const views = this.gate.views
    await views.load(viewIdsOf(items))
    const candidates = this.#candidates(items)
    await indexEndpoints(this.gate.store, views, candidates, this.#endpoints)
    const served: (Served | undefined)[] = new Array(items.length)
    // counted per reason and reported once per batch: a page may withhold hundreds
    const denials = new Map<string, number>()
    for (let i = 0; i < items.length; i++) {
      const stored = items[i]!
      const c = candidates[i]
      served[i] = undefined
      if (c === undefined) continue
      const decision = this.#decide(c)
      if (decision.effect === 'deny') {
        const reason = decision.deniedBy[0]?.kind ?? 'unknown'
        denials.set(reason, (denials.get(reason) ?? 0) + 1)
        continue
      }
      const modified = c.whole === undefined ? stored.gate?.modified : c.whole.modified
      served[i] = {
        stored,
        json: applySplice(stored.json, this.#spliceFor(c, decision, stored.id), decision, c.whole),
        allowedBy: decision.allowedBy.id ?? decision.allowedBy.kind,
        objectModified: typeof modified === 'string' ? modified : null,
      }
    }
    for (const [reason, count] of denials) this.gate.observer?.denied(this.partnerId, reason, count)
    this.#decisions.tally(items, served)
    return served
  }

  /** Each version's candidate, undefined in collections the partner may not read (asked once per run of one). */
  #candidates(items: readonly StoredVersion[]): (Candidate | undefined)[] {
    const views = this.gate.views
    const out: (Candidate | undefined)[] = new Array(items.length)
    let collectionId: string | undefined
    let readable = false
    for (let i = 0; i < items.length; i++) {
      const stored = items[i]!
      if (stored.collectionId !== collectionId) {
        collectionId = stored.collectionId
        readable = this.#mayRead(collectionId)
      }
      out[i] = readable ? candidateOf(collectionId, stored.gate, stored.json, views) : undefined
    }
    return out
  }

  servedShare(collectionId: string): number {
    return this.#decisions.servedShare(collectionId)
  }

  /**
   * The splice for a candidate's text. A disclosed version's decision is its view's remembered decision
   * (endpoints only ever withhold), one object per view, so the splice is kept with it.
   */
  #spliceFor(c: Candidate, decision: Decision, id: string): Splice {
    // a caveat's own definition is spliced without itself: rare, and not shared with its view
    if (c.view.type === 'marking-definition' && decision.effect !== 'deny' && decision.caveats.includes(id))
      return spliceFor(c.view, decision, id)
    if (c.viewId === undefined) return spliceFor(c.view, decision)
    let splice = this.gate.splices.get(decision)
    if (splice === undefined) {
      splice = spliceFor(c.view, decision)
      this.gate.splices.set(decision, splice)
    }
    return splice
  }

  /** What `decideCompiled` decides for the candidate, with its endpoints from this request's index. */
  #decide(c: Candidate): Decision {
    const own = this.#own(c)
    if (c.refs === undefined) return own
    if (c.missingRefs) {
      // judged whole (no view is stored for such a version): let decide give every reason
      return decideCompiled(
        this.compiled,
        this.partnerId,
        { collectionId: c.collectionId, object: c.view },
        this.instant,
      )
    }
    const denials: Reason[] = []
    for (const ref of c.refs) {
      if (!this.#endpointVisible(ref, 0))
        denials.push(endpointDenial(ref, this.partnerId, (this.#endpoints.get(ref)?.length ?? 0) > 0))
    }
    return withEndpointDenials(own, denials)
  }

  #own(c: Candidate): Decision {
    if (c.viewId !== undefined) return this.#decisions.decide(c.collectionId, c.viewId, c.view)
    return decideWithoutEndpoints(
      this.compiled,
      this.partnerId,
      { collectionId: c.collectionId, object: c.view },
      this.instant,
    )
  }

  /** Whether an SRO at `depth` may point at `ref`: some newest version of it may be seen (decide's rule). */
  #endpointVisible(ref: string, depth: number): boolean {
    if (depth >= MAX_ENDPOINT_DEPTH) return false
    return (this.#endpoints.get(ref) ?? []).some((c) => {
      if (this.#own(c).effect === 'deny') return false
      if (c.refs === undefined) return true
      return !c.missingRefs && c.refs.every((r) => this.#endpointVisible(r, depth + 1))
    })
  }

  async record(served: Served[]): Promise<void> {
    if (served.length === 0) return
    const disclosedAt = formatMicros(toMicros(this.instant) ?? Date.now() * 1000)
    await this.gate.ledger.appendDisclosures(
      disclosureBatch(served, this.partnerId, disclosedAt, this.viewer.requestId),
    )
    this.gate.observer?.disclosed(this.partnerId, served.length)
  }
}

/** What a partner was served in one request, as the ledger records it. */
export function disclosureBatch(
  served: readonly Served[],
  partnerId: string,
  disclosedAt: string,
  requestId: string,
): DisclosureBatch {
  return {
    partnerId,
    disclosedAt,
    requestId,
    joined: () => joinedJson(served),
    versions: served.map((s) => ({
      json: s.json,
      collectionId: s.stored.collectionId,
      objectId: s.stored.id,
      objectModified: s.objectModified ?? null,
      agreementId: s.allowedBy ?? 'unknown',
    })),
  }
}
