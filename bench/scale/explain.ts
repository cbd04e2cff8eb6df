/**
 * `EXPLAIN (ANALYZE, BUFFERS)` of the statements the PostgreSQL store really issues.
 *
 * The store is opened on a `CapturingPool`: while armed it records the next statement and its
 * parameters instead of running them, so the bench explains exactly the SQL `queryObjects` builds
 * (no copy of its text here), and the explained page is as cold as a timed sample was.
 */
import pg from 'pg'
import type { PgArrayQuery, PgClient, PgPool, PgResult } from '../../src/store/postgres/connection.js'

export interface Statement {
  text: string
  values: unknown[]
}

/** A pool that passes everything through, except the one statement `capture` asks for. */
export class CapturingPool implements PgPool {
  #armed = false
  #captured: Statement | undefined

  constructor(private readonly inner: PgPool) {}

  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgResult<R>>
  query(query: PgArrayQuery): Promise<PgResult<unknown[]>>
  async query(statement: string | PgArrayQuery, values?: unknown[]): Promise<PgResult<unknown>> {
    if (!this.#armed)
      return typeof statement === 'string' ? this.inner.query(statement, values) : this.inner.query(statement)
    this.#armed = false
    this.#captured =
      typeof statement === 'string'
        ? { text: statement, values: values ?? [] }
        : { text: statement.text, values: statement.values }
    return { rows: [], rowCount: 0 }
  }

  connect(): Promise<PgClient> {
    return this.inner.connect()
  }

  end(): Promise<void> {
    return this.inner.end()
  }

  /** The statement `work` sends through the pool (its first one), not run. */
  async capture(work: () => Promise<unknown>): Promise<Statement> {
    this.#armed = true
    this.#captured = undefined
    try {
      await work()
    } finally {
      this.#armed = false
    }
    if (!this.#captured) throw new Error('no statement went through the pool')
    return this.#captured
  }
}

/** What one `EXPLAIN (ANALYZE, BUFFERS)` says about one statement. */
export interface Explained {
  /** Node types from the top, e.g. `Limit > Index Scan objects_by_type`. */
  plan: string
  rows: number
  /** Rows the scan read and dropped on its filter (e.g. `is_last = 1`). */
  removedByFilter: number
  sharedHit: number
  sharedRead: number
  sharedDirtied: number
  /** Time spent reading blocks that missed shared_buffers (needs track_io_timing). */
  ioReadMs: number | undefined
  planningMs: number
  executionMs: number
}

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  'Actual Rows': number
  'Rows Removed by Filter'?: number
  'Shared Hit Blocks': number
  'Shared Read Blocks': number
  'Shared Dirtied Blocks': number
  'I/O Read Time'?: number
  'Shared I/O Read Time'?: number
  Plans?: PlanNode[]
}

interface PlanJson {
  Plan: PlanNode
  'Planning Time': number
  'Execution Time': number
}

/** A connection of its own, with track_io_timing on when the role may set it. */
export async function explainClient(url: string): Promise<{ client: pg.Client; ioTiming: boolean }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const ioTiming = await client.query('SET track_io_timing = on').then(
    () => true,
    () => false,
  )
  return { client, ioTiming }
}

export async function explain(client: pg.Client, statement: Statement): Promise<Explained> {
  const { rows } = await client.query<{ 'QUERY PLAN': PlanJson[] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.text}`,
    statement.values,
  )
  const json = rows[0]!['QUERY PLAN'][0]!
  const top = json.Plan
  const shape: string[] = []
  let removedByFilter = 0
  for (let node: PlanNode | undefined = top; node; node = node.Plans?.[0]) {
    shape.push(node['Index Name'] ? `${node['Node Type']} ${node['Index Name']}` : node['Node Type'])
    removedByFilter += node['Rows Removed by Filter'] ?? 0
  }
  const ioRead = top['I/O Read Time'] ?? top['Shared I/O Read Time']
  return {
    plan: shape.join(' > '),
    rows: top['Actual Rows'],
    removedByFilter,
    sharedHit: top['Shared Hit Blocks'],
    sharedRead: top['Shared Read Blocks'],
    sharedDirtied: top['Shared Dirtied Blocks'],
    ioReadMs: ioRead,
    planningMs: json['Planning Time'],
    executionMs: json['Execution Time'],
  }
}

/** Means over the samples of one query kind at one size (each plan seen, once). */
export interface ExplainSummary extends Omit<Explained, 'plan'> {
  samples: number
  plans: string[]
  /** The same statement explained again right after: every block it needs is now cached. */
  repeatExecutionMs: number
  repeatSharedRead: number
}

export function summarize(first: Explained[], repeat: Explained[]): ExplainSummary {
  const mean = (list: Explained[], pick: (e: Explained) => number) =>
    list.reduce((sum, e) => sum + pick(e), 0) / list.length
  const timed = first.every((e) => e.ioReadMs !== undefined)
  return {
    samples: first.length,
    plans: [...new Set(first.map((e) => e.plan))],
    rows: mean(first, (e) => e.rows),
    removedByFilter: mean(first, (e) => e.removedByFilter),
    sharedHit: mean(first, (e) => e.sharedHit),
    sharedRead: mean(first, (e) => e.sharedRead),
    sharedDirtied: mean(first, (e) => e.sharedDirtied),
    ioReadMs: timed ? mean(first, (e) => e.ioReadMs!) : undefined,
    planningMs: mean(first, (e) => e.planningMs),
    executionMs: mean(first, (e) => e.executionMs),
    repeatExecutionMs: mean(repeat, (e) => e.executionMs),
    repeatSharedRead: mean(repeat, (e) => e.sharedRead),
  }
}
