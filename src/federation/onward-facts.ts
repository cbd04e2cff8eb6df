import type { KnownMarkings } from '../policy/markings.js'
import type { PolicySnapshot } from '../policy/types.js'
import type { StixObject } from '../stix/object.js'
import type { ProvenanceRecord, Store } from '../store/types.js'
import { type OnwardFacts, onwardDenial } from './onward.js'
import type { FederationState } from './state.js'
import { derivedOnce } from './state-copies.js'
import type { AppliedWithdrawal, WithdrawalRecord } from './types.js'

/**
 * What the federation rules know about one partner, loaded once for a read session, a preview or an
 * explanation; the per-object facts (`objectOnwardFacts`) are cut from it.
 */
export interface PartnerOnwardFacts {
  partnerId: string
  partnerIdentity: string | undefined
  markings: KnownMarkings
  /** Objects their origin withdrew or revoked, as this node applied it. */
  applied: ReadonlyMap<string, AppliedWithdrawal>
  /** Objects this node withdrew from the partner. */
  withdrawn: ReadonlySet<string>
}

/**
 * The partner's facts from the federation state. With `asOf`, only what was recorded by then (withdrawals
 * made, revocations applied), so an explanation of a past instant does not cite a later withdrawal.
 */
export async function partnerOnwardFacts(
  state: FederationState,
  snapshot: Pick<PolicySnapshot, 'partners' | 'markings'>,
  partnerId: string,
  asOf?: string,
): Promise<PartnerOnwardFacts> {
  const [applied, issued] = await Promise.all([state.applied(), state.withdrawals(partnerId)])
  const by = (at: string) => asOf === undefined || Date.parse(at) <= Date.parse(asOf)
  const appliedMap = (list: readonly AppliedWithdrawal[]) =>
    new Map(list.filter((a) => by(a.appliedAt)).map((a) => [a.objectId, a]))
  const withdrawnSet = (list: readonly WithdrawalRecord[]) =>
    new Set(list.filter((w) => by(w.createdAt)).map((w) => w.objectId))
  return {
    partnerId,
    partnerIdentity: snapshot.partners.get(partnerId)?.identity_id,
    markings: snapshot.markings,
    // now (every read): built once per copy of the lists; at a past instant, filtered afresh
    applied: asOf === undefined ? derivedOnce(APPLIED, applied, appliedMap) : appliedMap(applied),
    withdrawn: asOf === undefined ? derivedOnce(WITHDRAWN, issued, withdrawnSet) : withdrawnSet(issued),
  }
}

const APPLIED = new WeakMap<readonly AppliedWithdrawal[], ReadonlyMap<string, AppliedWithdrawal>>()
const WITHDRAWN = new WeakMap<readonly WithdrawalRecord[], ReadonlySet<string>>()

/** Every provenance record of the objects `ids`, by object (none are looked up on a node that never received any). */
export async function provenanceByObject(
  store: Store,
  ids: Iterable<string>,
  asOf?: string,
): Promise<Map<string, ProvenanceRecord[]>> {
  const byObject = new Map<string, ProvenanceRecord[]>()
  if (!(await store.hasProvenance())) return byObject
  const unique = [...new Set(ids)]
  for (const p of unique.length > 0 ? await store.provenance(unique) : []) {
    if (asOf !== undefined && Date.parse(p.receivedAt) > Date.parse(asOf)) continue
    const list = byObject.get(p.objectId)
    if (list) list.push(p)
    else byObject.set(p.objectId, [p])
  }
  return byObject
}

/**
 * Whether any federation rule could deny object `id`: each needs a withdrawal, a provenance record or the
 * partner as the object's creator, so an object with none passes without being read.
 */
export function mayDenyOnward(
  partner: PartnerOnwardFacts,
  id: string,
  provenance: ReadonlyMap<string, readonly ProvenanceRecord[]>,
  createdByPartner: boolean,
): boolean {
  return partner.withdrawn.has(id) || partner.applied.has(id) || provenance.has(id) || createdByPartner
}

export function objectOnwardFacts(
  partner: PartnerOnwardFacts,
  id: string,
  provenance: ReadonlyMap<string, readonly ProvenanceRecord[]>,
): OnwardFacts {
  const withdrawnHere = partner.applied.get(id)
  return {
    partnerId: partner.partnerId,
    markings: partner.markings,
    provenance: provenance.get(id) ?? [],
    withdrawnFromPartner: partner.withdrawn.has(id),
    ...(partner.partnerIdentity ? { partnerIdentity: partner.partnerIdentity } : {}),
    ...(withdrawnHere ? { withdrawnHere } : {}),
  }
}

/** Why the federation rules withhold a version: itself (`end` absent), or, for an SRO, its end `end`. */
export interface OnwardWithholding {
  message: string
  end?: string
}

/**
 * The federation rules for parsed versions, as explanations and previews apply them after the policy: the
 * object itself, then (an SRO goes with its ends, as the policy's endpoint rule has it) any version of an end.
 */
export function onwardWithholdingOf(
  partner: PartnerOnwardFacts,
  provenance: ReadonlyMap<string, readonly ProvenanceRecord[]>,
): (
  object: StixObject,
  ends?: ReadonlyMap<string, readonly { object: StixObject }[]>,
) => OnwardWithholding | undefined {
  const denial = onwardDenialOf(partner, provenance)
  return (object, ends) => {
    const message = denial(object)
    if (message !== undefined) return { message }
    for (const [end, versions] of ends ?? []) {
      const hidden = versions.map((e) => denial(e.object)).find((m) => m !== undefined)
      if (hidden !== undefined) return { message: hidden, end }
    }
    return undefined
  }
}

/** `onwardDenial` for parsed objects, with the facts above, judging the object alone. */
function onwardDenialOf(
  partner: PartnerOnwardFacts,
  provenance: ReadonlyMap<string, readonly ProvenanceRecord[]>,
): (object: StixObject) => string | undefined {
  return (object) => {
    const createdByPartner =
      partner.partnerIdentity !== undefined && object.created_by_ref === partner.partnerIdentity
    if (!mayDenyOnward(partner, object.id, provenance, createdByPartner)) return undefined
    return onwardDenial(object, objectOnwardFacts(partner, object.id, provenance))
  }
}
