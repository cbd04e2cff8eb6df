import { instantRefusal } from '../services/policy-input.js'
import { isIdentifier } from '../stix/identifier.js'
import { isTypeName } from '../stix/names.js'
import { isInstant } from '../store/time.js'
import type { VersionSelector } from '../store/types.js'
import { badRequest } from './errors.js'

/** The TAXII 2.1 filter parameters (spec §3.4), parsed and checked. */
export interface Filters {
  addedAfter?: string
  limit?: number
  next?: string
  ids?: string[]
  types?: string[]
  versions?: VersionSelector[]
  specVersions?: string[]
}

const KNOWN = new Set([
  'added_after',
  'limit',
  'next',
  'match[id]',
  'match[type]',
  'match[version]',
  'match[spec_version]',
])

/**
 * The values of a match[] filter. An empty one is refused: the store reads an empty list as "no filter", so
 * `match[spec_version]=` on a DELETE would remove every version. An empty member (`a,,b`, `a,`) is refused
 * too: it is a mistyped list, and quietly dropping it answers a question the client did not ask.
 */
function list(value: string, name: string): string[] {
  const values = value.split(',').map((s) => s.trim())
  if (values.every((s) => s === '')) throw badRequest(`${name} needs at least one value`)
  if (values.includes('')) throw badRequest(`${name} has an empty value in "${value}"`)
  return values
}

const SPEC_VERSION = /^\d+\.\d+$/

export function parseFilters(params: URLSearchParams, allowed: readonly string[]): Filters {
  const filters: Filters = {}
  for (const name of new Set(params.keys())) {
    // other parameters are ignored, as the spec lets servers do; a filter this server does not know is not,
    // since a misspelt filter read as "no filter" answers with everything
    if (name.startsWith('match[') && !KNOWN.has(name))
      throw badRequest(
        `${name} is not a filter this server knows; this endpoint takes ${allowed.filter((a) => a.startsWith('match[')).join(', ') || 'no match[] filter'}`,
      )
    if (!KNOWN.has(name)) continue
    if (!allowed.includes(name)) throw badRequest(`the ${name} parameter is not supported on this endpoint`)
    const values = params.getAll(name)
    // match[] filters take several values either way (repeated or comma-separated); these take one
    if (values.length > 1 && !name.startsWith('match['))
      throw badRequest(`${name} must be given once, not ${values.length} times`)
    const value = values.join(',')
    switch (name) {
      case 'added_after':
        if (!isInstant(value))
          throw badRequest(
            instantRefusal(
              value,
              'added_after',
              'one RFC 3339 timestamp in UTC, e.g. 2026-01-05T08:00:00.000Z',
            ),
          )
        filters.addedAfter = value
        break
      case 'limit': {
        const n = Number(value)
        if (!/^\d+$/.test(value) || n < 1) throw badRequest('limit must be a positive integer')
        filters.limit = n
        break
      }
      case 'next':
        if (value.length > 2048)
          throw badRequest('next must be one cursor from a previous response', 'invalid-next')
        filters.next = value
        break
      case 'match[id]':
        filters.ids = list(value, name).map((id) => checked(id, isIdentifier, name, 'STIX identifiers'))
        break
      case 'match[type]':
        filters.types = list(value, name).map((t) => checked(t, isTypeName, name, 'STIX type names'))
        break
      case 'match[spec_version]':
        filters.specVersions = list(value, name).map(parseSpecVersion)
        break
      case 'match[version]': {
        const versions = list(value, name).map(parseVersion)
        // TAXII 2.1 §3.4.1: "all" stands alone
        if (versions.length > 1 && versions.some((v) => v.kind === 'all'))
          throw badRequest(`match[version]=all cannot be combined with other versions; got "${value}"`)
        filters.versions = versions
        break
      }
    }
  }
  return filters
}

function checked(value: string, valid: (v: string) => boolean, name: string, what: string): string {
  if (!valid(value)) throw badRequest(`${name} takes ${what}; got "${value}"`)
  return value
}

function parseVersion(value: string): VersionSelector {
  if (value === 'last' || value === 'first' || value === 'all') return { kind: value }
  if (!isInstant(value))
    throw badRequest(`match[version] takes last, first, all or a STIX timestamp; got "${value}"`)
  return { kind: 'at', timestamp: value }
}

function parseSpecVersion(value: string): string {
  if (!SPEC_VERSION.test(value))
    throw badRequest(`match[spec_version] takes STIX specification versions such as 2.1; got "${value}"`)
  return value
}

/** Canonical text of the filters that shape a result set (not the position or page size). */
export function filterKey(filters: Filters): string {
  return JSON.stringify([
    filters.addedAfter ?? null,
    filters.ids ?? null,
    filters.types ?? null,
    filters.versions ?? null,
    filters.specVersions ?? null,
  ])
}

/** Inverse of filterKey, for a request that sends `next` without repeating its filters. */
export function filtersFromKey(key: string): Filters {
  const [addedAfter, ids, types, versions, specVersions] = JSON.parse(key) as [
    string | null,
    string[] | null,
    string[] | null,
    VersionSelector[] | null,
    string[] | null,
  ]
  return {
    ...(addedAfter !== null ? { addedAfter } : {}),
    ...(ids !== null ? { ids } : {}),
    ...(types !== null ? { types } : {}),
    ...(versions !== null ? { versions } : {}),
    ...(specVersions !== null ? { specVersions } : {}),
  }
}

export function hasShapeFilters(filters: Filters): boolean {
  return filterKey(filters) !== filterKey({})
}
