import { randomUUID } from 'node:crypto'
import { pushableVersions } from '../../federation/push-versions.js'
import { storeReceived } from '../../federation/received.js'
import { prepareObjects } from '../../ingest/prepare.js'
import { describeInexactNumber, iJsonProblems } from '../../stix/i-json.js'
import { formatMicros, nowMicros } from '../../store/time.js'
import type { PutOutcome, StatusDetail, StatusRecord, Store } from '../../store/types.js'
import type { RequestContext } from '../context.js'
import { visibleCollection } from '../context.js'
import { badRequest, forbidden, notFound, TaxiiError } from '../errors.js'
import { type Reply, readBody } from '../http-io.js'
import { parseJsonBody } from '../json-body.js'
import { isTaxiiContentType } from '../media-types.js'
import { parseFilters } from '../query-params.js'
import { statusResource } from './status.js'

/** The objects of a TAXII envelope; a STIX bundle is accepted too, as several clients post bundles. */
function envelopeObjects(body: unknown): unknown[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body must be a TAXII envelope: {"objects": [...]}')
  const objects = (body as { objects?: unknown }).objects
  if (objects === undefined) return []
  if (!Array.isArray(objects)) throw badRequest('"objects" must be an array of STIX objects')
  return objects
}

/**
 * A status detail's `version`, which TAXII requires, for an object without `modified`: when it was added, as
 * the manifest answers; else (not added) its `created`, else when the request arrived.
 */
function statusVersion(posted: readonly unknown[], requestTimestamp: string) {
  const created = new Map<string, string>()
  for (const value of posted) {
    const o = value as Record<string, unknown> | null
    if (o && typeof o === 'object' && typeof o.id === 'string' && typeof o.created === 'string')
      if (!created.has(o.id)) created.set(o.id, o.created)
  }
  return (id: string, dateAdded?: string): string => dateAdded ?? created.get(id) ?? requestTimestamp
}

/**
 * When the versions already stored without `modified` or `created` (SCOs: one version each) were added, which
 * is their version in the manifest; the request's time would name a version the node does not hold.
 */
async function addedBefore(
  store: Store,
  collectionId: string,
  outcomes: readonly PutOutcome[],
): Promise<Map<string, string>> {
  const ids = outcomes.filter((o) => o.result === 'unchanged' && o.version === undefined).map((o) => o.id)
  if (ids.length === 0) return new Map()
  const held = await store.queryObjects({ collectionId, ids, versions: [{ kind: 'all' }], limit: ids.length })
  return new Map(held.items.map((v) => [v.id, v.dateAdded]))
}

export async function postObjects(ctx: RequestContext): Promise<Reply> {
  const { config, store, ingest } = ctx.deps
  if (!isTaxiiContentType(ctx.req.headers['content-type'])) {
    throw new TaxiiError(
      415,
      'Unsupported media type',
      `send the envelope as Content-Type: application/taxii+json;version=2.1`,
      {
        errorCode: 'unsupported-media-type',
      },
    )
  }
  const { collection, access } = await visibleCollection(ctx)
  if (!access.canWrite) throw forbidden('this principal may not add objects to this collection')
  const text = await readBody(ctx.req, config.maxContentLength)
  const objects = envelopeObjects(parseJsonBody(text, config.maxJsonDepth))
  const { repeatedMember: repeated, inexactNumber: inexact } = iJsonProblems(text)
  if (repeated !== undefined)
    throw badRequest(
      `the member "${repeated}" is given twice in one object; STIX content names each member once (I-JSON)`,
      'repeated-member',
    )
  if (inexact !== undefined)
    throw badRequest(`${describeInexactNumber(inexact)}: send it as a string`, 'inexact-number')
  if (objects.length > config.maxObjectsPerRequest) {
    // not 413: a body under max_content_length MUST NOT get one (TAXII 2.1 §4.2.1), and clients split by size
    throw new TaxiiError(
      422,
      'Unprocessable entity',
      `at most ${config.maxObjectsPerRequest} objects per request`,
      { errorCode: 'too-many-objects' },
    )
  }
  // a TAXII timestamp (microseconds, §2): it is the request_timestamp and the version of a detail without one
  const requestTimestamp = formatMicros(nowMicros())
  const prepared = await prepareObjects(objects, ingest)
  // what a partner pushes in is received intelligence: it keeps its provenance, like a feed's
  const viewer = ctx.session.viewer
  const partnerId = viewer.role === 'partner' ? viewer.partnerId : undefined
  const pushed = partnerId
    ? await pushableVersions(store, collection.id, prepared.accepted, partnerId)
    : { accepted: prepared.accepted, refused: [] }
  const outcomes = partnerId
    ? (
        await storeReceived(
          store,
          collection.id,
          pushed.accepted,
          { feedId: 'push', partnerId },
          requestTimestamp,
        )
      ).outcomes
    : await store.putObjects(collection.id, pushed.accepted)
  const successes: StatusDetail[] = []
  const versionOf = statusVersion(objects, requestTimestamp)
  // a partner is not told when its unchanged objects were added: that would say they were here already
  const storedAt = partnerId ? new Map<string, string>() : await addedBefore(store, collection.id, outcomes)
  const failures: StatusDetail[] = [...prepared.rejected, ...pushed.refused].map(
    ({ id, version, message }) => ({
      id,
      version: version ?? versionOf(id),
      ...(message ? { message } : {}),
    }),
  )
  let added = 0
  for (const o of outcomes) {
    const detail = {
      id: o.id,
      version: o.version ?? versionOf(o.id, o.result === 'added' ? o.dateAdded : storedAt.get(o.id)),
    }
    if (o.result === 'conflict') failures.push({ ...detail, message: o.message })
    else {
      if (o.result === 'added') added++
      // a partner is not told which of its objects were here already: it may not see them all
      successes.push(
        o.result === 'unchanged' && !partnerId
          ? { ...detail, message: 'already stored; nothing changed' }
          : detail,
      )
    }
  }
  if (added > 0) ctx.deps.onObjectsAdded?.(collection.id, added)
  const status: StatusRecord = {
    id: randomUUID(),
    apiRoot: ctx.params.apiRoot!,
    principalId: ctx.session.viewer.principalId,
    requestTimestamp,
    status: 'complete',
    successes,
    failures,
    pendings: [],
  }
  await store.putStatus(status)
  return { status: 202, body: JSON.stringify(statusResource(status)) }
}

export async function deleteObject(ctx: RequestContext): Promise<Reply> {
  const { collection } = await visibleCollection(ctx)
  if (ctx.session.viewer.role !== 'admin') throw forbidden('deleting objects needs the admin role')
  const filters = parseFilters(ctx.url.searchParams, ['match[version]', 'match[spec_version]'])
  const removed = await ctx.deps.store.deleteObject(
    collection.id,
    ctx.params.objectId!,
    filters.versions,
    filters.specVersions,
  )
  if (removed === 0) throw notFound('the object')
  return { status: 200, body: '' }
}
