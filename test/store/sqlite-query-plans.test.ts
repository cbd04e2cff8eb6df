import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqlite } from '../../src/store/sqlite/connection.js'
import { MARKING_DEFINITIONS_QUERY } from '../../src/store/sqlite/sqlite-store.js'

/**
 * Reads whose cost must not grow with the number of object versions. Asserted on SQLite's plan, since a
 * timing at test scale cannot tell a scan of a small table from an index search.
 */
describe('SQLite query plans', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('reads the marking definitions (every policy change does) from their own index, not a scan', () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-plans-'))
    const db = openSqlite(join(dir, 'plans.db'))
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${MARKING_DEFINITIONS_QUERY}`).all() as { detail: string }[]
    db.close()
    expect(plan.map((p) => p.detail)).toEqual(['SCAN objects USING INDEX objects_marking_definitions'])
  })
})
