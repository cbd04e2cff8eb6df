import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import { CliError } from './errors.js'

/** Why a file the user named cannot be read, in words rather than an errno. */
function unreadable(path: string, error: unknown): CliError {
  const { code, message } = error as NodeJS.ErrnoException
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : message
  return new CliError(`cannot read ${path}: ${why}`, 2)
}

/** The text of a file the user named, or a usage error saying why it cannot be read. */
export function readUserFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw unreadable(path, error)
  }
}

/** Refuses, before anything is opened, a file to be streamed that is missing, a directory or unreadable. */
export function checkReadableFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' })
    accessSync(path, constants.R_OK)
  } catch (error) {
    throw unreadable(path, error)
  }
}
