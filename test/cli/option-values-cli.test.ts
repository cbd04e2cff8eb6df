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
    [['collections', 'frobnicate'], 'unknown action "frobnicate"; use list or create'],
  ])('%j is a usage error, told before the store is opened', async (args, message) => {
    const result = await runCli([...args, '--data', data])
    expect(result.stderr).toMatch(/^sluice: [^\n]*\n$/)
    expect(result.stderr).toContain(`sluice: ${message}`)
    expect(result.code).toBe(2)
    expect(existsSync(data)).toBe(false)
  })

  it('suspend --help offers exactly the --above-tlp values its error accepts', async () => {
    const help = (await runCli(['suspend', '--help'])).stdout
    const offered = /--above-tlp ([a-z+|]+)\]/.exec(help)![1]!.split('|')
    const refused = await runCli(['suspend', 'p', '--reason', 'r', '--above-tlp', 'x', '--data', data])
    expect(refused.stderr).toContain(`must be one of ${offered.join(', ')};`)
  })
})
