import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oraclePath } from '../oracles.js'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
let env: Record<string, string>
beforeAll(async () => {
  dir = await newNodeDir('sluice-cli-')
  env = { SLUICE_DATA: dir }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('sluice CLI', () => {
  it('prints usage and refuses unknown commands with one line and exit 2', async () => {
    expect((await runCli(['--help'])).stdout).toContain('Usage: sluice')
    const unknown = await runCli(['frobnicate'], { env })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1)
    expect(unknown.stderr).toContain('unknown command')
    const badFlag = await runCli(['collections', 'list', '--nope'], { env })
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toMatch(/^sluice: /)
  })

  it('says in one line which store it cannot open, without its password, and exits 1', async () => {
    for (const command of [['status'], ['serve', '--port', '0']]) {
      const unreachable = await runCli(
        [...command, '--db', 'postgres://officer:hunter2@127.0.0.1:1/sluice'],
        {
          env,
        },
      )
      expect(unreachable.code).toBe(1)
      expect(unreachable.stderr.trim().split('\n')).toHaveLength(1)
      expect(unreachable.stderr).toMatch(
        /^sluice: cannot open the store postgres:\/\/officer:\*\*\*@127\.0\.0\.1:1\//,
      )
      expect(unreachable.stderr).not.toContain('hunter2')
    }
    const badCache = await runCli(['status'], { env: { ...env, SLUICE_SQLITE_CACHE_MIB: 'lots' } })
    expect(badCache.code).toBe(1)
    expect(badCache.stderr.trim()).toMatch(
      /^sluice: cannot open the store .*SLUICE_SQLITE_CACHE_MIB must be a positive/,
    )
  })

  it('status names the store and how to back it up', async () => {
    const status = await runCli(['status'], { env })
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/^store {12}\S*sluice\.db \(sluice backup works while serving\)$/m)
    // partners' logs have checkpoints of their own: the line says which log it is about
    expect(status.stdout).toMatch(
      /^last checkpoint {2}(none of the global log yet|global log, size \d+ at \S+)$/m,
    )
  })

  it('creates and lists collections, refusing a duplicate alias', async () => {
    const created = await runCli(['collections', 'create', '--title', 'ATT&CK mobile', '--alias', 'attack'], {
      env,
    })
    expect(created.code).toBe(0)
    expect(created.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/)
    const id = created.stdout.trim()
    const dup = await runCli(['collections', 'create', '--title', 'Again', '--alias', 'attack'], { env })
    expect(dup.code).toBe(1)
    expect(dup.stderr).toBe(`sluice: "attack" already names collection ${id} (intel/attack)\n`)
    const list = await runCli(['collections', 'list', '--json'], { env })
    // snake_case, like the TAXII collection resource and every admin answer
    expect(JSON.parse(list.stdout).find((c: any) => c.alias === 'attack')).toEqual({
      id,
      api_root: 'intel',
      title: 'ATT&CK mobile',
      alias: 'attack',
      media_types: ['application/stix+json;version=2.1'],
    })
  })

  it.each([
    [['--alias', 'ok', '--description', ' '], '--description needs a value (it was given as " ")', 2],
    // a malformed option value is a usage error, found before the store is opened
    [['--alias', 'a/b'], '--alias must be 1-64 letters', 2],
    [['--alias', 'two words'], '--alias must be 1-64 letters', 2],
    [['--alias=-dash'], '--alias must be 1-64 letters', 2],
    [['--alias', '9F20F64E-E8F1-4189-AB00-2F04B05101CF'], 'and not a UUID', 2],
    [['--id', 'routes'], '--id must be a lowercase UUID', 2],
  ])('refuses collections create %j, creating nothing', async (args, message, code = 1) => {
    const before = JSON.parse((await runCli(['collections', 'list', '--json'], { env })).stdout).length
    const r = await runCli(['collections', 'create', '--title', 'Bad', ...args], { env })
    expect(r.stderr).toMatch(/^sluice: [^\n]+\n$/)
    expect(r.stderr).toContain(message)
    expect(r.code).toBe(code)
    expect(JSON.parse((await runCli(['collections', 'list', '--json'], { env })).stdout)).toHaveLength(before)
  })

  it('refuses an alias equal to an existing collection id, and a title that is not one line', async () => {
    const first = (await runCli(['collections', 'create', '--title', 'Firsts'], { env })).stdout.trim()
    const clash = await runCli(['collections', 'create', '--title', 'Clash', '--id', first], { env })
    expect(clash.stderr).toBe(`sluice: "${first}" already names collection ${first} (intel/Firsts)\n`)
    const title = await runCli(['collections', 'create', '--title', 'Two\nlines'], { env })
    expect(title.stderr).toBe('sluice: the collection title must be one line of printable characters\n')
    // a description may run over lines, but a terminal escape in it would act on whoever lists it
    const escaped = await runCli(
      ['collections', 'create', '--title', 'Escapes', '--description', 'd\u001b[31m'],
      {
        env,
      },
    )
    expect([escaped.code, escaped.stderr]).toEqual([1, 'sluice: the description must be printable text\n'])
    const lines = await runCli(['collections', 'create', '--title', 'Lines', '--description', 'one\ntwo'], {
      env,
    })
    expect(lines.code, lines.stderr).toBe(0)
  })

  it('imports the real MITRE ATT&CK bundle, every object accepted, and exports it back byte-identical', async () => {
    const source = JSON.parse(readFileSync(oraclePath('mitre-attack/mobile-attack-17.1.json'), 'utf8'))
    const imported = await runCli(
      ['import', oraclePath('mitre-attack/mobile-attack-17.1.json'), '--collection', 'attack'],
      { env },
    )
    expect(imported.stderr).toBe('')
    expect(imported.stdout).toContain(`${source.objects.length} added, 0 already present, 0 rejected`)
    expect(imported.code).toBe(0)
    const again = await runCli(
      ['import', oraclePath('mitre-attack/mobile-attack-17.1.json'), '--collection', 'attack'],
      { env },
    )
    expect(again.stdout).toContain(`0 added, ${source.objects.length} already present, 0 rejected`)
    const exported = await runCli(['export', '--collection', 'attack', '--all-versions'], { env })
    expect(exported.code).toBe(0)
    const bundle = JSON.parse(exported.stdout)
    const byId = new Map(bundle.objects.map((o: any) => [`${o.id}|${o.modified}`, JSON.stringify(o)]))
    expect(bundle.objects).toHaveLength(source.objects.length)
    for (const o of source.objects) expect(byId.get(`${o.id}|${o.modified}`)).toBe(JSON.stringify(o))
  }, 120_000)

  it('reports rejected objects with reasons and exits 1; unreadable input exits 2', async () => {
    const file = join(dir, 'mixed.jsonl')
    const good = {
      type: 'identity',
      spec_version: '2.1',
      id: 'identity--0b0b7c38-6f1e-4b4a-9c36-3f2b8c1d2e10',
      created: '2026-01-05T08:00:00.000Z',
      modified: '2026-01-05T08:00:00.000Z',
      name: 'Isles Coast Guard',
      identity_class: 'organization',
    }
    const bad = { ...good, id: 'identity--not-a-uuid' }
    writeFileSync(file, `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`)
    const result = await runCli(['import', file, '--collection', 'attack'], { env })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('1 added, 0 already present, 1 rejected')
    expect(result.stdout).toContain('identity--not-a-uuid')
    const missing = await runCli(['import', join(dir, 'nope.json'), '--collection', 'attack'], { env })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^sluice: .*nope\.json/)
    const broken = await runCli(['import', '-', '--collection', 'attack'], {
      env,
      input: '{"type":"bundle","objects":[{"type":',
    })
    expect(broken.code).toBe(2)
  })

  it('creates a principal and prints its key once', async () => {
    const partner = ['--id', 'southern', '--name', 'Southern Customs Service', '--kind', 'customs']
    expect((await runCli(['partners', 'add', ...partner], { env })).code).toBe(0)
    const created = await runCli(
      [
        'principals',
        'create',
        '--name',
        'Southern Customs Service',
        '--role',
        'partner',
        '--partner',
        'southern',
        '--read',
        'attack',
      ],
      { env },
    )
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/api key\s+sluice_[0-9a-f]{16}_/)
    const list = await runCli(['principals', 'list'], { env })
    expect(list.stdout).toContain('Southern Customs Service')
    expect(list.stdout).not.toContain('sluice_')
    // the same record shape the admin API answers with, and no key material
    const json = await runCli(['principals', 'list', '--json'], { env })
    const listed = (JSON.parse(json.stdout) as Record<string, unknown>[]).find(
      (p) => p.partner_id === 'southern',
    )
    expect(Object.keys(listed!).sort()).toEqual(['created_at', 'id', 'name', 'partner_id', 'role'])
    expect(json.stdout).not.toContain('sluice_')
  })
})
