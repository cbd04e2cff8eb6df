import { toMicros, versionKey } from './time.js'
import type { ObjectQuery, VersionSelector } from './types.js'

/**
 * Builds the WHERE clause of an object query once for every SQL adapter.
 * `param` returns the adapter's placeholder for the next bound value.
 */
export interface SqlFragment {
  where: string
  params: unknown[]
}

export function versionCondition(
  selectors: VersionSelector[] | undefined,
  param: (value: unknown) => string,
): string {
  const list = selectors && selectors.length > 0 ? selectors : [{ kind: 'last' } as const]
  if (list.some((s) => s.kind === 'all')) return ''
  const parts = list.map((s) => {
    switch (s.kind) {
      case 'last':
        return 'is_last = 1'
      case 'first':
        return 'is_first = 1'
      case 'at':
        return atVersion(s.timestamp, param)
      default:
        return '1 = 1'
    }
  })
  return `(${parts.join(' OR ')})`
}

/**
 * The version a client names by timestamp. A versioned object is named by its `modified`; one without is
 * named by its `created`, and one without either (an SCO) by its date_added, as the manifest gives them
 * (TAXII 2.1 §3.4.1). Unversioned rows keep an empty version key, so their `created` is matched as text, in
 * every spelling of the same instant: STIX lets it carry any number of fraction digits.
 */
function atVersion(timestamp: string, param: (value: unknown) => string): string {
  const key = versionKey(timestamp)
  if (key === undefined) return `version_key = ${param(timestamp)}`
  // placeholders may be positional ('?'): bind in the order they appear in the text
  const byKey = param(key)
  const spellings = instantSpellings(key).map(param).join(', ')
  const byAdded = param(toMicros(timestamp))
  return `(version_key = ${byKey} OR (version_key = '' AND (version IN (${spellings}) OR (version IS NULL AND added_us = ${byAdded}))))`
}

/** Every way of writing the instant of a version key: no fraction, or one of 1 to 9 digits, none dropped. */
function instantSpellings(key: string): string[] {
  const base = key.slice(0, 19)
  const digits = key.slice(20, 29).replace(/0+$/, '')
  const spellings: string[] = digits === '' ? [`${base}Z`] : []
  for (let length = Math.max(digits.length, 1); length <= 9; length++)
    spellings.push(`${base}.${digits.padEnd(length, '0')}Z`)
  return spellings
}

/**
 * `column NOT IN (the numbers in the JSON array text bound at placeholder)`, in the adapter's SQL: one
 * statement text whatever the list's length, so prepared statements are reused.
 */
export type NotInJsonList = (column: string, placeholder: string) => string

/**
 * How an adapter writes a column so that its planner will not use an index for that term (SQLite: `+col`).
 * An id lookup needs it: told "this collection, in seq order", SQLite walks the collection's seq index and
 * tests every row against the ids, where the unique key (id first) finds them at once.
 */
export type Unindexed = (column: string) => string

export function objectQueryWhere(
  query: ObjectQuery,
  placeholder: (index: number) => string,
  notInJsonList: NotInJsonList,
  unindexed: Unindexed = (column) => column,
): SqlFragment {
  const params: unknown[] = []
  const param = (value: unknown) => {
    params.push(value)
    return placeholder(params.length)
  }
  const byId = (query.ids?.length ?? 0) > 0
  const column = (name: string) => (byId ? unindexed(name) : name)
  const conditions = [`${column('collection_id')} = ${param(query.collectionId)}`]
  if (query.afterSeq !== undefined) conditions.push(`${column('seq')} > ${param(query.afterSeq)}`)
  if (query.addedAfter !== undefined) conditions.push(`added_us > ${param(toMicros(query.addedAfter) ?? 0)}`)
  if (query.ids?.length) conditions.push(`id IN (${query.ids.map(param).join(', ')})`)
  if (query.types?.length) conditions.push(`type IN (${query.types.map(param).join(', ')})`)
  if (query.specVersions?.length)
    conditions.push(`spec_version IN (${query.specVersions.map(param).join(', ')})`)
  if (query.tlpScreen !== undefined) {
    const { maxTlpRank, unmarked } = query.tlpScreen
    const low = unmarked ? '' : 'tlp_rank >= 0 AND '
    conditions.push(`(tlp_rank IS NULL OR (${low}tlp_rank <= ${param(maxTlpRank)}))`)
  }
  if (query.withoutViews?.length)
    conditions.push(
      `(view_id IS NULL OR ${notInJsonList('view_id', param(JSON.stringify(query.withoutViews)))})`,
    )
  const versions = versionCondition(query.versions, param)
  if (versions) conditions.push(versions)
  return { where: conditions.join(' AND '), params }
}
