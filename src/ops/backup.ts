import { createHash } from 'node:crypto'
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { GLOBAL_LOG } from '../ledger/log-id.js'
import { StoreOpenError } from '../store/errors.js'
import { holdSqliteLock, type ServingLock, servingLockPath } from '../store/sqlite/serving-lock.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/types.js'
import { auditLedger, type LogAudit } from './ledger-audit.js'
import { fileErrorWords, fileKind, type NamedFileError, readSmallFile } from './named-file.js'
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

/** What `path` is, or undefined where nothing is there (a missing directory on the way included). */
function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined
    throw new BackupError(`cannot look at ${path}: ${fileErrorWords(error)}`)
  }
}

/**
 * The directories that `dir` needs and that do not exist yet, outermost first, once checked that they
 * can be made: the nearest one that exists must be a directory this process may write in. Refused here,
 * a file on the way or a read-only directory costs nothing; found by mkdir, it would leave half a restore.
 * `what` is the file or directory they are for, named in the refusal.
 */
function missingDirectories(dir: string, what: string): string[] {
  const missing: string[] = []
  let at = resolve(dir)
  let found = statIfAny(at)
  for (; found === undefined; found = statIfAny(at)) {
    missing.unshift(at)
    at = dirname(at)
  }
  if (!found.isDirectory()) throw new BackupError(`cannot write ${what}: ${at} is not a directory`)
  try {
    accessSync(at, constants.W_OK)
  } catch (error) {
    throw new BackupError(`cannot write ${what} in ${at}: ${fileErrorWords(error, true)}`)
  }
  return missing
}

/**
 * Makes the directories missingDirectories named, one level at a time: Node's recursive mkdirSync
 * never returns where mkdir fails with ENOENT under an existing directory (/proc).
 */
function makeDirectories(dirs: string[], mode?: number): void {
  for (const dir of dirs)
    try {
      mkdirSync(dir, mode === undefined ? {} : { mode })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statIfAny(dir)?.isDirectory()) continue
      throw new BackupError(`cannot create the directory ${dir}: ${fileErrorWords(error, true)}`)
    }
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
  const found = statIfAny(options.out)
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
  makeDirectories(missingDirectories(options.out, options.out))
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
  const found = statIfAny(dir)
  if (found === undefined) throw new BackupError(`no backup at ${dir} (it does not exist)`)
  if (!found.isDirectory())
    throw new BackupError(`no backup at ${dir} (it is ${fileKind(found)}, not a directory)`)
  let text: string
  try {
    // bounded, and a FIFO in its place is refused rather than waited on
    text = readSmallFile(join(dir, MANIFEST)).toString('utf8')
  } catch (error) {
    const words = (error as NamedFileError).message
    throw new BackupError(
      words === 'no such file'
        ? `no backup at ${dir} (no ${MANIFEST})`
        : `cannot read ${join(dir, MANIFEST)}: ${words}`,
    )
  }
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(text) as BackupManifest
  } catch {
    throw new BackupError(`${join(dir, MANIFEST)} is not JSON; it is not a backup manifest`)
  }
  if (typeof manifest?.format !== 'string')
    throw new BackupError(`${join(dir, MANIFEST)} is not a Sluice backup manifest`)
  if (manifest.format !== 'sluice-backup/1')
    throw new BackupError(`unknown backup format ${manifest.format} in ${join(dir, MANIFEST)}`)
  // the files it names are read from the backup directory itself, never from elsewhere
  const plain = (f: unknown) =>
    typeof f === 'string' && f !== '' && basename(f) === f && f !== '.' && f !== '..'
  if (
    !plain(manifest.database?.file) ||
    (manifest.node_key !== undefined && !plain(manifest.node_key?.file)) ||
    !Array.isArray(manifest.ledger)
  )
    throw new BackupError(`${join(dir, MANIFEST)} is incomplete or names files outside the backup`)
  return manifest
}

/** Checks a file of the backup against the manifest; a FIFO in its place is refused, not read. */
function checkBackupFile(dir: string, entry: { file: string; sha256: string }, what: string): string {
  const path = join(dir, entry.file)
  const found = statIfAny(path)
  if (found === undefined) throw new BackupError(`the backup lacks ${what} (${path} is missing)`)
  if (!found.isFile()) throw new BackupError(`${path} is ${fileKind(found)}, not ${what}`)
  if (sha256File(path) !== entry.sha256)
    throw new BackupError(`${what} does not match the manifest (damaged or altered)`)
  return path
}

/**
 * Refuses, before anything is written, a file restore would replace that it must not: anything but a
 * regular file (a directory, a FIFO, a device, a socket, or a link to one), an existing file without
 * `force`, and a place where the file and its directories cannot be made. Returns the directories to make.
 */
function checkTarget(path: string, what: string, force: boolean, hint: string): string[] {
  if (path.endsWith('/') || path.endsWith('\\'))
    throw new BackupError(`${path} names a directory; name the ${what} file`)
  const found = statIfAny(path)
  if (found !== undefined && !found.isFile())
    throw new BackupError(
      `${path} is ${fileKind(found)}, not a regular file; restore replaces only a ${what} file`,
    )
  if (found !== undefined && !force) throw new BackupError(`${path} exists; ${hint}`)
  // beside it: the copy that is renamed into place, and for the database the lock restore takes
  for (const side of [`${path}.restoring`, `${path}.lock`]) {
    const there = statIfAny(side)
    if (there !== undefined && !there.isFile())
      throw new BackupError(`${side} is ${fileKind(there)} in the way of the restore; remove it`)
  }
  return missingDirectories(dirname(path), path)
}

export interface RestoreResult {
  manifest: BackupManifest
  database: string
  keyRestored: boolean
  ledger: LogAudit[]
}

/**
 * Restores a backup into a data directory whose node is stopped: checks the backup against the manifest
 * and every target before writing anything, makes missing directories (the key's private, as a node's
 * first start does), copies both files in beside their targets, recomputes every ledger root of the copy
 * and compares them with the manifest, and only then renames the database and the key into place
 * together, so that a failure leaves the old files (or none) and never a database without its key.
 * Refuses to overwrite an existing database or key unless `force`.
 */
export async function restoreNode(options: {
  from: string
  dbPath: string
  keyPath?: string
  force?: boolean
}): Promise<RestoreResult> {
  const manifest = readManifest(options.from)
  const force = options.force === true
  const source = checkBackupFile(
    options.from,
    manifest.database,
    `the database file ${manifest.database.file}`,
  )
  const keySource = manifest.node_key
    ? checkBackupFile(options.from, manifest.node_key, `the node key ${manifest.node_key.file}`)
    : undefined
  const dbDirs = checkTarget(
    options.dbPath,
    'database',
    force,
    'stop the node and pass --force to replace it',
  )
  const keyPath = keySource ? options.keyPath : undefined
  const keyDirs = keyPath ? checkTarget(keyPath, 'node key', force, 'pass --force to replace it') : []

  const made: string[] = []
  const lockPath = servingLockPath(options.dbPath)
  const lockExisted = existsSync(lockPath)
  const staged = [`${options.dbPath}.restoring`, ...(keyPath ? [`${keyPath}.restoring`] : [])]
  let placed = false
  let lock: ServingLock | undefined
  try {
    // the key's directory first and private, as writeNodeKeyFile makes it; the data directory is often both
    makeDirectories(keyDirs, 0o700)
    made.push(...keyDirs)
    // counted once where the two share directories, so the cleanup below removes only what was made
    const dbMissing = dbDirs.filter((d) => !existsSync(d))
    makeDirectories(dbMissing)
    made.push(...dbMissing)
    // held while the files are replaced: a running node would go on serving the old, unlinked database
    lock = holdSqliteLock(options.dbPath, 'restore')
    const result = await restoreLocked({ ...options, keyPath }, manifest, source, keySource)
    placed = true
    return result
  } catch (error) {
    if (error instanceof BackupError || error instanceof StoreOpenError) throw error
    const words = (error as { code?: unknown }).code ? fileErrorWords(error, true) : (error as Error).message
    throw new BackupError(`cannot restore into ${options.dbPath}: ${words}`)
  } finally {
    lock?.release()
    if (!placed) {
      // what this restore made and did not fill is removed, so a refusal leaves nothing behind
      for (const p of staged) for (const side of ['', '-wal', '-shm']) rmSync(`${p}${side}`, { force: true })
      if (!lockExisted) rmSync(lockPath, { force: true })
      for (const dir of made.reverse()) tryRmdir(dir)
    }
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir)
  } catch {
    // not empty (someone else's files) or already gone: left as it is
  }
}

async function restoreLocked(
  options: { dbPath: string; keyPath?: string | undefined },
  manifest: BackupManifest,
  source: string,
  keySource: string | undefined,
): Promise<RestoreResult> {
  const partial = `${options.dbPath}.restoring`
  copyFileSync(source, partial)
  const ledger = await auditCopy(partial)
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
  // opening the copy may leave WAL side files; they are empty after a clean close
  for (const side of ['-wal', '-shm']) rmSync(`${partial}${side}`, { force: true })
  fsyncPath(partial)
  const keyPartial = options.keyPath ? `${options.keyPath}.restoring` : undefined
  if (keySource && keyPartial) {
    copyFileSync(keySource, keyPartial)
    chmodSync(keyPartial, 0o600)
    fsyncPath(keyPartial)
  }
  // both copies are whole on disk: the renames put them in place together
  for (const side of ['-wal', '-shm']) rmSync(`${options.dbPath}${side}`, { force: true })
  renameSync(partial, options.dbPath)
  if (keyPartial) renameSync(keyPartial, options.keyPath!)
  return { manifest, database: options.dbPath, keyRestored: keyPartial !== undefined, ledger }
}
