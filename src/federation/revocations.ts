import { scanBatches } from '../store/scan.js'
import type { FederationContext } from './context.js'
import { issueWithdrawals } from './withdrawals.js'

/**
 * Origin side of revocation: finds versions with `revoked: true` committed since the last scan (in any
 * collection, however they arrived: TAXII POST, import, a feed) and opens a withdrawal for every partner
 * this node disclosed the object to, so their nodes acknowledge it. Returns how many were opened.
 */
export async function scanRevocations(ctx: FederationContext, batchSize = 2000): Promise<number> {
  let opened = 0
  for (const collection of await ctx.store.listCollections()) {
    let afterSeq = await ctx.state.revocationCursor(collection.id)
    const start = afterSeq
    for await (const batch of scanBatches(
      ctx.store,
      {
        collectionId: collection.id,
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        versions: [{ kind: 'all' }],
      },
      batchSize,
    )) {
      for (const version of batch) {
        // cheap text test first: most versions are not revocations
        if (!version.json.includes('"revoked"') || JSON.parse(version.json).revoked !== true) continue
        const created = await issueWithdrawals(ctx, {
          objectId: version.id,
          kind: 'revoked',
          reason: 'revoked by its creator',
          by: 'sluice-federation',
        })
        opened += created.length
      }
      afterSeq = batch.at(-1)!.seq
    }
    if (afterSeq !== start) await ctx.state.putRevocationCursor(collection.id, afterSeq)
  }
  return opened
}
