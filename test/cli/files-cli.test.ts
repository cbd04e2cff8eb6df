/**
 * Files the user names to the CLI. A small input (a checkpoint, received objects, a certificate, a TLS key) is
 * read whole, so it must be a regular file of at most 64 MiB: a device such as /dev/zero would never end and a
 * FIFO would wait for a writer. Each refusal is one line with exit 2, before a node or store is asked anything.
 * `import` streams, so it reads any size and from a FIFO; only a directory is refused there.
 */

import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir } })
/** Options that point at a node nobody listens on: the refusal must come before it is asked. */
const verify = ['ledger', 'verify', '--url', 'http://127.0.0.1:9', '--api-key', 'k', '--vkey', 'v']

beforeAll(async () => {
  dir = await newNodeDir('sluice-files-cli-')
  mkdirSync(join(dir, 'a-directory'))
  execFileSync('mkfifo', [join(dir, 'a-fifo')])
  // sparse: larger than the limit without writing 64 MiB
  writeFileSync(join(dir, 'huge.pem'), '')
  truncateSync(join(dir, 'huge.pem'), 64 * 1024 * 1024 + 1)
  expect((await run('collections', 'create', '--title', 'Inbox', '--alias', 'inbox')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a small input file that is not a small regular file', () => {
  const cases: [string, () => string, string][] = [
    ['/dev/zero', () => '/dev/zero', 'it is a device, not a regular file'],
    ['a FIFO', () => join(dir, 'a-fifo'), 'it is a FIFO, not a regular file'],
    ['a directory', () => join(dir, 'a-directory'), 'it is a directory'],
    [
      'a file over 64 MiB',
      () => join(dir, 'huge.pem'),
      'it is larger than 64 MiB, the most read from such a file',
    ],
  ]
  it.each(cases)('is refused in one line when it is %s', async (_, path, why) => {
    const file = path()
    for (const args of [
      [...verify, '--checkpoint', file],
      [...verify, '--objects', file],
      ['keys', 'bind-cert', 'principal--x', '--cert', file],
    ]) {
      const result = await run(...args)
      expect([result.code, result.stdout, result.stderr], args.join(' ')).toEqual([
        2,
        '',
        `sluice: cannot read ${file}: ${why}\n`,
      ])
    }
  })

  it('is refused as a TLS certificate or key of serve, before the store is opened', async () => {
    const real = join(dir, 'real.pem')
    writeFileSync(real, 'not PEM, never parsed')
    for (const [option, what] of [
      ['--tls-cert', 'TLS certificate'],
      ['--tls-key', 'TLS key'],
    ] as const) {
      const args = ['--tls-cert', real, '--tls-key', real].map((a, i, all) =>
        all[i - 1] === option ? '/dev/zero' : a,
      )
      const result = await run('serve', '--port', '0', ...args)
      expect([result.code, result.stderr], option).toEqual([
        2,
        `sluice: cannot read the ${what} /dev/zero: it is a device, not a regular file\n`,
      ])
    }
  })
})

describe('an output file', () => {
  it.each([
    ['a directory', () => join(dir, 'a-directory'), 'it is a directory'],
    ['in a missing directory', () => join(dir, 'nowhere', 'kept.txt'), 'its directory does not exist'],
  ])('is refused in one line when it is %s, before the node is asked', async (_, path, why) => {
    const file = path()
    const result = await run(...verify, '--save-checkpoint', file)
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `sluice: cannot write ${file}: ${why}\n`,
    ])
  })
})

describe('import, which streams', () => {
  it('reads a FIFO to its end', async () => {
    const fifo = join(dir, 'a-fifo')
    const bundle = { type: 'bundle', id: 'bundle--6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', objects: [] }
    // a writer on the FIFO, in another process as a user's pipeline would be
    const writer = spawn('sh', ['-c', `printf '%s' "$0" > "$1"`, JSON.stringify(bundle), fifo])
    const result = await run('import', fifo, '--collection', 'inbox')
    writer.kill()
    expect([result.code, result.stdout]).toEqual([
      0,
      'imported into inbox: 0 added, 0 already present, 0 rejected\n',
    ])
  })

  it('says in one line that /dev/zero is not JSON', async () => {
    const result = await run('import', '/dev/zero', '--collection', 'inbox')
    expect(result.stderr).toMatch(/^sluice: input stopped being readable: [^\n]*byte 0x00[^\n]*\n$/)
    expect(result.code).toBe(2)
  })

  it('refuses a directory in one line', async () => {
    const file = join(dir, 'a-directory')
    const result = await run('import', file, '--collection', 'inbox')
    expect([result.code, result.stderr]).toEqual([2, `sluice: cannot read ${file}: it is a directory\n`])
  })
})
