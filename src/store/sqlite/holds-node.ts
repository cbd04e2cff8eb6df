import { statSync } from 'node:fs'
import Database from 'better-sqlite3'

/**
 * Whether the SQLite file at `path` holds a node, read without writing: an empty file, or another
 * program's database, would otherwise become a new node the moment a command opened it. A file SQLite
 * cannot read counts as a node, so that opening it reports why.
 */
export function sqliteHoldsNode(path: string): boolean {
  if (path === ':memory:') return false
  const found = statSync(path, { throwIfNoEntry: false })
  if (found === undefined) return false
  // not a file (a directory, say): opening it reports why
  if (!found.isFile()) return true
  if (found.size === 0) return false
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    return (
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined
    )
  } catch {
    return true
  } finally {
    db?.close()
  }
}
