import type { CollectionAccess, DisclosureGate, GateSession, Served, Viewer } from '../disclosure/gate.js'
import type { PolicyService } from '../services/policy-service.js'
import type { StixObject } from '../stix/object.js'
import type { CollectionRecord, ObjectQuery, Store, StoredVersion } from '../store/types.js'
import { onwardDenial } from './onward.js'
import {
  mayDenyOnward,
  objectOnwardFacts,
  type PartnerOnwardFacts,
  partnerOnwardFacts,
  provenanceByObject,
} from './onward-facts.js'
import { FederationState } from './state.js'

const RULES = Symbol.for('sluice.federation-rules')

/**
 * The node's gate with the federation rules (onward.ts) applied after the sharing policy, for partner
 * viewers only. Every read path that takes its gate from here, and every push, inherits them. Wrapping
 * twice is a no-op.
 */
export function withFederationRules(
  inner: DisclosureGate,
  store: Store,
  policy: PolicyService,
): DisclosureGate {
  if ((inner as { [RULES]?: true })[RULES]) return inner
  const state = new FederationState(store)
  return {
    [RULES]: true,
    /** The gate without the rules (for wiring that needs the concrete gate, e.g. its metrics observer). */
    inner,
    async open(viewer: Viewer, instant: string): Promise<GateSession> {
      const session = await inner.open(viewer, instant)
      if (viewer.role !== 'partner' || !viewer.partnerId) return session
      // the policy gate already compiled the policy for this instant; ask again only if it did not say
      const compiled = session.policy ?? (await policy.compiledAt(instant))
      const facts = await partnerOnwardFacts(state, compiled.snapshot, viewer.partnerId)
      return new FederatedSession(session, store, facts)
    },
  } as DisclosureGate & { inner: DisclosureGate }
}

/**
 * Whether a version served names `identity` as its creator: from the column the store keeps at ingest, or
 * for a version stored before it did, from the text (a top-level created_by_ref naming the identity is
 * written exactly so by JSON.stringify; a match elsewhere only costs the version a parse).
 */
function createdBy(identity: string): (s: Served) => boolean {
  const needle = `"created_by_ref":${JSON.stringify(identity)}`
  return (s) => {
    const recorded = s.stored.gate?.createdBy
    return recorded == null ? s.stored.json.includes(needle) : recorded === identity
  }
}

class FederatedSession implements GateSession {
  constructor(
    readonly inner: GateSession,
    readonly store: Store,
    readonly facts: PartnerOnwardFacts,
  ) {}

  get viewer(): Viewer {
    return this.inner.viewer
  }

  get instant(): string {
    return this.inner.instant
  }

  get policy() {
    return this.inner.policy
  }

  collectionAccess(collection: CollectionRecord): CollectionAccess {
    return this.inner.collectionAccess(collection)
  }

  narrow(query: ObjectQuery): ObjectQuery | undefined {
    return this.inner.narrow ? this.inner.narrow(query) : query
  }

  servedShare(collectionId: string): number {
    return this.inner.servedShare?.(collectionId) ?? 1
  }

  async screen(items: StoredVersion[]): Promise<(Served | undefined)[]> {
    const served = await this.inner.screen(items)
    const facts = this.facts
    const provenance = await provenanceByObject(
      this.store,
      served.flatMap((s) => (s ? [s.stored.id] : [])),
    )
    const byPartner = facts.partnerIdentity === undefined ? undefined : createdBy(facts.partnerIdentity)
    return served.map((s) => {
      if (!s) return undefined
      const id = s.stored.id
      // a version no rule can deny passes without being parsed
      if (!mayDenyOnward(facts, id, provenance, byPartner?.(s) === true)) return s
      const object = JSON.parse(s.stored.json) as StixObject
      return onwardDenial(object, objectOnwardFacts(facts, id, provenance)) === undefined ? s : undefined
    })
  }

  record(served: Served[]): Promise<void> {
    return this.inner.record(served)
  }
}
