import type { CollectionAccess, DisclosureGate, GateSession, Served, Viewer } from '../disclosure/gate.js'
import type { PolicyService } from '../services/policy-service.js'
import type { StixObject } from '../stix/object.js'
import type { CollectionRecord, ObjectQuery, ProvenanceRecord, Store, StoredVersion } from '../store/types.js'
import { type OnwardFacts, onwardDenial } from './onward.js'
import { FederationState } from './state.js'
import type { AppliedWithdrawal } from './types.js'

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
      const [compiled, applied, issued] = await Promise.all([
        session.policy ?? policy.compiledAt(instant),
        state.applied(),
        state.withdrawals(viewer.partnerId),
      ])
      return new FederatedSession(session, store, {
        partnerId: viewer.partnerId,
        partnerIdentity: compiled.snapshot.partners.get(viewer.partnerId)?.identity_id,
        markings: compiled.snapshot.markings,
        applied: new Map(applied.map((a) => [a.objectId, a])),
        withdrawn: new Set(issued.map((w) => w.objectId)),
      })
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

interface SessionFacts {
  partnerId: string
  partnerIdentity: string | undefined
  markings: OnwardFacts['markings']
  applied: Map<string, AppliedWithdrawal>
  withdrawn: Set<string>
}

class FederatedSession implements GateSession {
  constructor(
    readonly inner: GateSession,
    readonly store: Store,
    readonly facts: SessionFacts,
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
    const { partnerId, partnerIdentity, markings, applied, withdrawn } = this.facts
    const byObject = new Map<string, ProvenanceRecord[]>()
    if (await this.store.hasProvenance()) {
      const ids = new Set<string>()
      for (const s of served) if (s) ids.add(s.stored.id)
      for (const p of ids.size > 0 ? await this.store.provenance([...ids]) : []) {
        const list = byObject.get(p.objectId)
        if (list) list.push(p)
        else byObject.set(p.objectId, [p])
      }
    }
    const byPartner = partnerIdentity === undefined ? undefined : createdBy(partnerIdentity)
    return served.map((s) => {
      if (!s) return undefined
      const id = s.stored.id
      const withdrawnHere = applied.get(id)
      const provenance = byObject.get(id)
      // every rule needs a withdrawal, a provenance record, or the partner as creator; a version with
      // none of them passes without being parsed
      const mayDeny =
        withdrawn.has(id) ||
        withdrawnHere !== undefined ||
        provenance !== undefined ||
        byPartner?.(s) === true
      if (!mayDeny) return s
      const facts: OnwardFacts = {
        partnerId,
        markings,
        provenance: provenance ?? [],
        withdrawnFromPartner: withdrawn.has(id),
        ...(partnerIdentity ? { partnerIdentity } : {}),
        ...(withdrawnHere ? { withdrawnHere } : {}),
      }
      return onwardDenial(JSON.parse(s.stored.json) as StixObject, facts) === undefined ? s : undefined
    })
  }

  record(served: Served[]): Promise<void> {
    return this.inner.record(served)
  }
}
