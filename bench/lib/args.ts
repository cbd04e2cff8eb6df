/** Command-line options shared by the benches: `--quick`, `--repeat N`, `--flag value`. */
export interface BenchArgs {
  quick: boolean
  repeat: number
  number(flag: string, fallback: number): number
  string(flag: string): string | undefined
  /** Whether a flag without a value was given. */
  flag(flag: string): boolean
}

export function benchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const value = (flag: string) => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const number = (flag: string, fallback: number) => {
    const v = value(flag)
    if (v === undefined) return fallback
    const n = Number(v.replace(/_/g, ''))
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, not ${v}`)
    return n
  }
  return {
    quick: argv.includes('--quick'),
    repeat: Math.floor(number('--repeat', 2)),
    number,
    string: value,
    flag: (flag) => argv.includes(flag),
  }
}
