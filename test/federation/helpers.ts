import { type FederationContext, federationContext } from '../../src/federation/context.js'
import { defineFeed, definePush } from '../../src/federation/definitions.js'
import type { FeedDefinition, PushDefinition } from '../../src/federation/types.js'
import { issueWithdrawals } from '../../src/federation/withdrawals.js'
import { ingestOptions } from '../../src/ingest/options.js'
import { prepareObjects } from '../../src/ingest/prepare.js'
import { TLP2_MARKING_IDS, type TlpLevel } from '../../src/policy/tlp.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { Store } from '../../src/store/types.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator, T0 } from '../taxii/fixtures.js'

/** An in-process node whose scheduler is stopped, so a test runs feeds and pushes itself. */
export interface FedNode {
  name: string
  t: TestNode
  ctx: FederationContext
  collectionId: string
  store: Store
}

export async function fedNode(name: string): Promise<FedNode> {
  const t = await startTestNode({ origin: `${name}.sluice.test` })
  await t.node.federation.stop()
  const collection = await createCollection(t.node.store, {
    apiRoot: 'intel',
    title: `${name} shared`,
    alias: 'shared',
  })
  const ctx = federationContext(t.node.services, { backoff: { baseMs: 100, maxMs: 2000 } })
  return { name, t, ctx, collectionId: collection.id, store: t.node.store }
}

async function ensurePartner(node: FedNode, partnerId: string): Promise<void> {
  const { partners } = await node.t.node.services.policy.history()
  if (!partners.some((p) => p.id === partnerId)) {
    await node.t.node.services.policy.addPartner(
      { id: partnerId, name: `${partnerId} police (fictional)`, kind: 'police' },
      'test',
    )
  }
}

/** `from` agrees to share its collection with `to` (up to `maxTlp`) and issues `to` a partner key that may also write. */
export async function share(from: FedNode, to: FedNode, maxTlp: TlpLevel = 'red'): Promise<string> {
  await ensurePartner(from, to.name)
  await from.t.node.services.policy.putAgreement(
    { partner: to.name, collections: [from.collectionId], maxTlp },
    'test',
  )
  const { principal, apiKey } = await createPrincipal(from.store, {
    name: `${to.name} node`,
    role: 'partner',
    partnerId: to.name,
  })
  await from.store.setGrant({
    principalId: principal.id,
    collectionId: from.collectionId,
    canRead: true,
    canWrite: true,
  })
  return apiKey
}

/** A feed on `into` pulling `from`'s shared collection with `key`. */
export async function feed(
  into: FedNode,
  from: FedNode,
  key: string,
  options: { pageSize?: number; verify?: string; id?: string; vkey?: string } = {},
): Promise<FeedDefinition> {
  await ensurePartner(into, from.name)
  return defineFeed(
    into.ctx,
    {
      id: options.id ?? `from-${from.name}`,
      url: `${from.t.url}/intel/`,
      collection: from.collectionId,
      key,
      into: into.collectionId,
      partner: from.name,
      every: '1s',
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      ...(options.verify ? { verify: options.verify } : {}),
      ...(options.vkey ? { vkey: options.vkey } : {}),
    },
    'test',
  )
}

/** A push from `from`'s shared collection to `to`'s, with `key` issued by `to`. */
export async function push(from: FedNode, to: FedNode, key: string): Promise<PushDefinition> {
  await ensurePartner(from, to.name)
  return definePush(
    from.ctx,
    {
      id: `to-${to.name}`,
      url: `${to.t.url}/intel/`,
      collection: to.collectionId,
      key,
      from: from.collectionId,
      partner: to.name,
      every: '1s',
    },
    'test',
  )
}

/** Stores objects in the node's shared collection as an ingest would. */
export async function put(node: FedNode, objects: unknown[]): Promise<void> {
  const prepared = await prepareObjects(objects, ingestOptions(node.store))
  if (prepared.rejected.length > 0) throw new Error(prepared.rejected[0]!.message)
  await node.store.putObjects(node.collectionId, prepared.accepted)
}

/** `from` withdraws its indicator `n` (see `ind`) from the partner `to`. */
export function withdrawFrom(from: FedNode, to: FedNode, n: number) {
  return issueWithdrawals(from.ctx, {
    objectId: ind(n).id,
    partners: [to.name],
    kind: 'withdrawn',
    reason: 'source at risk (fictional)',
    by: 'officer-7',
  })
}

/** A fictional indicator marked with a TLP 2.0 level. */
export function ind(n: number, tlp: TlpLevel = 'green', extra: Record<string, unknown> = {}) {
  return indicator(n, T0, { object_marking_refs: [TLP2_MARKING_IDS[tlp]], ...extra })
}

/** Every stored version of the node's shared collection, as `id|modified`. */
export async function versions(node: FedNode): Promise<string[]> {
  const batch = await node.store.queryObjects({
    collectionId: node.collectionId,
    versions: [{ kind: 'all' }],
    limit: 1_000_000,
  })
  return batch.items.map((v) => `${v.id}|${v.version}`)
}

/** A peer's collection as a federation client is given it, for tests that answer its requests by hand. */
export const PEER = {
  apiRoot: 'https://peer.example.org/intel/',
  nodeUrl: 'https://peer.example.org/',
  collection: 'c',
  key: 'k',
  auth: 'bearer' as const,
}

/** A TAXII answer with `body` as its text. */
export const taxiiResponse = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/taxii+json;version=2.1' } })
