/**
 * What an operator's environment can get wrong, found by an audit that ran every command against it: each
 * is one line on stderr and a non-zero exit, and creates nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/server/services.js'
import { openStore } from '../../src/store/open.js'
import { CLI, runCli } from './run-cli.js'
import { startServe } from './serve-child.js'

const oneLine = (stderr: string) => expect(stderr).toMatch(/^sluice: [^\n]+\n$/)

let root: string
let node: string
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-env-cli-'))
  node = join(root, 'node')
  mkdirSync(node)
  const store = await openStore(undefined, node)
  await createServices(store, { dataDir: node, createKey: true })
  await store.close()
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** The CLI with its standard output on a full disk. */
function runToFullDisk(args: string[]): Promise<{ code: number; stderr: string }> {
  const full = openSync('/dev/full', 'w')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', full, 'pipe'] })
    closeSync(full)
    let stderr = ''
    child.stderr!.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }))
  })
}

describe('sluice and its environment', () => {
  it.skipIf(!existsSync('/dev/full'))('says in one line that its output could not be written', async () => {
    const r = await runToFullDisk(['status', '--data', node])
    oneLine(r.stderr)
    expect(r.stderr).toMatch(/no space left on device/i)
    expect(r.code).toBe(1)
  })

  it('refuses an on/off setting it cannot read, and reads the usual spellings of on', async () => {
    for (const name of ['SLUICE_FOUR_EYES', 'SLUICE_FEDERATION', 'SLUICE_LEDGER_WRITER']) {
      const r = await runCli(['serve', '--data', node, '--port', '0'], { env: { [name]: 'maybe' } })
      expect([r.code, r.stderr]).toEqual([
        2,
        `sluice: ${name} must be on or off (1/0, true/false, yes/no), not "maybe"\n`,
      ])
    }
    // SLUICE_FOUR_EYES=true once read as off: the node served without the second officer asked for
    const running: ChildProcess[] = []
    try {
      await startServe(['--data', node], /is serving TAXII/, running, { SLUICE_FOUR_EYES: 'true' })
    } finally {
      for (const child of running) child.kill()
      await Promise.all(running.map((child) => new Promise((done) => child.once('exit', done))))
    }
    const add = await runCli([
      'agreements',
      'add',
      '--partner',
      'nobody',
      '--collections',
      '*',
      '--max-tlp',
      'clear',
      '--data',
      node,
    ])
    expect(add.stderr).toMatch(/four-eyes/)
    expect(add.code).not.toBe(0)
  })

  it('refuses an empty file, or a database without a node, rather than make it one', async () => {
    const empty = join(root, 'empty.db')
    writeFileSync(empty, '')
    const r = await runCli(['status', '--db', empty, '--data', node])
    expect([r.code, r.stderr]).toEqual([
      1,
      `sluice: no node at ${empty} (no Sluice tables in that file); start one with "sluice serve --db ${empty}"\n`,
    ])
    expect(statSync(empty).size).toBe(0)
  })

  it('refuses a database URL of a kind it does not open, creating nothing', async () => {
    const r = await runCli(['status', '--db', 'mysql://officer@db.internal/sluice'], { cwd: root })
    expect([r.code, r.stderr]).toEqual([
      1,
      'sluice: mysql:// is not a store this node opens: give a SQLite file path or a postgres:// URL\n',
    ])
    expect(existsSync(join(root, 'mysql:'))).toBe(false)
    // sqlite:// with an absolute path is a SQLite file, as sqlite: is
    const sqlite = await runCli(['status', '--db', `sqlite://${join(node, 'sluice.db')}`, '--data', node])
    expect([sqlite.code, sqlite.stderr]).toEqual([0, ''])
  })

  it('refuses a PostgreSQL URL it cannot parse in one line', async () => {
    const r = await runCli(['status', '--db', 'postgres://x@[::1/none'])
    oneLine(r.stderr)
    expect(r.stderr).toContain('Invalid URL')
    expect(r.code).toBe(1)
  })

  it('refuses a data directory that is a file, and SLUICE_DATA set to nothing', async () => {
    const file = join(root, 'a-file')
    writeFileSync(file, '')
    const asFile = await runCli(['serve', '--data', file, '--port', '0'])
    expect([asFile.code, asFile.stderr]).toEqual([
      2,
      `sluice: the data directory ${file} is a file, not a directory\n`,
    ])
    const under = await runCli(['status', '--data', join(file, 'sub')])
    expect([under.code, under.stderr]).toEqual([
      2,
      `sluice: the data directory ${join(file, 'sub')} lies under a file, not a directory\n`,
    ])
    const empty = await runCli(['status'], { env: { SLUICE_DATA: '' }, cwd: root })
    expect([empty.code, empty.stderr]).toEqual([
      2,
      'sluice: SLUICE_DATA is set but empty; name the data directory or unset it\n',
    ])
    expect(readdirSync(root).sort()).toEqual(['a-file', 'empty.db', 'node'])
  })

  it('refuses an option given twice, which would keep the last without a word', async () => {
    const r = await runCli([
      'partners',
      'add',
      '--name',
      'Twice',
      '--id',
      'twice-1',
      '--id',
      'twice-2',
      '--data',
      node,
    ])
    expect([r.code, r.stderr]).toEqual([
      2,
      'sluice: --id is given twice for "partners"; run "sluice partners --help"\n',
    ])
    expect((await runCli(['partners', 'list', '--data', node])).stdout).not.toContain('twice')
  })

  it('refuses free text that would go into the ledger with control characters in it', async () => {
    const forged = 'rotated\u001b[2J\nOK       every entry: proven'
    const rotate = await runCli(['ledger', 'rotate-key', '--reason', forged, '--data', node])
    expect([rotate.code, rotate.stderr]).toEqual([2, 'sluice: --reason must be printable text\n'])
    const object = 'indicator--00000000-0000-4000-8000-000000000abc'
    const withdraw = await runCli(['withdraw', object, '--reason', forged, '--data', node])
    expect([withdraw.code, withdraw.stderr]).toEqual([2, 'sluice: --reason must be printable text\n'])
    // found before the store is opened, as any malformed value: a usage error, exit 2
    const long = await runCli(['suspend', 'anyone', '--reason', 'x'.repeat(2001), '--data', node])
    expect([long.code, long.stderr]).toEqual([2, 'sluice: --reason is longer than 2000 characters\n'])
    const bidi = await runCli([
      'suspend',
      'anyone',
      '--reason',
      'ok',
      '--reference',
      'ref\u202e',
      '--data',
      node,
    ])
    expect([bidi.code, bidi.stderr]).toEqual([
      2,
      'sluice: --reference must be one line of printable characters\n',
    ])
    const resume = await runCli(['resume', 'order--x', '--reason', forged, '--data', node])
    expect([resume.code, resume.stderr]).toEqual([2, 'sluice: --reason must be printable text\n'])
    const issuer = await runCli([
      'partners',
      'add',
      '--name',
      'Quay desk',
      '--issuer',
      'desk\nforged',
      '--data',
      node,
    ])
    expect([issuer.code, issuer.stderr]).toEqual([
      2,
      'sluice: --issuer must be one line of printable characters\n',
    ])
    expect((await runCli(['partners', 'list', '--data', node])).stdout).not.toContain('Quay desk')
    expect((await runCli(['status', '--data', node])).stdout).toMatch(
      /^ledger {11}0 entries in the global log/m,
    )
  })

  it('grants every collection listed, refuses a revoked principal, and names a missing operand', async () => {
    for (const alias of ['quay', 'harbour'])
      expect(
        (await runCli(['collections', 'create', '--title', alias, '--alias', alias, '--data', node])).code,
      ).toBe(0)
    const created = await runCli([
      'principals',
      'create',
      '--name',
      'Quay analyst',
      '--role',
      'analyst',
      '--data',
      node,
    ])
    const id = /^principal (\S+)$/m.exec(created.stdout)![1]!
    const grant = await runCli([
      'principals',
      'grant',
      id,
      '--collection',
      'quay,harbour',
      '--can-read',
      '--data',
      node,
    ])
    expect(grant.code, grant.stderr).toBe(0)
    expect(grant.stdout).toBe(`${id} may now read on quay,harbour\n`)
    const store = await openStore(undefined, node)
    try {
      expect((await store.listGrants(id)).filter((g) => g.canRead)).toHaveLength(2)
    } finally {
      await store.close()
    }
    expect((await runCli(['principals', 'revoke', id, '--data', node])).code).toBe(0)
    const again = await runCli(['principals', 'grant', id, '--collection', 'quay', '--data', node])
    expect([again.code, again.stderr]).toEqual([1, `sluice: principal "${id}" is revoked\n`])
    const missing = await runCli(['keys', 'rotate', '--data', node])
    expect([missing.code, missing.stderr]).toEqual([2, 'sluice: name the principal after the action\n'])
  })

  it('asks for a command when given none, on stderr', async () => {
    expect(await runCli([])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sluice: name a command; run "sluice --help" for the list\n',
    })
  })
})
