import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { LedgerError } from './errors.js'
import { formatSignerKey, type NodeSigningKey, parseSignerKey } from './note-key.js'

// The node key file holds one line: the signer key string `PRIVATE+KEY+<name>+<hex id>+<base64>`.

/**
 * Writes the key to `path` with mode 0600; refuses to overwrite an existing file unless `overwrite`.
 * The key is written whole under a temporary name and then moved into place, so a process that dies
 * half-way never leaves half a key at `path`, which every later start would stumble over.
 */
export async function writeNodeKeyFile(
  path: string,
  key: NodeSigningKey,
  options: { overwrite?: boolean } = {},
) {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    // a key "created on first start" at SLUICE_NODE_KEY=/etc/sluice/node.key gets its directory too, private
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    try {
      await handle.chmod(0o600)
      await handle.writeFile(`${formatSignerKey(key)}\n`, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (options.overwrite) await rename(temporary, path)
    else await placeOnce(temporary, path)
    await syncDirectory(dirname(path))
  } catch (error) {
    throw new LedgerError('key_file', `cannot create key file ${path}: ${(error as Error).message}`)
  } finally {
    // best effort: where the directory could not be made, there is nothing to remove and rm would throw
    await rm(temporary, { force: true }).catch(() => undefined)
  }
}

/** Gives `from`'s content the name `to` unless `to` exists: a hard link is atomic and never replaces. */
async function placeOnce(from: string, to: string): Promise<void> {
  try {
    await link(from, to)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // file systems without hard links: an exclusive copy, still refusing an existing key
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error
    await copyFile(from, to, constants.COPYFILE_EXCL)
  }
}

/** Makes the new name durable: without it, a crash could lose a key the store already records. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined)
  if (handle === undefined) return
  try {
    await handle.sync()
  } catch {
    // some platforms cannot sync a directory; the file itself is synced
  } finally {
    await handle.close()
  }
}

/**
 * Reads a node key file. On POSIX systems a file readable or writable by group or others is refused:
 * the key signs every checkpoint of the node.
 */
export async function readNodeKeyFile(path: string): Promise<NodeSigningKey> {
  let text: string
  try {
    if (process.platform !== 'win32') {
      const mode = (await stat(path)).mode & 0o777
      if ((mode & 0o077) !== 0) {
        throw new LedgerError('key_file', `key file ${path} has mode ${mode.toString(8)}; it must be 600`)
      }
    }
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof LedgerError) throw error
    throw new LedgerError('key_file', `cannot read key file ${path}: ${(error as Error).message}`)
  }
  try {
    return parseSignerKey(text.trim())
  } catch (error) {
    if (error instanceof LedgerError)
      throw new LedgerError('key_file', `key file ${path} holds no usable key: ${error.message}`)
    throw error
  }
}
