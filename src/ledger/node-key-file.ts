import { constants } from 'node:fs'
import { open, readFile, stat } from 'node:fs/promises'
import { LedgerError } from './errors.js'
import { formatSignerKey, type NodeSigningKey, parseSignerKey } from './note-key.js'

// The node key file holds one line: the signer key string `PRIVATE+KEY+<name>+<hex id>+<base64>`.

/** Writes the key to `path` with mode 0600; refuses to overwrite an existing file unless `overwrite`. */
export async function writeNodeKeyFile(
  path: string,
  key: NodeSigningKey,
  options: { overwrite?: boolean } = {},
) {
  const flags =
    constants.O_WRONLY | constants.O_CREAT | (options.overwrite ? constants.O_TRUNC : constants.O_EXCL)
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, flags, 0o600)
  } catch (error) {
    throw new LedgerError('key_file', `cannot create key file ${path}: ${(error as Error).message}`)
  }
  try {
    await handle.chmod(0o600)
    await handle.writeFile(`${formatSignerKey(key)}\n`, 'utf8')
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
  return parseSignerKey(text.trim())
}
