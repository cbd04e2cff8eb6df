import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

describe('sluice usage', () => {
  it('prints the package version with --version and -V', async () => {
    for (const flag of ['--version', '-V'])
      expect(await runCli([flag])).toEqual({
        code: 0,
        stdout: `${version}\n`,
        stderr: '',
      })
  })

  it('is built executable, since npx sluice runs the bin itself rather than through node', async () => {
    const bin = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))
    const { stdout } = await promisify(execFile)(bin, ['--version'])
    expect(stdout).toBe(`${version}\n`)
  })

  it('names an unknown option, the command and where its help is, in one line', async () => {
    for (const [command, option] of [
      ['suspend', '--bogus-flag'],
      ['status', '--bogus-flag'],
      ['keys', '-x'],
    ] as const) {
      const result = await runCli([command, option])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `sluice: unknown option ${option} for "${command}"; run "sluice ${command} --help"\n`,
      )
    }
  })

  it.each([
    [['ledger', 'key', '--log', 'global'], 'ledger', '--log does not apply to "key"'],
    [['ledger', 'checkpoint', '--index', '3'], 'ledger', '--index does not apply to "checkpoint"'],
    [
      ['ledger', 'prove', '--log', 'global', '--index', '0', '--from', '1'],
      'ledger',
      '--from does not apply to "prove"',
    ],
    [
      ['ledger', 'verify', '--url', 'http://127.0.0.1:9', '--log', 'global'],
      'ledger',
      '--log does not apply to "verify"',
    ],
    [
      ['ledger', 'consistency', '--from', '1', '--to', '2', '--vkey', 'v'],
      'ledger',
      '--vkey does not apply to "consistency"',
    ],
    [['partners', 'list', '--name', 'Isles'], 'partners', '--name does not apply to "list"'],
    [['partners', 'add', '--name', 'X', '--json'], 'partners', '--json does not apply to "add"'],
    [['collections', 'list', '--title', 'T'], 'collections', '--title does not apply to "list"'],
    [['agreements', 'list', '--max-tlp', 'green'], 'agreements', '--max-tlp does not apply to "list"'],
    [
      ['agreements', 'withdraw', 'agreement--x', '--partner', 'p'],
      'agreements',
      '--partner does not apply to "withdraw"',
    ],
    [['principals', 'list', '--role', 'admin'], 'principals', '--role does not apply to "list"'],
    [['keys', 'revoke', 'k', '--overlap', '1h'], 'keys', '--overlap does not apply to "revoke"'],
    [['feeds', 'poll', 'feed-1', '--url', 'http://x'], 'feeds', '--url does not apply to "poll"'],
    [['pushes', 'list', '--batch-size', '5'], 'pushes', '--batch-size does not apply to "list"'],
    [['withdraw', 'list', '--reason', 'r'], 'withdraw', '--reason does not apply to "list"'],
    [
      ['withdraw', 'note--x', '--pending', '--reason', 'r'],
      'withdraw',
      '--pending does not apply to "OBJECT"',
    ],
  ])('refuses %j, an option its action does not take', async (args, command, message) => {
    const result = await runCli(args)
    expect([result.code, result.stderr]).toEqual([
      2,
      `sluice: ${message} for "${command}"; run "sluice ${command} --help"\n`,
    ])
  })

  // an unset shell variable gives "": read as no option, each of these widened what it was meant to narrow
  it.each([
    [['export', '--collection', 'c', '--partner', ''], 'export', '--partner', ''],
    [['suspend', 'isles', '--reason', 'x', '--at', ''], 'suspend', '--at', ''],
    [
      ['agreements', 'add', '--partner', 'p', '--collections', 'c', '--types', ''],
      'agreements',
      '--types',
      '',
    ],
    [
      ['agreements', 'amend', 'agreement--x', '--forbidden-markings', ','],
      'agreements',
      '--forbidden-markings',
      ',',
    ],
    [['policy', 'history', '--partner', ' '], 'policy', '--partner', ' '],
    [['ledger', 'prove', '--object', ''], 'ledger', '--object', ''],
  ])('refuses %j, an option given an empty value', async (args, command, option, value) => {
    const result = await runCli(args)
    expect([result.code, result.stderr]).toEqual([
      2,
      `sluice: ${option} needs a value (it was given as "${value}") for "${command}"; run "sluice ${command} --help"\n`,
    ])
  })

  it('quotes a value of blanks so that the message stays one line', async () => {
    const result = await runCli(['policy', 'history', '--partner', '\t\n'])
    expect([result.code, result.stderr]).toEqual([
      2,
      'sluice: --partner needs a value (it was given as "\\t\\n") for "policy"; run "sluice policy --help"\n',
    ])
  })

  it('says how to give a value that starts with a dash, in one line', async () => {
    const result = await runCli(['ledger', 'prove', '--log', 'global', '--index', '-1'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'sluice: --index needs a value; a value that starts with "-" is written --index=VALUE\n',
    )
  })

  it('says which option is missing its value, in the words of every other refusal', async () => {
    const result = await runCli(['suspend', 'isles', '--reason'])
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'sluice: --reason needs a value\n' })
  })

  it('lists every action of every command, as each command and its --help know them', async () => {
    const usage = (await runCli(['--help'])).stdout
    const listed = [...usage.matchAll(/^ {2}([a-z]+) ([a-z-]+(?:\|[a-z-]+)+) /gm)]
    expect(listed.map((m) => m[1])).toContain('keys')
    for (const [, command, actions] of listed) {
      // a command run without an action names the actions it takes
      const bare = await runCli([command!])
      expect(bare.code, command).toBe(2)
      const known = /say what to do: (.*)\n$/.exec(bare.stderr)![1]!.split(/, | or /)
      expect(actions!.split('|').sort(), command).toEqual(known.sort())
      const help = (await runCli([command!, '--help'])).stdout
      for (const action of known)
        expect(help, `${command} ${action}`).toContain(`sluice ${command} ${action}`)
    }
  })
})
