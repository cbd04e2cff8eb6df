import { type FileHandle, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { SqliteDatabase } from './connection.js'

/**
 * Durable commits without an fsync on the event loop.
 *
 * With `synchronous = FULL` every commit fsyncs the WAL inside better-sqlite3's synchronous call, so
 * the whole node waits ~4 ms per write: while one partner's disclosures reach the disk, no other
 * request makes progress. Instead the connection runs `synchronous = NORMAL` (a commit writes its
 * WAL frames but does not sync them) and every store call, before it resolves, waits until an
 * fdatasync of the WAL file, run on libuv's thread pool, covers every commit made so far. One
 * fdatasync covers all commits before it, so concurrent requests share it (group commit).
 *
 * The guarantee is the one FULL gives, moved to the moment a caller learns of a result: no store call
 * resolves (a write acknowledged, a read's rows handed out, a ledger head signed) while a commit it
 * could observe is not yet on disk. A crash before the fdatasync loses only commits nobody was told
 * about. Checkpoints keep NORMAL's own syncs (WAL before copying, database after).
 */
export class WalDurability {
  readonly #ownChanges: () => number
  readonly #otherCommits: () => number
  readonly #sync: () => Promise<void>
  #seenOwn: number
  #seenOthers: number
  /** Commits observed, and how many of them are known to be on disk. */
  #committed = 0
  #durable = 0
  #syncing: Promise<void> | undefined

  /**
   * `ownChanges`: rows this connection changed so far; `otherCommits`: a counter other connections'
   * commits move; `sync`: makes every commit so far, by anyone, durable.
   */
  constructor(ownChanges: () => number, otherCommits: () => number, sync: () => Promise<void>) {
    this.#ownChanges = ownChanges
    this.#otherCommits = otherCommits
    this.#sync = sync
    this.#seenOwn = ownChanges()
    this.#seenOthers = otherCommits()
  }

  /**
   * Resolves once every commit this connection made before the call is on disk, and with
   * `othersToo`, every commit other connections made (for reads of what they write).
   */
  async settle(othersToo = false): Promise<void> {
    const own = this.#ownChanges()
    const others = othersToo ? this.#otherCommits() : this.#seenOthers
    if (own !== this.#seenOwn || others !== this.#seenOthers) {
      this.#seenOwn = own
      this.#seenOthers = others
      this.#committed++
    }
    const target = this.#committed
    // a sync already running may have started before this commit: then one more is needed
    while (this.#durable < target) await (this.#syncing ?? this.#startSync())
  }

  #startSync(): Promise<void> {
    const covers = this.#committed
    const syncing = this.#sync()
      .then(() => {
        this.#durable = Math.max(this.#durable, covers)
      })
      .finally(() => {
        this.#syncing = undefined
      })
    this.#syncing = syncing
    return syncing
  }
}

/**
 * Switches a WAL-mode file database to NORMAL with a {@link WalDurability} barrier; returns undefined
 * (and leaves `synchronous` alone) for an in-memory database, which has nothing to sync.
 */
export function walDurability(db: SqliteDatabase, path: string): WalDurability | undefined {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return undefined
  db.pragma('synchronous = NORMAL')
  // rows this connection changed, and SQLite's counter of commits by other connections (the ledger
  // writer's, in its worker thread)
  const totalChanges = db.prepare('SELECT total_changes()').pluck()
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  let directorySynced = false
  const fdatasync = async (file: string, directory: boolean) => {
    let handle: FileHandle
    try {
      handle = await open(file, 'r')
    } catch (error) {
      // no WAL file: nothing was written that a sync could save
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    try {
      await (directory ? handle.sync() : handle.datasync())
    } finally {
      await handle.close()
    }
  }
  return new WalDurability(
    () => totalChanges.get() as number,
    () => dataVersion.get() as number,
    async () => {
      await fdatasync(`${path}-wal`, false)
      // the WAL file's directory entry must be on disk too, once
      if (!directorySynced) {
        await fdatasync(dirname(path), true)
        directorySynced = true
      }
    },
  )
}
