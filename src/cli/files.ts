import { accessSync, constants, statSync } from 'node:fs'
import {
  checkWritableFile,
  fileErrorWords,
  NamedFileError,
  readSmallFile,
  writeWholeFile,
} from '../ops/named-file.js'
import { CliError } from './errors.js'

/** The text of a small file the user named (see SMALL_FILE_LIMIT), or a usage error saying why it cannot be read. */
export function readUserFile(path: string): string {
  try {
    return readSmallFile(path).toString('utf8')
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${fileErrorWords(error)}`, 2)
  }
}

/**
 * Refuses, before anything is opened, a file to be streamed that is missing, a directory or unreadable. A FIFO
 * or device passes: a stream reads any size, and `mkfifo` or `/dev/stdin` is how some users pipe into it.
 */
export function checkReadableFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new NamedFileError('it is a directory')
    accessSync(path, constants.R_OK)
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${fileErrorWords(error)}`, 2)
  }
}

/** Refuses, before any work, a file to be written at the end that is a directory or has no directory. */
export function checkOutputFile(path: string): void {
  try {
    checkWritableFile(path)
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${fileErrorWords(error, true)}`, 2)
  }
}

/** Writes a file the user named, whole or not at all; a failure is one line (`cannot write F: no space left on device`). */
export function writeUserFile(path: string, data: string): void {
  try {
    writeWholeFile(path, data)
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${fileErrorWords(error, true)}`)
  }
}
