import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Third-party test data is read in place from ../shared/oracles, never copied into the repo. */
export const ORACLES_DIR = fileURLToPath(new URL('../../shared/oracles/', import.meta.url))

export function oraclePath(relative: string): string {
  return ORACLES_DIR + relative
}

export function readOracleJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(oraclePath(relative), 'utf8')) as T
}
