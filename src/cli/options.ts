import { statSync } from 'node:fs'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { instantOr, PolicyInputError } from '../services/policy-input.js'
import { CliError } from './errors.js'

/** Options every command that touches the node's data understands. */
export const COMMON_OPTIONS = {
  data: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

/** A usage error about the command's arguments; main.ts names the command, which only it knows. */
export class CommandUsageError extends CliError {
  /** The action of the command it is about, when the command has actions: "policy preview". */
  constructor(
    message: string,
    readonly action?: string,
  ) {
    super(message, 2)
  }
}

/** An option the command does not know. */
export class UnknownOptionError extends CommandUsageError {
  constructor(readonly option: string) {
    super(`unknown option ${option}`)
  }
}

/**
 * How many positional words a command takes: a count, or, for a command whose first word is an action,
 * how many each action takes after it.
 */
export type Positionals = number | Readonly<Record<string, number>>

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  // most commands take one word, an action or an operand
  positionals: Positionals = 1,
) {
  const parsed = parseOptions(args, options)
  refuseRepeated(parsed.tokens, { ...COMMON_OPTIONS, ...options })
  refuseEmptyValues(parsed.values)
  refuseExtraPositionals(parsed.positionals, positionals)
  const { tokens: _tokens, ...rest } = parsed
  return rest
}

/**
 * An option that takes one value, given twice, would keep the last without a word: `suspend --above-tlp
 * green --above-tlp amber` suspends less than the first asked for. Only options declared `multiple` repeat.
 */
function refuseRepeated(
  tokens: readonly { kind: string; name?: string }[],
  options: NonNullable<ParseArgsConfig['options']>,
): void {
  const seen = new Set<string>()
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined || options[token.name]?.multiple) continue
    if (seen.has(token.name)) throw new CommandUsageError(`--${token.name} is given twice`)
    seen.add(token.name)
  }
}

/**
 * `--partner "$P"` with P unset reads as no option at all, which widens: an export for every partner's eyes
 * unfiltered, a suspension from now instead of `--at`, an agreement without its restriction. An option given
 * must say something.
 */
function refuseEmptyValues(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === 'string' && /^[\s,]*$/.test(v))
        // quoted as JSON, so a tab or newline shows as \t or \n and the message stays one line
        throw new CommandUsageError(`--${name} needs a value (it was given as ${JSON.stringify(v)})`)
  }
}

function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
      tokens: true,
    })
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    // parseArgs quotes the option, with " <value>" after it when the value is missing
    const option = /'(?:-\w, )?(--?[^' ,]+)/.exec(message)?.[1]
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) throw new UnknownOptionError(option)
    // parseArgs's first line ("argument is ambiguous") hides its advice on the lines we do not print
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option && / is ambiguous/.test(message))
      throw new CliError(
        `${option} needs a value; a value that starts with "-" is written ${option}=VALUE`,
        2,
      )
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option && / argument missing/.test(message))
      throw new CliError(`${option} needs a value`, 2)
    throw new CliError(message.split('\n')[0]!, 2)
  }
}

/** A word more than the command takes would otherwise be silently ignored. */
function refuseExtraPositionals(given: readonly string[], taken: Positionals): void {
  const [action] = given
  // an unknown action is actionOf's to name
  if (typeof taken !== 'number' && (action === undefined || !Object.hasOwn(taken, action))) return
  const limit = typeof taken === 'number' ? taken : 1 + taken[action!]!
  const extra = given[limit]
  if (extra !== undefined)
    throw new CommandUsageError(
      `unexpected argument "${extra}"`,
      typeof taken === 'number' ? undefined : action,
    )
}

/** Flags win over environment variables, which win over defaults. */
export function dataLocation(values: {
  data?: string | boolean | undefined
  db?: string | boolean | undefined
}) {
  // SLUICE_DATA="" (a variable set to nothing) is refused, not read as the current directory
  if (values.data === undefined && process.env.SLUICE_DATA === '')
    throw new CliError('SLUICE_DATA is set but empty; name the data directory or unset it', 2)
  const dataDir =
    (typeof values.data === 'string' ? values.data : undefined) ?? process.env.SLUICE_DATA ?? 'data'
  if (dataDirectoryStat(dataDir)?.isDirectory() === false)
    throw new CliError(`the data directory ${dataDir} is a file, not a directory`, 2)
  const db = (typeof values.db === 'string' ? values.db : undefined) ?? process.env.SLUICE_DB
  return { dataDir, ...(db ? { db } : {}) }
}

/** What the data directory is, if anything; a file on its way (`afile/sub`) is refused as one line. */
function dataDirectoryStat(dataDir: string) {
  try {
    return statSync(dataDir, { throwIfNoEntry: false })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new CliError(`the data directory ${dataDir} lies under a file, not a directory`, 2)
    throw new CliError(`cannot look at the data directory ${dataDir}: ${(error as Error).message}`)
  }
}

/** The word a command's action acts on (`keys rotate PRINCIPAL_ID`), which is not an option. */
export function operand(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new CliError(`name the ${what} after the action`, 2)
  return value
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new CliError(`--${flag} is required`, 2)
  return value
}

/** A malformed or out-of-range option value is a usage error, told before the node is touched. */
export function badValue(flag: string, expected: string): never {
  throw new CliError(`--${flag} must be ${expected}`, 2)
}

function pick(item: string, accepted: readonly (string | number)[], flag: string): string {
  const found = accepted.find((a) => String(a).toLowerCase() === item.trim().toLowerCase())
  return found === undefined ? badValue(flag, `one of ${accepted.join(', ')}; got "${item}"`) : String(found)
}

/** The accepted value the option names, in any case; the error lists exactly the accepted ones. */
export function oneOf<T extends string>(
  value: string | undefined,
  accepted: readonly T[],
  flag: string,
): T | undefined {
  return value === undefined ? undefined : (pick(value, accepted, flag) as T)
}

/** A comma-separated list whose every item is one of `accepted`. */
export function someOf(
  value: string | undefined,
  accepted: readonly (string | number)[],
  flag: string,
): string[] | undefined {
  if (value === undefined) return undefined
  return value
    .split(',')
    .filter((item) => item.trim() !== '')
    .map((item) => pick(item, accepted, flag))
}

/** A whole number within bounds, written in decimal digits only (so not 1e3, 0x10 or an empty string). */
export function integer(
  value: string | undefined,
  flag: string,
  { min = 1, max }: { min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER)) return n
  return badValue(
    flag,
    max !== undefined
      ? `an integer from ${min} to ${max}`
      : min === 1
        ? 'a positive integer'
        : `an integer of at least ${min}`,
  )
}

/** An RFC 3339 UTC instant, checked as the policy service checks it. */
export function instant(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined
  return asUsage(() => instantOr(value, value, `--${flag}`))
}

/** A value the policy's own input checks refuse is a usage error (exit 2), told before the node is touched. */
export function asUsage<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof PolicyInputError) throw new CliError(error.message, 2)
    throw error
  }
}

const choices = (actions: readonly string[]) =>
  actions.length === 1 ? actions[0]! : `${actions.slice(0, -1).join(', ')} or ${actions.at(-1)}`

/** The action a command was asked for; a missing or unknown one is a usage error listing the actions. */
export function actionOf<A extends string>(given: string | undefined, actions: readonly A[]): A {
  if (given === undefined) throw new CliError(`say what to do: ${choices(actions)}`, 2)
  if (!(actions as readonly string[]).includes(given))
    throw new CliError(`unknown action "${given}"; use ${choices(actions)}`, 2)
  return given as A
}

/** The actions of a command whose positional words `parse` counts per action. */
export function actionNames<A extends string>(positionals: Readonly<Record<A, number>>): A[] {
  return Object.keys(positionals) as A[]
}

/**
 * Refuses an option given to an action of a command that does not take it: parsed for the command as a
 * whole, it would otherwise be read and silently ignored (`policy history --at T` showing today's history).
 */
export function onlyFor<A extends string>(
  values: Record<string, unknown>,
  action: A,
  takenBy: Record<string, readonly A[]>,
): void {
  for (const [option, actions] of Object.entries(takenBy)) {
    if (values[option] !== undefined && !actions.includes(action))
      throw new CommandUsageError(`--${option} does not apply to "${action}"`)
  }
}
