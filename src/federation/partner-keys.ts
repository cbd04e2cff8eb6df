import type { FederationContext } from './context.js'
import { givenNodeKey } from './given-key.js'
import type { PartnerKeyPin } from './state.js'
import type { FeedDefinition } from './types.js'

/** The key a partner node's withdrawal acknowledgements are checked with, since when and by whom. */
export interface PinnedPartnerKey extends PartnerKeyPin {
  partner: string
}

/**
 * Pins the key a partner node signs its acknowledgements with, as its operators gave it out of band.
 * Without a pin, the first acknowledgement is checked with the key given to a feed from that partner
 * (`feedGivenKey`), and only when there is none pins its own key (trust on first use), so someone holding
 * the partner's API key before its node ever acknowledged could pin theirs; a pin given here replaces any.
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
  const pin = { vkey, pinnedAt: new Date(ctx.now()).toISOString(), pinnedBy: by }
  await ctx.state.putPartnerKey(id, pin)
  return { pinned: { partner: id, ...pin }, ...(previous !== undefined ? { previous } : {}) }
}

/**
 * The partner's node key as given to a feed from it (`feeds add --vkey`), as that feed now trusts it: a
 * feed and the acknowledgements of one partner come from the same node, signing with the same key, so a
 * key its operators gave once serves both. With several such feeds, the one whose key is `offered`.
 */
export async function feedGivenKey(
  ctx: FederationContext,
  partnerId: string,
  offered?: string,
): Promise<PartnerKeyPin | undefined> {
  const own = (await ctx.state.feeds()).filter((f) => f.partnerId === partnerId)
  const pins = await givenKeys(ctx, own)
  return pins.find((p) => p.vkey === offered) ?? pins[0]
}

/** The key each of `feeds` was given and trusts now, in feed id order; feeds given none are left out. */
async function givenKeys(ctx: FederationContext, feeds: FeedDefinition[]): Promise<PinnedPartnerKey[]> {
  const given = feeds.filter((f) => f.vkey !== undefined).sort((a, b) => a.id.localeCompare(b.id))
  return Promise.all(
    given.map(async (feed) => ({
      partner: feed.partnerId,
      vkey: (await ctx.state.feedState(feed.id)).ledger.vkey ?? feed.vkey!,
      pinnedAt: feed.vkeyPinnedAt ?? feed.createdAt,
      pinnedBy: feed.vkeyPinnedBy ?? feed.createdBy,
      fromFeed: feed.id,
    })),
  )
}

/**
 * Every partner key acknowledgements are checked with: the pins, then, for a partner with none yet, the
 * key given to a feed from it (listed with `fromFeed` and `pending`, since no acknowledgement pinned it).
 */
export async function partnerKeyPins(
  ctx: FederationContext,
): Promise<(PinnedPartnerKey & { pending?: true })[]> {
  const pinned = await ctx.state.partnerKeys()
  const unpinned = (await ctx.state.feeds()).filter((f) => !pinned.some((k) => k.partner === f.partnerId))
  // the first feed's key for each partner, as feedGivenKey chooses without an offered key
  const implied = new Map<string, PinnedPartnerKey & { pending: true }>()
  for (const pin of await givenKeys(ctx, unpinned))
    if (!implied.has(pin.partner)) implied.set(pin.partner, { ...pin, pending: true })
  return [...pinned, ...implied.values()].sort((a, b) => a.partner.localeCompare(b.partner))
}
