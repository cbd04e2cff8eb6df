import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { getSystemErrorMap } from 'node:util'

/**
 * The largest file `readSmallFile` reads. What it reads (checkpoints, certificates and keys, the objects a
 * partner received) is kilobytes to a few megabytes; the bound keeps a wrong path from exhausting memory.
 */
export const SMALL_FILE_LIMIT = { bytes: 64 * 1024 * 1024, words: '64 MiB' } as const

/** A file someone named that cannot be read or written; the message says why in words, without the path. */
export class NamedFileError extends Error {}

/** Why a file operation failed, in words rather than an errno. */
export function fileErrorWords(error: unknown, writing = false): string {
  if (error instanceof NamedFileError) return error.message
  const { code, errno, message } = error as NodeJS.ErrnoException
  if (code === 'ENOENT') return writing ? 'its directory does not exist' : 'no such file'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  return (errno !== undefined && getSystemErrorMap().get(errno)?.[1]) || message
}

/** What a path is, in words: "a file", "a directory", "a FIFO", "a socket", "a device". */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'a file'
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'something other than a file'
}

function notRegular(stats: Stats): NamedFileError | undefined {
  if (stats.isFile()) return undefined
  if (stats.isDirectory()) return new NamedFileError('it is a directory')
  return new NamedFileError(`it is ${fileKind(stats)}, not a regular file`)
}

const tooLarge = () =>
  new NamedFileError(`it is larger than ${SMALL_FILE_LIMIT.words}, the most read from such a file`)

/**
 * The bytes of a small regular file. A directory, a device such as /dev/zero (endless) or a FIFO (which would
 * wait for a writer) is refused, and so is a file over SMALL_FILE_LIMIT, counted as it is read since some
 * files (/proc) give no size. Throws NamedFileError.
 */
export function readSmallFile(path: string): Buffer {
  let fd: number
  try {
    // non-blocking, so that opening a FIFO returns at once and is refused below instead of waiting
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    throw new NamedFileError(fileErrorWords(error))
  }
  try {
    const stats = fstatSync(fd)
    const refused = notRegular(stats)
    if (refused) throw refused
    if (stats.size > SMALL_FILE_LIMIT.bytes) throw tooLarge()
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024)
      const n = readSync(fd, chunk, 0, chunk.length, null)
      if (n === 0) break
      total += n
      if (total > SMALL_FILE_LIMIT.bytes) throw tooLarge()
      chunks.push(chunk.subarray(0, n))
    }
    return Buffer.concat(chunks, total)
  } catch (error) {
    throw new NamedFileError(fileErrorWords(error))
  } finally {
    closeSync(fd)
  }
}

/**
 * Refuses, before any work, a file to be written later that is a directory or whose directory is missing,
 * so that the mistake costs nothing. Throws NamedFileError.
 */
export function checkWritableFile(path: string): void {
  const stats = statIfAny(path)
  if (stats?.isDirectory()) throw new NamedFileError('it is a directory')
  if (stats) return
  const parent = statIfAny(dirname(path))
  if (!parent) throw new NamedFileError('its directory does not exist')
  if (!parent.isDirectory()) throw new NamedFileError(`${dirname(path)} is not a directory`)
}

function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch (error) {
    throw new NamedFileError(fileErrorWords(error, true))
  }
}

/**
 * Writes `data` as the whole content of `path`. A regular file is replaced only once the new content is on
 * disk (written beside it, then renamed), so a full disk leaves the old content whole: the file is often a
 * kept checkpoint, evidence the user must not lose. A device or FIFO the user named is written as it is.
 * Throws NamedFileError.
 */
export function writeWholeFile(path: string, data: string | Uint8Array): void {
  const existing = statIfAny(path)
  // through a link to what it names, so the link stays a link
  const target = existing ? realpathSync(path) : path
  if (existing?.isDirectory()) throw new NamedFileError('it is a directory')
  if (existing && !existing.isFile()) {
    try {
      writeFileSync(target, data)
    } catch (error) {
      throw new NamedFileError(fileErrorWords(error, true))
    }
    return
  }
  try {
    // renaming over it would succeed where the user made it read-only, perhaps to keep it
    if (existing) accessSync(target, constants.W_OK)
  } catch (error) {
    throw new NamedFileError(fileErrorWords(error, true))
  }
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.partial`)
  try {
    const fd = openSync(partial, 'wx', 0o666)
    try {
      if (existing) fchmodSync(fd, existing.mode & 0o7777)
      writeFileSync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(partial, target)
  } catch (error) {
    rmSync(partial, { force: true })
    throw new NamedFileError(fileErrorWords(error, true))
  }
}
