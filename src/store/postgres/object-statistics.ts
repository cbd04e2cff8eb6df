import type { PgQueryable } from './connection.js'

/** Growth of `objects`, as a share of its size when last analyzed, after which the store analyzes it. */
const GROWTH = 0.25
/** A table this small needs no statistics to be planned well. */
const FIRST_ANALYZE_AT = 1_000

/**
 * Keeps the planner's statistics of `objects` in step with its growth. Until PostgreSQL knows the table
 * (its size, and that seq follows the rows' physical order), it plans a page of a collection as a read of
 * the whole rest of the collection and a sort of it, not as an index walk that stops after one page:
 * 67.6 ms instead of 4.2 ms a page at 10^5 objects, and ingest at a third of its rate, since the writes'
 * own lookups are planned alike (bench/scale). Autovacuum catches up, but up to a minute and a tenth of
 * the table late, which can be the whole of a bulk import. So the store analyzes the table itself once
 * it has grown by a quarter since it was last analyzed, by whichever process: one ANALYZE at a time,
 * after the write that crossed the mark has committed, and never in a writer's way (ANALYZE takes no
 * lock that reads or writes wait for).
 */
export class ObjectStatistics {
  /** Rows this process added since it last looked at the table's statistics. */
  #added = 0
  /** How many of those make it look again: a quarter of the table as last analyzed. */
  #lookAt = FIRST_ANALYZE_AT
  #running: Promise<void> | undefined

  constructor(readonly pool: PgQueryable) {}

  /** Counts rows a committed write added; past the mark, analyzes the table unless another process has. */
  noteAdded(rows: number): void {
    this.#added += rows
    if (this.#running || this.#added < this.#lookAt) return
    this.#running = this.#refresh()
      // statistics are the planner's aid, not the node's data: a failure leaves them to autovacuum
      .catch(() => undefined)
      .finally(() => {
        this.#running = undefined
      })
  }

  /** Resolves once no ANALYZE this store started is running (before its pool closes). */
  async idle(): Promise<void> {
    await this.#running
  }

  async #refresh(): Promise<void> {
    const counted = this.#added
    let { rows, modified } = await this.#state()
    // every process's writes count (the server's figure may lag by a second; this process's own do not)
    if (Math.max(modified, counted) >= markFor(rows)) {
      await this.pool.query('ANALYZE objects')
      ;({ rows } = await this.#state())
    }
    this.#added -= counted
    this.#lookAt = markFor(rows)
  }

  /** The table's rows as of its last ANALYZE or VACUUM, and the rows changed since its last ANALYZE. */
  async #state(): Promise<{ rows: number; modified: number }> {
    const { rows } = await this.pool.query<{ rows: number; modified: number | null }>(
      `SELECT c.reltuples::bigint AS rows, s.n_mod_since_analyze AS modified
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
       WHERE c.oid = 'objects'::regclass`,
    )
    // reltuples is -1 for a table never analyzed or vacuumed (PostgreSQL 14 on)
    return { rows: Math.max(0, Number(rows[0]?.rows ?? 0)), modified: Number(rows[0]?.modified ?? 0) }
  }
}

function markFor(rows: number): number {
  return Math.max(FIRST_ANALYZE_AT, rows * GROWTH)
}
