import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const parent = mkdtempSync(join(tmpdir(), 'sluice-option-values-'))
afterAll(() => rmSync(parent, { recursive: true, force: true }))
// no node here: a value refused before the store is opened never gets as far as saying so
const data = join(parent, 'never-created')

const FEED = ['--url', 'http://127.0.0.1:9/intel/', '--collection', 'c1', '--key', 'k', '--partner', 'p']

describe('a malformed or out-of-range option value', () => {
  it.each([
    [
      ['suspend', 'p', '--reason', 'r', '--above-tlp', 'purple'],
      '--above-tlp must be one of clear, green, amber, amber+strict; got "purple"',
    ],
    // nothing is above red: such an order would suspend nothing
    [
      ['suspend', 'p', '--reason', 'r', '--above-tlp', 'red'],
      '--above-tlp must be one of clear, green, amber, amber+strict; got "red"',
    ],
    [['suspend', 'p', '--reason', 'r', '--at', 'tomorrow'], '--at must be an RFC 3339 UTC timestamp'],
    // well formed but not on the calendar: stored as given it would roll over to 2 March elsewhere
    [
      ['suspend', 'p', '--reason', 'r', '--at', '2026-02-30T00:00:00Z'],
      '--at 2026-02-30T00:00:00Z is not on the calendar (no such day, hour, minute or second)',
    ],
    [
      ['agreements', 'add', '--partner', 'p', '--collections', 'c', '--valid-from', '2026-04-31T00:00:00Z'],
      '--valid-from 2026-04-31T00:00:00Z is not on the calendar (no such day, hour, minute or second)',
    ],
    [
      ['policy', 'preview', '--partner', 'p', '--at', '2027-02-29T12:00:00Z'],
      '--at 2027-02-29T12:00:00Z is not on the calendar (no such day, hour, minute or second)',
    ],
    [
      ['partners', 'add', '--name', 'X', '--kind', 'pirate'],
      '--kind must be one of police, customs, coast-guard, border-guard, judicial, international, node, other; got "pirate"',
    ],
    [['partners', 'add', '--name', 'X', '--id', 'Not An Id'], '--id must be 2-63 lowercase letters'],
    [
      ['agreements', 'add', '--partner', 'p', '--collections', 'c', '--max-tlp', 'blue'],
      '--max-tlp must be one of clear, green, amber, amber+strict, red; got "blue"',
    ],
    [
      [
        'agreements',
        'add',
        '--partner',
        'p',
        '--collections',
        'c',
        '--max-tlp',
        'red',
        '--ungraded',
        'maybe',
      ],
      '--ungraded must be one of allow, deny; got "maybe"',
    ],
    [
      ['agreements', 'withdraw', 'agreement--x', '--at', 'yesterday'],
      '--at must be an RFC 3339 UTC timestamp',
    ],
    [['principals', 'create', '--name', 'n', '--role', 'god'], '--role must be one of admin, officer'],
    [['policy', 'preview', '--partner', 'p', '--at', 'tomorrow'], '--at must be an RFC 3339 UTC timestamp'],
    [['keys', 'rotate', 'principal--x', '--overlap', 'soon'], '--overlap must be a duration'],
    [['feeds', 'add', ...FEED, '--into', 'c', '--page-size', '0'], '--page-size must be a positive integer'],
    [
      ['pushes', 'add', ...FEED, '--from', 'c', '--batch-size', 'x'],
      '--batch-size must be a positive integer',
    ],
    [['match', '--pattern', '[ipv4-addr:value = ', '--collection', 'c'], '--pattern does not parse'],
    [['import', '-', '--collection', 'c', '--batch', '1e3'], '--batch must be a positive integer'],
    [['serve', '--port', 'abc'], '--port must be an integer from 0 to 65535'],
    [['serve', '--port', '70000'], '--port must be an integer from 0 to 65535'],
    [['serve', '--max-page-size', '0'], '--max-page-size must be a positive integer'],
    [['serve', '--max-content-length', '0'], '--max-content-length must be a positive integer'],
    [['serve', '--partner-rate', '0'], '--partner-rate must be an integer from 1 to 1000000'],
    [['serve', '--partner-rate', '5', '--partner-burst', '2.5'], '--partner-burst must be an integer from 1'],
    [['serve', '--partner-burst', '10'], '--partner-burst needs --partner-rate'],
    [['collections', 'frobnicate'], 'unknown action "frobnicate"; use list or create'],
    [['ledger', 'prove', '--log', 'global'], 'one of --index or --object is required'],
    [
      ['ledger', 'prove', '--object', 'indicator--x', '--modified', 'notatime'],
      '--modified must be an RFC 3339',
    ],
    [['ledger', 'prove', '--index', '1', '--object', 'indicator--x'], 'give --index or --object, not both'],
    [
      ['ledger', 'prove', '--index', '1', '--modified', '2026-01-01T00:00:00Z'],
      '--modified goes with --object',
    ],
    [['ledger', 'consistency', '--from', '10', '--to', '5'], '--from must not exceed --to (10 > 5)'],
    [['ledger', 'consistency', '--from', '0', '--to', '5'], '--from must be a positive integer'],
    [['ledger', 'consistency', '--to', '5'], '--from is required'],
  ])('%j is a usage error, told before the store is opened', async (args, message) => {
    const result = await runCli([...args, '--data', data])
    expect(result.stderr).toMatch(/^sluice: [^\n]*\n$/)
    expect(result.stderr).toContain(`sluice: ${message}`)
    expect(result.code).toBe(2)
    expect(existsSync(data)).toBe(false)
  })

  it.each([
    [['suspend', 'P', 'extra', '--reason', 'r'], 'suspend', 'extra'],
    [['resume', 'order--1', 'order--2', '--reason', 'r'], 'resume', 'order--2'],
    [['status', 'now'], 'status', 'now'],
    [['export', 'inbox', '--collection', 'c'], 'export', 'inbox'],
    [['import', 'a.json', 'b.json', '--collection', 'c'], 'import', 'b.json'],
    [['keys', 'list', 'principal--x'], 'keys list', 'principal--x'],
    [['keys', 'revoke', 'key-1', 'key-2'], 'keys revoke', 'key-2'],
    [['agreements', 'withdraw', 'agreement--a', 'agreement--b'], 'agreements withdraw', 'agreement--b'],
    [['ledger', 'key', 'global'], 'ledger key', 'global'],
    [['policy', 'preview', 'extra', '--partner', 'p'], 'policy preview', 'extra'],
    [['withdraw', 'indicator--x', 'indicator--y', '--reason', 'r'], 'withdraw', 'indicator--y'],
    [['backup', 'somewhere', '--out', 'dir'], 'backup', 'somewhere'],
  ])(
    '%j names the word it does not take, as a usage error before the store is opened',
    async (args, command, extra) => {
      const result = await runCli([...args, '--data', data])
      // the action too, where the command has actions; --help is the command's
      expect(result.stderr).toBe(
        `sluice: unexpected argument "${extra}" for "${command}"; run "sluice ${command.split(' ')[0]} --help"\n`,
      )
      expect(result.code).toBe(2)
      expect(existsSync(data)).toBe(false)
    },
  )

  it('names an unknown action before counting the words after it', async () => {
    const result = await runCli(['keys', 'frobnicate', 'a', 'b', '--data', data])
    expect(result.stderr).toContain('unknown action "frobnicate"')
    expect(result.code).toBe(2)
  })

  it('suspend --help offers exactly the --above-tlp values its error accepts', async () => {
    const help = (await runCli(['suspend', '--help'])).stdout
    const offered = /--above-tlp ([a-z+|]+)\]/.exec(help)![1]!.split('|')
    const refused = await runCli(['suspend', 'p', '--reason', 'r', '--above-tlp', 'x', '--data', data])
    expect(refused.stderr).toContain(`must be one of ${offered.join(', ')};`)
  })
})
