import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

const STORED = 'identity--6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b'
const MISSING = 'indicator--00000000-0000-4000-8000-000000000000'
const FEED = ['--url', 'http://127.0.0.1:9/intel/', '--collection', 'c1', '--key', 'k']

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir, SLUICE_ISSUER: 'test' } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-refusals-')
  expect((await run('collections', 'create', '--title', 'Inbox', '--alias', 'inbox')).code).toBe(0)
  expect((await run('partners', 'add', '--id', 'alpha', '--name', 'Alpha police')).code).toBe(0)
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: STORED,
    created: '2026-01-05T08:00:00.000Z',
    modified: '2026-01-05T08:00:00.000Z',
    name: 'Isles Coast Guard',
    identity_class: 'organization',
  }
  writeFileSync(join(dir, 'identity.json'), JSON.stringify(identity))
  expect((await run('import', join(dir, 'identity.json'), '--collection', 'inbox')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a well-formed name of something this node does not have', () => {
  it.each([
    [['suspend', 'nobody', '--reason', 'x'], 'no partner "nobody"'],
    [['suspend', 'alpha', '--reason', 'x', '--collection', 'nowhere'], 'no collection "nowhere"'],
    [
      ['agreements', 'add', '--partner', 'nobody', '--collections', 'inbox', '--max-tlp', 'green'],
      'no partner "nobody"',
    ],
    [['agreements', 'withdraw', 'agreement--nope'], 'no agreement "agreement--nope"'],
    [['feeds', 'add', ...FEED, '--into', 'inbox', '--partner', 'nobody'], 'no partner "nobody"'],
    [['feeds', 'add', ...FEED, '--into', 'nowhere', '--partner', 'alpha'], 'no collection "nowhere"'],
    [['pushes', 'add', ...FEED, '--from', 'inbox', '--partner', 'nobody'], 'no partner "nobody"'],
    [['feeds', 'poll', 'nope'], 'no feed "nope"'],
    [['withdraw', STORED, '--reason', 'x', '--partner', 'nobody'], 'no partner "nobody"'],
    [
      ['principals', 'create', '--name', 'n', '--role', 'partner', '--partner', 'nobody'],
      'no partner "nobody"',
    ],
    [['policy', 'preview', '--partner', 'nobody'], 'no partner "nobody"'],
    [['collections', 'list', '--api-root', 'nowhere'], 'no API root "nowhere"'],
    [
      ['principals', 'create', '--name', 'n', '--role', 'admin', '--partner', 'alpha'],
      'only a partner principal names a partner; the admin role sees what it allows',
    ],
    [
      ['principals', 'grant', 'principal--nobody', '--collection', 'inbox'],
      'no principal "principal--nobody"',
    ],
    [['keys', 'list', '--principal', 'nobody'], 'no principal "nobody"; see "sluice principals list"'],
    [['keys', 'certs', '--principal', 'nobody'], 'no principal "nobody"; see "sluice principals list"'],
    [['export', '--collection', 'nowhere'], 'no collection "nowhere"'],
    // the API root mistyped, not the collection, which "collections list" shows
    [['export', '--collection', 'inbox', '--api-root', 'intl'], 'no API root "intl"; this node has "intel"'],
    [
      // any readable file: the API root is refused before the file is read
      ['import', fileURLToPath(import.meta.url), '--collection', 'inbox', '--api-root', 'intl'],
      'no API root "intl"; this node has "intel"',
    ],
    [
      ['export', '--collection', 'inbox', '--type', 'identity,indicatorz'],
      'object type "indicatorz" is neither a STIX 2.1 type nor that of any object on this node; did you mean "indicator"?',
    ],
  ])('%j is refused with exit 1', async (args, message) => {
    const result = await run(...args)
    expect(result.stderr).toMatch(/^sluice: [^\n]*\n$/)
    expect(result.stderr).toContain(message)
    expect(result.code).toBe(1)
  })
})

describe('a refusal quoting a huge value', () => {
  it('says it in one line of bounded length', async () => {
    const result = await run('policy', 'history', '--partner', 'p'.repeat(100_000))
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^sluice: no partner "p+… \(\d+ characters in all\)\n$/)
    expect(result.stderr.length).toBeLessThan(1100)
  })
})

describe('export --type', () => {
  it('exports the types named, a stored custom or STIX type, skipping empty list entries', async () => {
    const result = await run('export', '--collection', 'inbox', '--type', 'identity,,indicator')
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).objects.map((o: { id: string }) => o.id)).toEqual([STORED])
  })
})

describe('withdraw', () => {
  it('refuses an object this node does not hold', async () => {
    for (const extra of [[], ['--revoke']]) {
      const result = await run('withdraw', MISSING, '--reason', 'x', ...extra)
      expect(result).toEqual({ code: 1, stdout: '', stderr: `sluice: no object ${MISSING} at this node\n` })
    }
  })

  it('says so when there are no withdrawals', async () => {
    expect(await run('withdraw', 'list')).toMatchObject({ code: 0, stdout: 'no withdrawals\n' })
    expect(await run('withdraw', 'list', '--pending')).toMatchObject({
      code: 0,
      stdout: 'no withdrawals pending\n',
    })
    expect(JSON.parse((await run('withdraw', 'list', '--json')).stdout)).toEqual([])
  })
})

describe('a data directory or SQLite file with no node', () => {
  const parent = mkdtempSync(join(tmpdir(), 'sluice-no-node-'))
  afterAll(() => rmSync(parent, { recursive: true, force: true }))

  it.each([
    { args: ['status'] },
    { args: ['partners', 'list'] },
    { args: ['collections', 'list'] },
    { args: ['backup', '--out', join(parent, 'b')] },
  ])('$args refuses it and creates nothing', async ({ args }) => {
    const missing = join(parent, 'nonexistent')
    const result = await runCli([...args, '--data', missing])
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `sluice: no node at ${missing} (no sluice.db there); start one with "sluice serve --data ${missing}"\n`,
    })
    expect(existsSync(missing)).toBe(false)
  })

  it('names the --db file it did not find', async () => {
    const db = join(parent, 'none.db')
    const result = await runCli(['status', '--db', db, '--data', parent])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `sluice: no node at ${db} (no such SQLite file); start one with "sluice serve --db ${db}"\n`,
    )
    expect(existsSync(db)).toBe(false)
  })
})

describe('withdraw --revoke', () => {
  it('says the revoked version it published, which reaches recipients no withdrawal names', async () => {
    const result = await run('withdraw', STORED, '--reason', 'source retracted', '--revoke')
    expect(result.code, result.stderr).toBe(0)
    const [first] = result.stdout.split('\n')
    expect(first).toMatch(
      new RegExp(
        `^${STORED} revoked: version \\S+ \\(revoked: true\\) reaches every recipient through its feed$`,
      ),
    )
    const exported = JSON.parse((await run('export', '--collection', 'inbox', '--all-versions')).stdout)
    const revoked = exported.objects.find((o: { revoked?: boolean }) => o.revoked === true)
    expect(first).toContain(`version ${revoked.modified} `)
  })
})
