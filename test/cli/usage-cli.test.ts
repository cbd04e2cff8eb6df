import { readFileSync } from 'node:fs'
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

  it('says how to give a value that starts with a dash, in one line', async () => {
    const result = await runCli(['ledger', 'prove', '--log', 'global', '--index', '-1'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'sluice: --index needs a value; a value that starts with "-" is written --index=VALUE\n',
    )
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
