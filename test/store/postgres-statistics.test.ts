import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgres, type PgPool } from '../../src/store/postgres/connection.js'
import { PostgresStore } from '../../src/store/postgres/postgres-store.js'
import type { IncomingObject } from '../../src/store/types.js'
import { freshPostgresDatabase } from '../helpers/postgres.js'

/**
 * The PostgreSQL store keeps the planner's statistics of its objects table in step with its growth, since
 * without them a page of a collection is planned as a sort of the rest of it (bench/scale: 67.6 against
 * 4.2 ms a page at 10^5). Autovacuum is off for the table here, so only the store can have analyzed it.
 */
const SERVER = process.env.SLUICE_TEST_POSTGRES
const COLLECTION = '3c0b6f5e-8a1d-4f2e-9b7c-5d4e3f2a1b0c'

function indicators(from: number, count: number): IncomingObject[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `indicator--${String(from + i).padStart(8, '0')}-0000-4000-8000-000000000000`
    const created = '2026-03-01T00:00:00.000Z'
    const json = JSON.stringify({ type: 'indicator', spec_version: '2.1', id, created, modified: created })
    return { id, type: 'indicator', created, modified: created, specVersion: '2.1', json }
  })
}

describe.skipIf(!SERVER)('PostgreSQL planner statistics', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>
  let pool: PgPool
  let probe: PgPool
  let store: PostgresStore
  let next = 0
  const add = async (count: number) => {
    for (let left = count; left > 0; left -= 500) {
      await store.putObjects(COLLECTION, indicators(next, Math.min(500, left)))
      next += Math.min(500, left)
    }
    await store.statisticsSettled()
  }
  const statistics = async () => {
    const { rows } = await probe.query<{ rows: number; analyses: number }>(
      `SELECT c.reltuples::bigint AS rows, coalesce(s.analyze_count, 0)::int AS analyses
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'objects'::regclass`,
    )
    return { rows: Number(rows[0]!.rows), analyses: Number(rows[0]!.analyses) }
  }

  beforeAll(async () => {
    db = await freshPostgresDatabase(SERVER!)
    pool = await openPostgres(db.location)
    probe = await openPostgres(db.location, { max: 1 })
    await probe.query('ALTER TABLE objects SET (autovacuum_enabled = false)')
    store = new PostgresStore(pool)
    await store.ensureApiRoot({ name: 'intel', title: 'Intel' })
    await store.createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'Growth', mediaTypes: [] })
  })
  afterAll(async () => {
    await store?.close()
    await probe?.end()
    await db?.drop()
  })

  it('leaves a small table alone, then analyzes it once it holds a thousand rows', async () => {
    await add(500)
    expect(await statistics()).toEqual({ rows: -1, analyses: 0 })
    await add(500)
    expect(await statistics()).toEqual({ rows: 1_000, analyses: 1 })
  })

  it('analyzes a larger table again only once it has grown by a quarter since', async () => {
    await add(7_000)
    const before = await statistics()
    expect(before.rows).toBeGreaterThanOrEqual(4_000)
    const mark = Math.ceil(before.rows * 0.25)
    const pending = next - before.rows
    await add(mark - pending - 1)
    expect((await statistics()).analyses).toBe(before.analyses)
    await add(1)
    expect(await statistics()).toEqual({ rows: next, analyses: before.analyses + 1 })
  })
})
