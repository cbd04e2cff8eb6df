import { forbidsOnwardSharing, type KnownMarkings, onwardSharingRestrictions } from '../policy/markings.js'
import type { StixObject } from '../stix/object.js'
import type { ProvenanceRecord } from '../store/types.js'
import type { AppliedWithdrawal } from './types.js'

/** What the federation rules know about one object when it is about to leave for a partner. */
export interface OnwardFacts {
  partnerId: string
  /** The partner's STIX identity, to recognise objects it created. */
  partnerIdentity?: string
  markings: KnownMarkings
  /** Every provenance record of the object (any version); empty for objects created here. */
  provenance: readonly ProvenanceRecord[]
  /** Set when the object's origin withdrew or revoked it (this node received it). */
  withdrawnHere?: AppliedWithdrawal
  /** This node (as origin) withdrew the object from this partner. */
  withdrawnFromPartner: boolean
}

/**
 * Why a version must not go to the partner under the federation rules, or undefined when these rules do
 * not object (the sharing policy has already allowed it). Pure.
 *
 * - Withdrawn from this partner by this node: never again, except the revoked version itself.
 * - Withdrawn or revoked by its origin: no version flows on, except a revoked one (`revoked: true`), which
 *   is how a revocation reaches the next node.
 * - Never back to where it came from: not to a partner it was received from, nor to the partner that
 *   created it.
 * - A received object whose markings forbid passing it on (TLP AMBER and above, H2/H3, IEP) stays here.
 */
export function onwardDenial(object: StixObject, facts: OnwardFacts): string | undefined {
  // a revoked version is how a revocation reaches the partner, so it passes even a withdrawal
  if (facts.withdrawnFromPartner && object.revoked !== true) return 'withdrawn from this partner'
  if (facts.withdrawnHere && object.revoked !== true)
    return `withdrawn by its origin (${facts.withdrawnHere.kind})`
  if (facts.provenance.some((p) => p.partnerId === facts.partnerId))
    return 'received from this partner: it does not go back'
  if (facts.partnerIdentity !== undefined && object.created_by_ref === facts.partnerIdentity)
    return 'created by this partner: it does not go back'
  if (facts.provenance.length > 0 && forbidsOnwardSharing(object, facts.markings)) {
    return `received from another node and marked against onward sharing: ${onwardSharingRestrictions(
      object,
      facts.markings,
    )
      .map((r) => r.message)
      .join('; ')}`
  }
  return undefined
}
