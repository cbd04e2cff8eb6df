/**
 * `agreements list` shows every term an agreement sets, so an officer can read what a partner may receive
 * without --json; `agreements amend` keeps the agreement's partner when none is named.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HANDLING_MARKING_IDS } from '../../src/policy/markings.js'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir, SLUICE_ISSUER: 'desk Orla' } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-agreements-cli-')
  expect((await run('partners', 'add', '--id', 'harbour', '--name', 'Harbour Customs')).code).toBe(0)
  expect((await run('collections', 'create', '--title', 'Vessels', '--alias', 'vessels')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const addAs = (...args: string[]) =>
  run('agreements', 'add', '--partner', 'harbour', '--collections', 'vessels', ...args)

async function add(...args: string[]): Promise<string> {
  const r = await addAs(...args)
  expect(r.code, r.stderr).toBe(0)
  return r.stdout.trim().split(' ')[0]!
}

describe('agreements list', () => {
  it('prints the collection by alias and each term below the agreement line', async () => {
    const id = await add(
      '--max-tlp',
      'amber',
      '--types',
      'indicator,x-vessel',
      '--caveats',
      HANDLING_MARKING_IDS.H1,
      '--forbidden-labels',
      'unverified',
      '--admiralty-reliability',
      'A,B',
      '--ungraded',
      'deny',
      '--valid-until',
      '2030-01-01T00:00:00Z',
    )
    const lines = (await run('agreements', 'list')).stdout.split('\n')
    const head = lines.findIndex((l) => l.startsWith(`${id} v1  harbour  collections=vessels  max_tlp=amber`))
    expect(head, lines.join('\n')).toBeGreaterThanOrEqual(0)
    expect(lines.slice(head + 1, head + 6)).toEqual([
      '    types=indicator,x-vessel',
      '    forbidden_labels=unverified',
      `    caveats=${HANDLING_MARKING_IDS.H1}`,
      '    admiralty: reliability A,B; ungraded deny',
      '    valid always – 2030-01-01T00:00:00Z',
    ])
  })

  it('prints a plain agreement on one line', async () => {
    const id = await add('--max-tlp', 'green')
    const text = (await run('agreements', 'list')).stdout
    expect(text).toMatch(
      new RegExp(`^${id} v1  harbour  collections=vessels  max_tlp=green  from \\S+\n(?! )`, 'm'),
    )
  })
})

describe('agreements amend', () => {
  it('keeps the agreement with its partner when --partner is left out', async () => {
    const id = await add('--max-tlp', 'clear')
    const r = await run('agreements', 'amend', id, '--collections', 'vessels', '--max-tlp', 'amber')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`${id} v2\n`)
    const listed = JSON.parse((await run('agreements', 'list', '--json')).stdout) as {
      id: string
      version: number
      partner_id: string
      max_tlp: string
    }[]
    expect(listed.filter((a) => a.id === id).at(-1)).toMatchObject({
      version: 2,
      partner_id: 'harbour',
      max_tlp: 'amber',
    })
  })

  it('refuses an amendment repeating the terms in force, so the history records only changes', async () => {
    const id = await add('--max-tlp', 'green')
    const again = await run('agreements', 'amend', id, '--collections', 'vessels', '--max-tlp', 'green')
    expect(again.stderr).toBe(
      `sluice: agreement "${id}" already says exactly this (v1): an amendment that changes nothing is not recorded\n`,
    )
    expect(again.code).toBe(1)
    const listed = JSON.parse((await run('agreements', 'list', '--json')).stdout) as { id: string }[]
    expect(listed.filter((a) => a.id === id)).toHaveLength(1)
  })

  it('says that an amendment of a withdrawn agreement reinstates it', async () => {
    const id = await add('--max-tlp', 'green')
    expect((await run('agreements', 'withdraw', id)).code).toBe(0)
    const back = await run('agreements', 'amend', id, '--collections', 'vessels', '--max-tlp', 'clear')
    expect(back.code, back.stderr).toBe(0)
    expect(back.stdout).toMatch(
      new RegExp(`^${id} v3\nreinstates the agreement, withdrawn from \\S+ \\(v2\\)\n$`),
    )
    const plain = await run('agreements', 'amend', id, '--collections', 'vessels', '--max-tlp', 'green')
    expect(plain.stdout).toBe(`${id} v4\n`)
  })

  it('notes that a default TLP above the maximum withholds every object without a TLP marking', async () => {
    const r = await addAs('--max-tlp', 'green', '--default-tlp', 'red')
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(
      'sluice: note: the default TLP (red) is above max TLP (green): objects without a TLP marking are withheld\n',
    )
    expect((await addAs('--max-tlp', 'amber', '--default-tlp', 'green')).stderr).toBe('')
  })

  it('asks for the agreement before its terms when none is named', async () => {
    const r = await run('agreements', 'amend', '--max-tlp', 'amber')
    expect(r.stderr).toBe('sluice: name the agreement after the action\n')
    expect(r.code).toBe(2)
  })

  it('names an unknown agreement instead of asking for a partner', async () => {
    const r = await run(
      'agreements',
      'amend',
      'agreement--nope',
      '--collections',
      'vessels',
      '--max-tlp',
      'amber',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('sluice: no agreement "agreement--nope"; see "sluice agreements list"\n')
  })
})

describe('agreements withdraw', () => {
  it('refuses to withdraw an agreement again, unless that brings a scheduled withdrawal forward', async () => {
    const id = await add('--max-tlp', 'green')
    const later = await run('agreements', 'withdraw', id, '--at', '2031-01-01T00:00:00Z')
    expect(later.stdout).toBe(`${id} v2 withdrawn from 2031-01-01T00:00:00Z\n`)
    const again = await run('agreements', 'withdraw', id, '--at', '2032-01-01T00:00:00Z')
    expect(again.stderr).toBe(
      `sluice: agreement "${id}" is already withdrawn, from 2031-01-01T00:00:00Z (v2)\n`,
    )
    expect(again.code).toBe(1)
    const sooner = await run('agreements', 'withdraw', id)
    expect(sooner.code, sooner.stderr).toBe(0)
    expect(sooner.stdout).toMatch(new RegExp(`^${id} v3 withdrawn from \\S+\n$`))
    const now = await run('agreements', 'withdraw', id)
    expect(now.stderr).toMatch(/^sluice: agreement "[^"]+" is already withdrawn, from \S+ \(v3\)\n$/)
    const versions = JSON.parse((await run('agreements', 'list', '--json')).stdout) as { id: string }[]
    expect(versions.filter((a) => a.id === id)).toHaveLength(3)
  })
})
