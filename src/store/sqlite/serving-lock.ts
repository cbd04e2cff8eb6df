import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { StoreOpenError } from '../errors.js'

/*
 * A SQLite database has one serving process, and a restore must not replace the file under it: the node would
 * keep serving the unlinked old file, losing what it accepts and never seeing the CLI's policy changes. The
 * lock is a write transaction held open on a small SQLite file beside the database, so it follows the database
 * whatever the data directory, and the operating system releases it with the process, even after kill -9.
 */

/** What holds the lock: a serving node, a restore replacing the database, or a migration copying it. */
export type LockHolder = 'serve' | 'restore' | 'migrate'

export interface ServingLock {
  release(): void
}

/** The lock file of the database at `path`. */
export const servingLockPath = (path: string): string => `${path}.lock`

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED'])

function refusal(lock: Database.Database, path: string): StoreOpenError {
  let holder: { pid: number; what: string } | undefined
  try {
    holder = lock.prepare('SELECT pid, what FROM holder').get() as typeof holder
  } catch {
    // the holder is still writing its pid: say so without one
  }
  const pid = holder ? ` (pid ${holder.pid})` : ''
  const busy: Record<string, string> = {
    restore: `a restore is replacing the database ${path}${pid} — wait for it to finish`,
    migrate: `a migration is copying the database ${path}${pid} — wait for it to finish`,
  }
  return new StoreOpenError(
    busy[holder?.what ?? ''] ?? `a node is serving the database ${path}${pid} — stop it first`,
  )
}

/**
 * Takes the lock of the SQLite database at `path` for `holder`, until `release` or the end of the process;
 * refuses with the holder's pid if another process has it.
 */
export function holdSqliteLock(path: string, holder: LockHolder): ServingLock {
  mkdirSync(dirname(path), { recursive: true })
  // a second holder fails within a second rather than wait for the first to stop
  const lock = new Database(servingLockPath(path), { timeout: 1000 })
  try {
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, what TEXT NOT NULL)')
    lock.exec('BEGIN IMMEDIATE')
    lock.prepare('DELETE FROM holder').run()
    lock.prepare('INSERT INTO holder (pid, what) VALUES (?, ?)').run(process.pid, holder)
    // committed so that a refused process can name the holder, then held for good
    lock.exec('COMMIT')
    lock.exec('BEGIN IMMEDIATE')
  } catch (error) {
    const busy = BUSY.has((error as { code?: string }).code ?? '')
    const refused = busy ? refusal(lock, path) : undefined
    lock.close()
    throw refused ?? error
  }
  return { release: () => lock.close() }
}
