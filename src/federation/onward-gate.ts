import type { CollectionAccess, DisclosureGate, GateSession, Served, Viewer } from '../disclosure/gate.js'
import { endpointRefs } from '../policy/decide.js'
import type { PolicyService } from '../services/policy-service.js'
import type { StixObject } from '../stix/object.js'
import type { CollectionRecord, ObjectQuery, ProvenanceRecord, Store, StoredVersion } from '../store/types.js'
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

/** A served relationship's or sighting's endpoint refs; undefined for other objects. */
function sroEnds(s: Served): readonly string[] | undefined {
  if (s.stored.type !== 'relationship' && s.stored.type !== 'sighting') return undefined
  return s.stored.gate?.endpointRefs ?? endpointRefs(JSON.parse(s.stored.json) as StixObject)?.refs
}

function* idsAndEnds(
  served: readonly (Served | undefined)[],
  ends: readonly (readonly string[] | undefined)[],
): Generator<string> {
  for (let i = 0; i < served.length; i++) {
    const s = served[i]
    if (s) yield s.stored.id
    yield* ends[i] ?? []
  }
}

class FederatedSession implements GateSession {
  /** The rules withhold versions on their own (a revoked object flows only as its revoked version). */
  readonly screensVersions = true
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

  endpointVersions(id: string) {
    return this.inner.endpointVersions?.(id)
  }

  servedShare(collectionId: string): number {
    return this.inner.servedShare?.(collectionId) ?? 1
  }

  async screen(items: StoredVersion[]): Promise<(Served | undefined)[]> {
    const served = await this.inner.screen(items)
    const facts = this.facts
    const ends = served.map((s) => (s ? sroEnds(s) : undefined))
    // one provenance lookup for the versions and the ends of the SROs among them (listed only if needed)
    const provenance = await provenanceByObject(this.store, idsAndEnds(served, ends))
    const byPartner = facts.partnerIdentity === undefined ? undefined : createdBy(facts.partnerIdentity)
    const kept = served.map((s) => {
      if (!s) return undefined
      const id = s.stored.id
      // a version no rule can deny passes without being parsed
      if (!mayDenyOnward(facts, id, provenance, byPartner?.(s) === true)) return s
      const object = JSON.parse(s.stored.json) as StixObject
      return onwardDenial(object, objectOnwardFacts(facts, id, provenance)) === undefined ? s : undefined
    })
    const hidden = await this.#hiddenEnds(ends, provenance)
    if (hidden.size === 0) return kept
    return kept.map((s, i) => (s && ends[i]?.some((ref) => hidden.has(ref)) ? undefined : s))
  }

  /**
   * The SRO ends these rules withhold from the partner: an SRO goes with them, as the policy withholds an
   * SRO whose end it denies (docs/POLICY.md). Fail-closed: an end counts as withheld when any of its newest
   * versions is.
   */
  async #hiddenEnds(
    ends: readonly (readonly string[] | undefined)[],
    provenance: ReadonlyMap<string, readonly ProvenanceRecord[]>,
  ): Promise<Set<string>> {
    const facts = this.facts
    const identity = facts.partnerIdentity
    const suspect = new Set<string>()
    for (const refs of ends) {
      for (const ref of refs ?? []) {
        if (suspect.has(ref)) continue
        const versions = this.inner.endpointVersions?.(ref) ?? []
        // a creator the store did not record could be the partner: look at the object
        const mayBePartners =
          identity !== undefined &&
          versions.some(
            (c) => c.createdBy == null || c.createdBy === identity || c.whole?.created_by_ref === identity,
          )
        if (mayDenyOnward(facts, ref, provenance, mayBePartners)) suspect.add(ref)
      }
    }
    const hidden = new Set<string>()
    if (suspect.size === 0) return hidden
    for (const v of await this.store.latestVersions([...suspect])) {
      const object = JSON.parse(v.json) as StixObject
      if (onwardDenial(object, objectOnwardFacts(facts, v.id, provenance)) !== undefined) hidden.add(v.id)
    }
    return hidden
  }

  record(served: Served[]): Promise<void> {
    return this.inner.record(served)
  }
}
