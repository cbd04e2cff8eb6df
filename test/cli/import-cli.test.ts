import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-import-cli-')
  expect((await run('collections', 'create', '--title', 'Inbox', '--alias', 'inbox')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const indicator = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z',
  pattern: "[ipv4-addr:value = '198.51.100.7']",
  pattern_type: 'stix',
  valid_from: '2026-01-01T00:00:00Z',
  ...extra,
})

describe('sluice import of input that stops being JSON', () => {
  it('counts and reports every rejection read before the unreadable line', async () => {
    const unknownMarking = {
      object_marking_refs: ['marking-definition--00000000-0000-4000-8000-0000000000aa'],
    }
    const { pattern: _, ...invalid } = indicator(1)
    const lines = [invalid, indicator(2, unknownMarking), indicator(3)].map((o) => JSON.stringify(o))
    const file = join(dir, 'broken.ndjson')
    writeFileSync(file, `${lines.join('\n')}\nnot json\n`)
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toContain('imported into inbox: 1 added, 0 already present, 2 rejected\n')
    expect(result.stdout).toContain('rejected indicator--00000000-0000-4000-8000-000000000001: ')
    expect(result.stdout).toMatch(
      /rejected indicator--00000000-0000-4000-8000-000000000002: .*unresolved-marking/,
    )
    expect(result.stderr).toMatch(/^sluice: input stopped being readable: .*line 4/)
    expect(result.code).toBe(2)
  })
})

describe('sluice import of an object that gives a member twice', () => {
  it('rejects that object, whose markings JSON.parse would read as the last one given, and imports the rest', async () => {
    const RED = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'
    const CLEAR = 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'
    const doubled = JSON.stringify(indicator(21, { object_marking_refs: [RED] })).replace(
      /}$/,
      `,"object_marking_refs":["${CLEAR}"]}`,
    )
    const file = join(dir, 'repeated.json')
    writeFileSync(
      file,
      `{"type":"bundle","id":"bundle--1","objects":[${doubled},${JSON.stringify(indicator(22))}]}`,
    )
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toBe(
      'imported into inbox: 1 added, 0 already present, 1 rejected\n' +
        '  rejected indicator--00000000-0000-4000-8000-000000000021: $.objects[0]: the member "object_marking_refs" is given twice in one object; STIX content names each member once, as I-JSON requires (repeated-member)\n',
    )
    expect(result.code).toBe(1)
  })
})

describe('sluice import of a JSON Lines line that is broken JSON', () => {
  it('reports the syntax error on that line, not an object spanning lines', async () => {
    const file = join(dir, 'broken-line.jsonl')
    writeFileSync(file, `${JSON.stringify(indicator(7))}\n{not json\n`)
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toBe('imported into inbox: 1 added, 0 already present, 0 rejected\n')
    expect(result.stderr).toMatch(
      /^sluice: input stopped being readable: invalid JSON: Expected property name or '}' in JSON at position 1 \(at byte \d+, line 2\); /,
    )
    expect(result.code).toBe(2)
  })
})

describe('what sluice import reports about each rejection', () => {
  const MARKING = 'marking-definition--00000000-0000-4000-8000-0000000000bb'
  const statement = {
    type: 'marking-definition',
    spec_version: '2.1',
    id: MARKING,
    created: '2026-01-01T00:00:00.000Z',
    definition_type: 'statement',
    definition: { statement: 'Fictional handling statement' },
  }

  it('lists rejections in input order, with the line of a JSON Lines object and the path of the bad ref', async () => {
    const { pattern: _, ...invalid } = indicator(4)
    const granular = indicator(5, {
      description: 'x',
      granular_markings: [
        {
          marking_ref: 'marking-definition--00000000-0000-4000-8000-0000000000cc',
          selectors: ['description'],
        },
      ],
    })
    // the first object waits for its marking-definition (three lines on) and is retried after the others
    const lines = [
      indicator(6, {
        object_marking_refs: [MARKING, 'marking-definition--00000000-0000-4000-8000-0000000000dd'],
      }),
      granular,
      invalid,
      statement,
    ]
    const file = join(dir, 'ordered.jsonl')
    writeFileSync(file, `${lines.map((o) => JSON.stringify(o)).join('\n')}\n`)
    const result = await run('import', file, '--collection', 'inbox', '--batch', '2')
    expect(result.code).toBe(1)
    expect(result.stdout.split('\n').slice(1, 4)).toEqual([
      '  rejected indicator--00000000-0000-4000-8000-000000000006: line 1: $.object_marking_refs[1]: marking-definition marking-definition--00000000-0000-4000-8000-0000000000dd is not known to this node; post the marking-definition first or in the same request (unresolved-marking)',
      '  rejected indicator--00000000-0000-4000-8000-000000000005: line 2: $.granular_markings[0].marking_ref: marking-definition marking-definition--00000000-0000-4000-8000-0000000000cc is not known to this node; post the marking-definition first or in the same request (unresolved-marking)',
      '  rejected indicator--00000000-0000-4000-8000-000000000004: line 3: $.pattern: pattern is required (required-property)',
    ])
  })

  it('names the array element of a rejection in a bare JSON array', async () => {
    const file = join(dir, 'array.json')
    writeFileSync(file, JSON.stringify([indicator(7), indicator(8, { spec_version: '9' })]))
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toContain(
      '  rejected indicator--00000000-0000-4000-8000-000000000008: $[1].spec_version: "9" is not one of 2.1 (spec-version)\n',
    )
  })

  it('rejects a member that is not an object as one bad item, and reads on past it', async () => {
    const file = join(dir, 'bare-string.json')
    writeFileSync(
      file,
      JSON.stringify([indicator(9, { pattern: 'not a pattern' }), 'bare', 7, indicator(10)]),
    )
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain('1 added, 0 already present, 3 rejected\n')
    expect(result.stdout).toContain(
      '  rejected (not an object): $[1]: a STIX object is a JSON object (not-an-object)\n',
    )
    expect(result.stdout).toContain(
      '  rejected (not an object): $[2]: a STIX object is a JSON object (not-an-object)\n',
    )
    expect(result.code).toBe(1)
  })

  it('rejects a JSON Lines line that is not an object the same way, and reads the lines after it', async () => {
    const file = join(dir, 'lines.jsonl')
    writeFileSync(file, [indicator(13), 42, indicator(14)].map((v) => JSON.stringify(v)).join('\n'))
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe(
      'imported into inbox: 2 added, 0 already present, 1 rejected\n  rejected (not an object): line 2: $: a STIX object is a JSON object (not-an-object)\n',
    )
    expect(result.code).toBe(1)
  })

  it('says nothing after an unreadable member was read, without claiming an import', async () => {
    const file = join(dir, 'unreadable.json')
    writeFileSync(
      file,
      `[${JSON.stringify(indicator(11, { pattern: 'not a pattern' }))}, bare, ${JSON.stringify(indicator(12))}]`,
    )
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toContain('0 added, 0 already present, 1 rejected\n')
    expect(result.stderr).toMatch(
      /^sluice: input stopped being readable: .* \(at byte \d+, line 1\); nothing after that point was read \(what came before is counted above\)\n$/,
    )
    expect(result.code).toBe(2)
  })
})

describe('sluice import of input with nothing in it', () => {
  it.each([
    ['an empty file', ''],
    ['a file of blank lines', '\n  \n\t\n'],
  ])('refuses %s as a usage error, importing nothing', async (_, content) => {
    const file = join(dir, 'empty.json')
    writeFileSync(file, content)
    const result = await run('import', file, '--collection', 'inbox')
    expect([result.code, result.stdout, result.stderr.trim()]).toEqual([
      2,
      '',
      `sluice: ${file} is empty: nothing to import`,
    ])
  })

  it('imports an empty bundle as nothing, successfully', async () => {
    const file = join(dir, 'empty-bundle.json')
    writeFileSync(
      file,
      JSON.stringify({ type: 'bundle', id: 'bundle--6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', objects: [] }),
    )
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toBe('imported into inbox: 0 added, 0 already present, 0 rejected\n')
    expect(result.code).toBe(0)
  })
})

describe('files the CLI cannot read', () => {
  it.each([
    ['a missing file', () => join(dir, 'nope.json'), 'no such file'],
    ['a directory', () => dir, 'it is a directory'],
  ])('says in words why %s cannot be read, before anything is opened', async (_, path, why) => {
    const file = path()
    for (const args of [
      ['import', file, '--collection', 'inbox'],
      ['ledger', 'verify', '--url', 'http://127.0.0.1:9', '--api-key', 'k', '--vkey', 'v', '--objects', file],
      ['keys', 'bind-cert', 'principal--x', '--cert', file],
    ]) {
      const result = await run(...args)
      expect([result.code, result.stdout, result.stderr], args[0]).toEqual([
        2,
        '',
        `sluice: cannot read ${file}: ${why}\n`,
      ])
    }
  })
})

describe('sluice import of text that is not UTF-8', () => {
  it('stops there, as the TAXII API refuses it, rather than store U+FFFD for the bytes', async () => {
    const file = join(dir, 'latin1.jsonl')
    const good = Buffer.from(`${JSON.stringify(indicator(31))}\n`)
    // "Côte" written in Latin-1: 0xF4 is not UTF-8
    const bad = Buffer.from(`${JSON.stringify(indicator(32, { name: 'C__te' }))}\n`.replace('__', '\u0000'))
    bad[bad.indexOf(0)] = 0xf4
    writeFileSync(file, Buffer.concat([good, bad]))
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toBe('imported into inbox: 1 added, 0 already present, 0 rejected\n')
    expect(result.stderr).toMatch(
      /^sluice: input stopped being readable: the input is not valid UTF-8 .*line 2/,
    )
    expect(result.code).toBe(2)
  })
})
