import type { FederationContext } from './context.js'
import { givenNodeKey } from './given-key.js'
import type { PartnerKeyPin } from './state.js'

/** The key a partner node's withdrawal acknowledgements are checked with, since when and by whom. */
export interface PinnedPartnerKey extends PartnerKeyPin {
  partner: string
}

/**
 * Pins the key a partner node signs its acknowledgements with, as its operators gave it out of band.
 * Without a pin the first acknowledgement pins its own key (trust on first use), so someone holding the
 * partner's API key before its node ever acknowledged could pin theirs; a pin given here replaces any.
 */
export async function pinPartnerKey(
  ctx: FederationContext,
  partner: string,
  vkey: string,
  by: string,
): Promise<{ pinned: PinnedPartnerKey; previous?: string }> {
  const { id } = await ctx.policy.partner(partner)
  givenNodeKey(vkey, 'partner node')
  const previous = (await ctx.state.partnerKey(id))?.vkey
  const pinnedAt = new Date(ctx.now()).toISOString()
  await ctx.state.putPartnerKey(id, vkey, pinnedAt, by)
  return {
    pinned: { partner: id, vkey, pinnedAt, pinnedBy: by },
    ...(previous !== undefined ? { previous } : {}),
  }
}
