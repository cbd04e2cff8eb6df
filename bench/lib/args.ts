/** Command-line options shared by the benches: `--quick`, `--repeat N`, `--flag value`. */
export interface BenchArgs {
  quick: boolean
  repeat: number
  number(flag: string, fallback: number): number
  string(flag: string): string | undefined
  /** Whether a flag without a value was given. */
  flag(flag: string): boolean
}

/**
 * The options a bench takes: a bare flag, or one followed by its value (a positive number, any text, or
 * one of a list of words).
 */
export type OptionKind = 'flag' | 'number' | 'value' | readonly string[]
export type BenchOptions = Readonly<Record<`--${string}`, OptionKind>>

/** Why a command line was refused, as the one line a bench prints before it exits with status 2. */
export class BenchUsageError extends Error {}

/**
 * The bench's options from `argv`, checked against `options` before anything runs: a mistyped or
 * unsupported option would otherwise be ignored and a bench of several minutes would run with its
 * defaults. `--help` is always understood (see `benchArgs`).
 */
export function parseBenchArgs(options: BenchOptions, argv: readonly string[]): BenchArgs {
  const kinds: Readonly<Record<string, OptionKind | undefined>> = options
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    const kind = kinds[token]
    if (kind === undefined) throw new BenchUsageError(`unknown option ${token}`)
    if (kind === 'flag') continue
    const value = argv[i + 1]
    if (value === undefined || value.startsWith('--')) throw new BenchUsageError(`${token} needs a value`)
    if (kind === 'number' && !(positive(value) > 0))
      throw new BenchUsageError(`${token} needs a positive number, not ${value}`)
    if (Array.isArray(kind) && !kind.includes(value))
      throw new BenchUsageError(`${token} takes ${kind.join(', ')}, not ${value}`)
    i++
  }
  const declared = (flag: string, kind: 'flag' | 'number' | 'value') => {
    // a bench reading an option it did not declare is the bench's bug, not the user's
    const was = kinds[flag]
    if ((Array.isArray(was) ? 'value' : was) !== kind)
      throw new Error(`bench reads ${flag} without declaring it as a ${kind}`)
  }
  const given = (flag: string) => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const value = (flag: string) => {
    declared(flag, 'value')
    return given(flag)
  }
  const number = (flag: string, fallback: number) => {
    declared(flag, 'number')
    const v = given(flag)
    return v === undefined ? fallback : positive(v)
  }
  const flag = (name: string) => {
    declared(name, 'flag')
    return argv.includes(name)
  }
  return {
    quick: options['--quick'] === 'flag' && flag('--quick'),
    // a bench may take --repeat as a flag of its own (scale: time each position again)
    repeat: options['--repeat'] === 'number' ? Math.floor(number('--repeat', 2)) : 2,
    number,
    string: value,
    flag,
  }
}

/** `text` as a number (underscores allowed as in `100_000`), NaN unless it is one above 0. */
function positive(text: string): number {
  const n = Number(text.replace(/_/g, ''))
  return Number.isFinite(n) && n > 0 ? n : Number.NaN
}

/** The options on one line, for `--help` and after a refused command line. */
export function benchUsage(options: BenchOptions): string {
  const parts = Object.entries(options).map(([name, kind]) => {
    if (kind === 'flag') return `[${name}]`
    if (kind === 'number') return `[${name} N]`
    if (kind === 'value') return `[${name} V]`
    return `[${name} ${kind.join('|')}]`
  })
  return `options: ${parts.length > 0 ? parts.join(' ') : 'none'}`
}

/**
 * `parseBenchArgs` of this process's command line. `--help` prints the options and exits; a refused
 * command line prints why and the options, and exits with status 2.
 */
export function benchArgs(options: BenchOptions, argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  if (argv.includes('--help')) {
    process.stdout.write(`${benchUsage(options)}\n`)
    process.exit(0)
  }
  try {
    return parseBenchArgs(options, argv)
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error
    process.stderr.write(`${error.message}; ${benchUsage(options)}\n`)
    process.exit(2)
  }
}
