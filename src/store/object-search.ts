import { OBJECT_COLUMNS, type ObjectRow, toStoredVersion } from './rows.js'
import type { ObjectSearch, ObjectSearchBatch } from './types.js'

/**
 * The SQL behind `Store.searchObjects`, built once for every SQL adapter. The adapter supplies its
 * placeholders and the three conditions whose spelling differs between dialects; the shape of the
 * queries (a bounded window in sequence order, then the filters inside it) is the same everywhere.
 */
export interface SearchDialect {
  placeholder(index: number): string
  /** True when the JSON text contains `needle` (already ASCII-lowercased), ignoring ASCII case. */
  containsText(needle: string): string
  /** True when the object's `labels` array holds `label`. */
  hasLabel(label: string): string
  /** True when the object's `object_marking_refs` holds any of `markings` (bound with `param`). */
  hasMarking(markings: string[], param: (value: unknown) => string): string
}

export interface SearchSql {
  /** Matches inside the window, in sequence order, at most `limit`. */
  matches: { sql: string; params: unknown[] }
  /** How many versions of the window lie at or before a bound, and the last of them. */
  window(upTo: number | undefined): { sql: string; params: unknown[] }
  /** How many versions the base filters match in the whole collection (for "searched N of M"). */
  total: { sql: string; params: unknown[] }
  /** False when only the indexed filters apply, so the window need be no longer than the page. */
  filtered: boolean
}

/** Lowercases A–Z only: the case folding `searchObjects` promises, identical in every dialect and in JS. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase())
}

function objectSearchSql(query: ObjectSearch, columns: string, dialect: SearchDialect): SearchSql {
  const base = (params: unknown[], withSeq: boolean) => {
    const param = (value: unknown) => {
      params.push(value)
      return dialect.placeholder(params.length)
    }
    const conditions = [`collection_id = ${param(query.collectionId)}`, 'is_last = 1']
    if (withSeq && query.afterSeq !== undefined) conditions.push(`seq > ${param(query.afterSeq)}`)
    if (query.types?.length) conditions.push(`type IN (${query.types.map(param).join(', ')})`)
    return { where: conditions.join(' AND '), param }
  }

  const params: unknown[] = []
  const { where, param } = base(params, true)
  // placeholders in text order (SQLite's are positional): base, the window's length, the filters, the limit
  const hasResidual =
    query.label !== undefined || query.markings !== undefined || (query.text ?? []).some((t) => t !== '')
  const scan = hasResidual ? query.scanLimit : Math.min(query.scanLimit, query.limit)
  const windowParam = param(scan)
  const residual: string[] = []
  if (query.label !== undefined) residual.push(dialect.hasLabel(param(query.label)))
  if (query.markings !== undefined) {
    if (query.markings.length === 0) residual.push('1 = 0')
    else residual.push(dialect.hasMarking(query.markings, param))
  }
  for (const needle of query.text ?? []) {
    if (needle !== '') residual.push(dialect.containsText(param(asciiLower(needle))))
  }
  const filtered = hasResidual
  const limitParam = param(query.limit)
  const matches = {
    sql: `SELECT ${columns} FROM (SELECT ${columns} FROM objects WHERE ${where} ORDER BY seq LIMIT ${windowParam}) w
          ${filtered ? `WHERE ${residual.join(' AND ')}` : ''} ORDER BY seq LIMIT ${limitParam}`,
    params,
  }

  const window = (upTo: number | undefined) => {
    const p: unknown[] = []
    const b = base(p, true)
    const bound = upTo === undefined ? '' : ` AND seq <= ${b.param(upTo)}`
    const lim = b.param(scan)
    return {
      sql: `SELECT count(*) AS n, max(seq) AS last FROM (SELECT seq FROM objects WHERE ${b.where}${bound} ORDER BY seq LIMIT ${lim}) w`,
      params: p,
    }
  }

  const totalParams: unknown[] = []
  const totalWhere = base(totalParams, false).where
  return {
    matches,
    window,
    total: { sql: `SELECT count(*) AS n FROM objects WHERE ${totalWhere}`, params: totalParams },
    filtered,
  }
}

/**
 * Runs a search with the adapter's `all` (rows of a query): the matches, then, to know where the caller
 * goes on and how much was examined, the window up to the last match (or the whole window).
 */
export async function runSearch(
  query: ObjectSearch,
  dialect: SearchDialect,
  all: (sql: string, params: unknown[]) => Promise<unknown[]> | unknown[],
): Promise<ObjectSearchBatch> {
  const sql = objectSearchSql(query, OBJECT_COLUMNS, dialect)
  const rows = (await all(sql.matches.sql, sql.matches.params)) as ObjectRow[]
  const items = rows.map(toStoredVersion)
  const full = items.length >= query.limit
  const w = sql.window(full ? items.at(-1)!.seq : undefined)
  const [stats] = (await all(w.sql, w.params)) as { n: number | string; last: number | string | null }[]
  const scanned = Number(stats?.n ?? 0)
  const windowLength = sql.filtered ? query.scanLimit : Math.min(query.scanLimit, query.limit)
  let total: number | undefined
  if (query.withTotal) {
    const [t] = (await all(sql.total.sql, sql.total.params)) as { n: number | string }[]
    total = Number(t?.n ?? 0)
  }
  return {
    items,
    scanned,
    ...(stats?.last != null ? { lastSeq: Number(stats.last) } : {}),
    // a full page may have stopped inside the window; a short one read the window to its end
    exhausted: !full && scanned < windowLength,
    ...(total !== undefined ? { total } : {}),
  }
}
