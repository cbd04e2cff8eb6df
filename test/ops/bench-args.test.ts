import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { BenchUsageError, benchUsage, parseBenchArgs } from '../../bench/lib/args.js'

const BUILT_ARGS = fileURLToPath(new URL('../../dist/bench/lib/args.js', import.meta.url))
if (!existsSync(BUILT_ARGS)) throw new Error('dist/ is missing: run "npm run build" (npm test does it)')

const OPTIONS = { '--quick': 'flag', '--repeat': 'number', '--only': 'value', '--pages': 'number' } as const

describe('bench options', () => {
  it('reads declared flags, numbers and values, with defaults for what is not given', () => {
    const args = parseBenchArgs(OPTIONS, ['--quick', '--pages', '1_000', '--only', 'ratio'])
    expect(args.quick).toBe(true)
    expect(args.repeat).toBe(2)
    expect(args.number('--pages', 5)).toBe(1000)
    expect(args.string('--only')).toBe('ratio')
    const none = parseBenchArgs(OPTIONS, [])
    expect(none.quick).toBe(false)
    expect(none.number('--pages', 5)).toBe(5)
    expect(none.string('--only')).toBeUndefined()
    expect(parseBenchArgs(OPTIONS, ['--repeat', '3.7']).repeat).toBe(3)
  })

  it('refuses an option the bench does not take, before anything runs', () => {
    expect(() => parseBenchArgs(OPTIONS, ['--requests', '50000'])).toThrow(
      new BenchUsageError('unknown option --requests'),
    )
    expect(() => parseBenchArgs(OPTIONS, ['ratio'])).toThrow('unknown option ratio')
    // a bench without a quick mode does not accept --quick
    expect(() => parseBenchArgs({ '--pages': 'number' }, ['--quick'])).toThrow('unknown option --quick')
  })

  it('refuses a missing value and a number that is not a positive one', () => {
    expect(() => parseBenchArgs(OPTIONS, ['--pages'])).toThrow('--pages needs a value')
    expect(() => parseBenchArgs(OPTIONS, ['--only', '--quick'])).toThrow('--only needs a value')
    for (const bad of ['0', '-3', 'ten', 'Infinity'])
      expect(() => parseBenchArgs(OPTIONS, ['--pages', bad])).toThrow(
        `--pages needs a positive number, not ${bad}`,
      )
  })

  it('treats reading an undeclared option as the bench’s own mistake', () => {
    const args = parseBenchArgs(OPTIONS, [])
    expect(() => args.number('--seed', 1)).toThrow('bench reads --seed without declaring it as a number')
    expect(() => args.flag('--pages')).toThrow('bench reads --pages without declaring it as a flag')
    // the shared numeric --repeat is read only where a bench declares it
    expect(parseBenchArgs({ '--pages': 'number' }, []).repeat).toBe(2)
  })

  it('leaves --repeat to a bench that takes it as a flag of its own', () => {
    const args = parseBenchArgs({ '--repeat': 'flag' }, ['--repeat'])
    expect(args.flag('--repeat')).toBe(true)
    expect(args.repeat).toBe(2)
  })

  it('takes a word option only among its words', () => {
    const words = { '--only': ['ratio', 'stages'] } as const
    expect(parseBenchArgs(words, ['--only', 'stages']).string('--only')).toBe('stages')
    expect(() => parseBenchArgs(words, ['--only', 'ratios'])).toThrow(
      '--only takes ratio, stages, not ratios',
    )
  })

  it('lists the options for --help and after a refusal', () => {
    expect(benchUsage(OPTIONS)).toBe('options: [--quick] [--repeat N] [--only V] [--pages N]')
    expect(benchUsage({ '--only': ['ratio', 'stages'] })).toBe('options: [--only ratio|stages]')
    expect(benchUsage({})).toBe('options: none')
  })
})

describe('a bench started with a bad command line', () => {
  it('prints one line and exits with status 2; --help prints the options and exits 0', async () => {
    const run = promisify(execFile)
    const script = [
      `import { benchArgs } from ${JSON.stringify(BUILT_ARGS)}`,
      '// node -e puts the arguments from process.argv[1] on (no script path)',
      "benchArgs({ '--pages': 'number' }, process.argv.slice(1))",
      "console.log('ran')",
    ].join('\n')
    const node = (argv: string[]) =>
      run(process.execPath, ['--input-type=module', '-e', script, '--', ...argv])
    const refused = await node(['--pagse', '3']).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    )
    expect(refused?.code).toBe(2)
    expect(refused?.stdout).toBe('')
    expect(refused?.stderr).toBe('unknown option --pagse; options: [--pages N]\n')
    const help = await node(['--help'])
    expect(help.stdout).toBe('options: [--pages N]\n')
    expect((await node(['--pages', '3'])).stdout).toBe('ran\n')
  })
})
