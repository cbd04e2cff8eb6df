import { ALLOWED, hasRole, roleList } from '../../auth/roles.js'
import { decodeEntry } from '../../ledger/entry.js'
import { toBase64 } from '../../ledger/hash.js'
import { keyChangesJson } from '../../ledger/key-change.js'
import { GLOBAL_LOG, type LogId, partnerLogId } from '../../ledger/log-id.js'
import type { NodeServices } from '../../server/services.js'
import { keyChangeEvidence } from '../../services/key-changes.js'
import { knownLog } from '../../services/known-log.js'
import type { PolicyService } from '../../services/policy-service.js'
import { isTimestamp } from '../../stix/timestamp.js'
import type { PrincipalRecord } from '../../store/types.js'
import { badRequest, forbidden, notFound } from '../errors.js'
import type { JsonRoute } from './json-api.js'

const MAX_ENTRIES = 1000

function integer(value: string | null, name: string): number {
  if (value === null || !/^(0|[1-9]\d*)$/.test(value))
    throw badRequest(`${name} must be a non-negative integer in decimal, without leading zeros`)
  // past 2^53 - 1 a number is no longer exact here, and no log holds that many entries
  if (!Number.isSafeInteger(Number(value))) throw badRequest(`${name} ${value} is beyond any log's size`)
  return Number(value)
}

/** The version a disclosure question names: a STIX timestamp, `null` for none, absent (undefined) for every one. */
function modifiedParam(value: string | null): string | null | undefined {
  if (value === null) return undefined
  if (value === 'null') return null
  if (!isTimestamp(value))
    throw badRequest('modified must be a STIX timestamp such as 2026-01-05T08:00:00.000Z, or null')
  return value
}

/**
 * Which log a request names, if the principal may read it and the node keeps it: partners read their own
 * log, and of the global log what holds only hashes (checkpoints and consistency proofs), so that they can
 * check it only grew without seeing other partners' entries. Any other log is refused alike whether the
 * node keeps it or not.
 */
async function logFor(
  policy: PolicyService,
  principal: PrincipalRecord,
  url: URL,
  globalToo: boolean,
): Promise<LogId> {
  const requested =
    url.searchParams.get('log') ??
    (principal.role === 'partner' ? partnerLogId(principal.partnerId!) : GLOBAL_LOG)
  if (requested === '') throw badRequest('log must be global or partner:ID, not empty')
  if (hasRole(principal, ALLOWED.ledgerAll)) return knownLog(policy, requested)
  const own = partnerLogId(principal.partnerId!)
  if (requested === own || (globalToo && requested === GLOBAL_LOG)) return requested
  throw forbidden(
    globalToo
      ? "a partner may read the global log's checkpoints and consistency proofs, and its own log"
      : 'a partner may read entries and inclusion proofs of its own log only',
  )
}

/** The ledger API: checkpoints, proofs and entries a recipient verifies without trusting the node. */
export function ledgerRoutes(services: NodeServices): JsonRoute[] {
  const { ledger, store, policy } = services
  const everyone = roleList(ALLOWED.ledger)
  const proofText = (proof: Uint8Array[]) => proof.map(toBase64)
  return [
    {
      method: 'GET',
      path: ['key'],
      roles: everyone,
      // the changes let a recipient holding an earlier key follow to this one (ledger/key-change.ts)
      handle: async () => ({
        origin: ledger.origin,
        vkey: (await ledger.signingKey()).vkey,
        changes: keyChangesJson(await keyChangeEvidence(ledger)),
      }),
    },
    {
      method: 'GET',
      path: ['logs'],
      roles: everyone,
      handle: async ({ principal }) => {
        const logs = await store.ledgerLogs()
        return hasRole(principal, ALLOWED.ledgerAll)
          ? logs
          : logs.filter((l) => l.logId === GLOBAL_LOG || l.logId === partnerLogId(principal.partnerId!))
      },
    },
    {
      method: 'GET',
      path: ['checkpoint'],
      roles: everyone,
      handle: async ({ principal, url }) => {
        const log = await logFor(policy, principal, url, true)
        const c = await ledger.latestCheckpoint(log)
        return {
          log,
          origin: ledger.originOf(log),
          size: c.size,
          created_at: c.createdAt,
          checkpoint: c.note,
        }
      },
    },
    {
      method: 'GET',
      path: ['checkpoints'],
      roles: everyone,
      handle: async ({ principal, url }) => {
        const log = await logFor(policy, principal, url, true)
        return (await store.listCheckpoints(log, 100)).map((c) => ({
          log,
          size: c.size,
          created_at: c.createdAt,
          checkpoint: c.note,
        }))
      },
    },
    {
      method: 'GET',
      path: ['inclusion'],
      roles: everyone,
      handle: async ({ principal, url }) => {
        const log = await logFor(policy, principal, url, false)
        const head = await store.ledgerHead(log)
        const object = url.searchParams.get('object')
        if (object === '') throw badRequest('object must be an object id, not empty')
        const sized = url.searchParams.has('size')
        // nothing asked of an empty log can be in it: not found, as for any entry the log does not hold
        if (head.size === 0 && !sized) throw notFound(`an entry of the empty log ${log}`)
        const size = sized ? integer(url.searchParams.get('size'), 'size') : head.size
        if (size > head.size || size === 0)
          throw badRequest(`size must be between 1 and the log size ${head.size}`)
        const byIndex = url.searchParams.has('index')
        if (byIndex === (object !== null)) throw badRequest('give either index or object (with modified)')
        if (byIndex && url.searchParams.has('modified'))
          throw badRequest('modified goes with object, not index')
        const modified = modifiedParam(url.searchParams.get('modified'))
        const index = byIndex ? integer(url.searchParams.get('index'), 'index') : undefined
        // by instant, not text: 2026-01-01T00:00:00Z names the version stored as 2026-01-01T00:00:00.000Z
        const leaves =
          index === undefined
            ? await ledger.findDisclosures(log, object!, modified)
            : await store.ledgerLeaves(log, index, index + 1)
        const proofs = []
        for (const leaf of leaves.filter((l) => l.index < size)) {
          proofs.push({
            index: leaf.index,
            size,
            entry: decodeEntry(leaf.bytes),
            leaf: toBase64(leaf.bytes),
            proof: proofText(await ledger.proveInclusion(log, leaf.index, size)),
          })
        }
        // a well-formed question about an entry the log does not hold: not found, not a bad request
        const wanted =
          index !== undefined
            ? `entry ${index}`
            : modified === undefined
              ? `a disclosure of ${object}`
              : `a disclosure of ${object} modified ${modified ?? 'null'}`
        if (proofs.length === 0) throw notFound(`${wanted} in ${log} at size ${size}`)
        return { log, proofs }
      },
    },
    {
      method: 'GET',
      path: ['consistency'],
      roles: everyone,
      handle: async ({ principal, url }) => {
        const log = await logFor(policy, principal, url, true)
        const from = integer(url.searchParams.get('from'), 'from')
        const to = integer(url.searchParams.get('to'), 'to')
        const head = await store.ledgerHead(log)
        if (from < 1 || from > to || to > head.size) throw badRequest(`need 1 <= from <= to <= ${head.size}`)
        return { log, from, to, proof: proofText(await ledger.proveConsistency(log, from, to)) }
      },
    },
    {
      method: 'GET',
      path: ['entries'],
      roles: everyone,
      handle: async ({ principal, url }) => {
        const log = await logFor(policy, principal, url, false)
        const start = integer(url.searchParams.get('start') ?? '0', 'start')
        const asked = url.searchParams.has('end')
          ? integer(url.searchParams.get('end'), 'end')
          : Math.min(start + 100, Number.MAX_SAFE_INTEGER)
        // an empty answer to a reversed range would read as "the log holds nothing there"
        if (asked < start) throw badRequest(`end (${asked}) must not be below start (${start})`)
        const end = Math.min(asked, start + MAX_ENTRIES)
        return (await store.ledgerLeaves(log, start, end)).map((l) => ({
          index: l.index,
          entry: decodeEntry(l.bytes),
          leaf: toBase64(l.bytes),
        }))
      },
    },
  ]
}
