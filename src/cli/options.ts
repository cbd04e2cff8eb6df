import { type ParseArgsConfig, parseArgs } from 'node:util'
import { CliError } from './errors.js'

/** Options every command that touches the node's data understands. */
export const COMMON_OPTIONS = {
  data: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true })
  } catch (error) {
    throw new CliError((error as Error).message.split('\n')[0]!, 2)
  }
}

/** Flags win over environment variables, which win over defaults. */
export function dataLocation(values: {
  data?: string | boolean | undefined
  db?: string | boolean | undefined
}) {
  const dataDir =
    (typeof values.data === 'string' ? values.data : undefined) ?? process.env.SLUICE_DATA ?? 'data'
  const db = (typeof values.db === 'string' ? values.db : undefined) ?? process.env.SLUICE_DB
  return { dataDir, ...(db ? { db } : {}) }
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new CliError(`--${flag} is required`, 2)
  return value
}
