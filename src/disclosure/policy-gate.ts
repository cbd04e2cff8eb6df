import type { GateObserver } from '../ops/node-metrics.js'
import type { CompiledPolicy } from '../policy/compile.js'
import { decideCompiled, endpointRefs } from '../policy/decide.js'
import { screeningBound } from '../policy/screening.js'
import type { Decision, DecisionContext, ObjectVersion } from '../policy/types.js'
import { collectionsVisibleTo } from '../policy/views.js'
import type { DisclosureBatch, LedgerService } from '../services/ledger-service.js'
import type { PolicyService } from '../services/policy-service.js'
import type { StixObject } from '../stix/object.js'
import { formatMicros, toMicros } from '../store/time.js'
import type { CollectionGrant, CollectionRecord, ObjectQuery, Store, StoredVersion } from '../store/types.js'
import type { CollectionAccess, DisclosureGate, GateSession, Served, Viewer } from './gate.js'
import { GrantSession } from './grant-gate.js'
import { servedJson } from './served-json.js'

/**
 * The gate with sharing policy: partners see what `decide` allows at the
 * request's instant, redacted and with caveats attached, and every version
 * served to them is recorded in the ledger before the response is written.
 * Other principals are governed by their grants alone.
 */
export class PolicyGate implements DisclosureGate {
  /** Counts decisions for metrics (src/ops); sees partner ids and reasons, never content. */
  observer: GateObserver | undefined

  constructor(
    readonly store: Store,
    readonly policy: PolicyService,
    readonly ledger: LedgerService,
  ) {}

  async open(viewer: Viewer, instant: string): Promise<GateSession> {
    const grants = viewer.role === 'admin' ? [] : await this.store.listGrants(viewer.principalId)
    if (viewer.role !== 'partner' || !viewer.partnerId) return new GrantSession(viewer, instant, grants)
    const compiled = await this.policy.compiledAt(instant)
    return new PartnerSession(this, viewer, viewer.partnerId, instant, compiled, grants)
  }
}

const HIDDEN: CollectionAccess = { visible: false, canRead: false, canWrite: false }

class PartnerSession implements GateSession {
  readonly #visible: Set<string> | '*'
  readonly #grants: Map<string, CollectionGrant>

  constructor(
    readonly gate: PolicyGate,
    readonly viewer: Viewer,
    readonly partnerId: string,
    readonly instant: string,
    readonly compiled: CompiledPolicy,
    grants: CollectionGrant[],
  ) {
    this.#visible = collectionsVisibleTo(compiled.snapshot, partnerId, instant)
    this.#grants = new Map(grants.map((g) => [g.collectionId, g]))
  }

  get policy(): CompiledPolicy {
    return this.compiled
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
    return {
      ...query,
      ...(types !== undefined ? { types } : {}),
      tlpScreen: { maxTlpRank: bound.maxTlpRank, unmarked: bound.unmarked },
    }
  }

  decideOne(version: ObjectVersion, context: DecisionContext): Decision {
    return decideCompiled(this.compiled, this.partnerId, version, this.instant, context)
  }

  async screen(items: StoredVersion[]): Promise<(Served | undefined)[]> {
    const versions = items.map((stored) =>
      this.#mayRead(stored.collectionId)
        ? { collectionId: stored.collectionId, object: JSON.parse(stored.json) as StixObject }
        : undefined,
    )
    // one memo per batch: this session's partner and instant, endpoint versions of this batch only
    const context: DecisionContext = {
      endpoints: await this.#endpoints(versions),
      endpointMemo: new WeakMap(),
    }
    return items.map((stored, i) => {
      const version = versions[i]
      if (!version) return undefined
      const decision = this.decideOne(version, context)
      if (decision.effect === 'deny') {
        this.gate.observer?.denied(this.partnerId, decision.deniedBy[0]?.kind ?? 'unknown')
        return undefined
      }
      return {
        stored,
        json: servedJson(stored.json, version.object, decision),
        allowedBy: decision.allowedBy.id ?? decision.allowedBy.kind,
        objectModified: typeof version.object.modified === 'string' ? version.object.modified : null,
      }
    })
  }

  /** The stored versions of every object an SRO in the batch points at, fetched in one query. */
  async #endpoints(versions: (ObjectVersion | undefined)[]): Promise<Map<string, ObjectVersion[]>> {
    const refs = new Set<string>()
    for (const v of versions) if (v) for (const ref of endpointRefs(v.object)?.refs ?? []) refs.add(ref)
    const map = new Map<string, ObjectVersion[]>()
    if (refs.size === 0) return map
    for (const stored of await this.gate.store.latestVersions([...refs])) {
      const list = map.get(stored.id) ?? []
      list.push({ collectionId: stored.collectionId, object: JSON.parse(stored.json) as StixObject })
      map.set(stored.id, list)
    }
    return map
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
    versions: served.map((s) => ({
      json: s.json,
      collectionId: s.stored.collectionId,
      objectId: s.stored.id,
      objectModified: s.objectModified ?? null,
      agreementId: s.allowedBy ?? 'unknown',
    })),
  }
}
