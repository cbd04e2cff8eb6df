import { createHash } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { GLOBAL_LOG } from '../ledger/log-id.js'
import { holdSqliteLock } from '../store/sqlite/serving-lock.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/types.js'
import { auditLedger, type LogAudit } from './ledger-audit.js'
import { sluiceVersion } from './version.js'

/**
 * A backup is a directory: the database copy, optionally the node's signing
 * key (without it a restored node serves only once given its own key), and a
 * manifest with their hashes and the ledger heads at the time of the copy.
 */
export interface BackupManifest {
  format: 'sluice-backup/1'
  created_at: string
  version: string
  database: { file: string; bytes: number; sha256: string }
  node_key?: { file: string; sha256: string }
  /** Every log's size and root in the copy, recomputed from its leaves. */
  ledger: { log: string; size: number; root: string }[]
}

export class BackupError extends Error {}

const DB_FILE = 'sluice.db'
const KEY_FILE = 'node.key'
const MANIFEST = 'manifest.json'

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(16)
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0'
  } finally {
    closeSync(fd)
  }
}

function integrity(path: string): void {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const result = db.pragma('integrity_check', { simple: true })
    if (result !== 'ok') throw new BackupError(`the copy fails SQLite's integrity check: ${String(result)}`)
  } finally {
    db.close()
  }
}

async function auditCopy(path: string): Promise<LogAudit[]> {
  const copy = new SqliteStore(path)
  try {
    return await auditLedger(copy)
  } finally {
    await copy.close()
  }
}

function ledgerSummary(audits: LogAudit[]): BackupManifest['ledger'] {
  const bad = audits.filter((a) => !a.ok)
  if (bad.length > 0)
    throw new BackupError(
      `the ledger in the copy does not verify: ${bad.map((b) => `${b.logId}: ${b.problems.join('; ')}`).join(' | ')}`,
    )
  return audits
    .map((a) => ({ log: a.logId, size: a.size, root: a.root }))
    .sort((a, b) => (a.log === GLOBAL_LOG ? -1 : b.log === GLOBAL_LOG ? 1 : a.log.localeCompare(b.log)))
}

/**
 * Takes an online backup: the store copies itself (SQLite's backup API, page
 * by page, while requests keep writing), then the copy is checked (integrity,
 * ledger roots recomputed from leaves) before the directory is complete.
 */
export async function backupNode(
  store: Store,
  options: { out: string; keyPath?: string },
): Promise<BackupManifest> {
  if (!store.capabilities.onlineBackup)
    throw new BackupError(
      'this store cannot take an online backup; use its own tools (pg_dump for PostgreSQL)',
    )
  const found = statSync(options.out, { throwIfNoEntry: false })
  if (found !== undefined && !found.isDirectory()) throw new BackupError(`${options.out} is not a directory`)
  if (found !== undefined && readdirSync(options.out).length > 0) {
    // what an interrupted backup leaves is named, so it is not taken for someone else's files
    const interrupted = existsSync(join(options.out, `${DB_FILE}.partial`))
    throw new BackupError(
      interrupted
        ? `${options.out} holds an interrupted backup (${DB_FILE}.partial); remove the directory and back up again`
        : `${options.out} exists and is not empty`,
    )
  }
  mkdirSync(options.out, { recursive: true })
  const partial = join(options.out, `${DB_FILE}.partial`)
  const final = join(options.out, DB_FILE)
  try {
    await store.backup(partial)
    if (!isSqliteFile(partial))
      throw new BackupError('the store wrote something that is not a SQLite database')
    integrity(partial)
    const ledger = ledgerSummary(await auditCopy(partial))
    // opening the copy may leave WAL side files; they are empty after a clean close
    for (const side of ['-wal', '-shm']) rmSync(`${partial}${side}`, { force: true })
    fsyncPath(partial)
    renameSync(partial, final)
    const manifest: BackupManifest = {
      format: 'sluice-backup/1',
      created_at: new Date().toISOString(),
      version: sluiceVersion(),
      database: { file: DB_FILE, bytes: statSync(final).size, sha256: sha256File(final) },
      ledger,
    }
    if (options.keyPath && existsSync(options.keyPath)) {
      const keyCopy = join(options.out, KEY_FILE)
      copyFileSync(options.keyPath, keyCopy)
      chmodSync(keyCopy, 0o600)
      manifest.node_key = { file: KEY_FILE, sha256: sha256File(keyCopy) }
    }
    writeFileSync(join(options.out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
    fsyncPath(join(options.out, MANIFEST))
    return manifest
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
}

export function readManifest(dir: string): BackupManifest {
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BackupManifest
  } catch (error) {
    throw new BackupError(`${dir} holds no readable ${MANIFEST}: ${(error as Error).message}`)
  }
  if (manifest.format !== 'sluice-backup/1')
    throw new BackupError(`unknown backup format ${String(manifest.format)}`)
  return manifest
}

export interface RestoreResult {
  manifest: BackupManifest
  database: string
  keyRestored: boolean
  ledger: LogAudit[]
}

/**
 * Restores a backup into a data directory whose node is stopped: checks the
 * files against the manifest, copies them in (atomically, by rename), then
 * recomputes every ledger root from the restored leaves and compares them
 * with the manifest. Refuses to overwrite an existing database unless `force`.
 */
export async function restoreNode(options: {
  from: string
  dbPath: string
  keyPath?: string
  force?: boolean
}): Promise<RestoreResult> {
  const manifest = readManifest(options.from)
  const source = join(options.from, manifest.database.file)
  if (!existsSync(source) || sha256File(source) !== manifest.database.sha256)
    throw new BackupError('the database file does not match the manifest (damaged or altered)')
  const keySource = manifest.node_key ? join(options.from, manifest.node_key.file) : undefined
  if (keySource && (!existsSync(keySource) || sha256File(keySource) !== manifest.node_key!.sha256))
    throw new BackupError('the node key does not match the manifest (damaged or altered)')
  // held while the files are replaced: a running node would go on serving the old, unlinked database
  const lock = holdSqliteLock(options.dbPath, 'restore')
  try {
    return await restoreUnlocked(options, manifest, source, keySource)
  } finally {
    lock.release()
  }
}

async function restoreUnlocked(
  options: { dbPath: string; keyPath?: string; force?: boolean },
  manifest: BackupManifest,
  source: string,
  keySource: string | undefined,
): Promise<RestoreResult> {
  if (existsSync(options.dbPath) && !options.force)
    throw new BackupError(`${options.dbPath} exists; stop the node and pass --force to replace it`)
  if (keySource && options.keyPath && existsSync(options.keyPath) && !options.force)
    throw new BackupError(`${options.keyPath} exists; pass --force to replace it`)
  const partial = `${options.dbPath}.restoring`
  copyFileSync(source, partial)
  fsyncPath(partial)
  for (const side of ['-wal', '-shm']) rmSync(`${options.dbPath}${side}`, { force: true })
  renameSync(partial, options.dbPath)
  let keyRestored = false
  if (keySource && options.keyPath) {
    copyFileSync(keySource, `${options.keyPath}.restoring`)
    chmodSync(`${options.keyPath}.restoring`, 0o600)
    renameSync(`${options.keyPath}.restoring`, options.keyPath)
    keyRestored = true
  }
  const ledger = await auditCopy(options.dbPath)
  const expected = new Map(manifest.ledger.map((l) => [l.log, l]))
  for (const audit of ledger) {
    const want = expected.get(audit.logId)
    if (!audit.ok)
      throw new BackupError(`the restored log ${audit.logId} does not verify: ${audit.problems.join('; ')}`)
    if (!want || want.size !== audit.size || want.root !== audit.root)
      throw new BackupError(`the restored log ${audit.logId} differs from the manifest`)
  }
  if (ledger.length !== manifest.ledger.length)
    throw new BackupError('the restored database lacks logs the manifest lists')
  return { manifest, database: options.dbPath, keyRestored, ledger }
}
