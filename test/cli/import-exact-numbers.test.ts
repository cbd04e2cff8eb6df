/**
 * `sluice import` of an object holding a number a double cannot hold exactly rejects that object, naming the
 * number, rather than store 1e999999 as null or a 30-digit integer rounded; the objects around it are imported.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-import-numbers-')
  expect((await run('collections', 'create', '--title', 'Inbox', '--alias', 'inbox')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const id = (n: number) => `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** An indicator's JSON text with `"x_n": <number>` written as given, which JSON.stringify cannot do. */
const indicator = (n: number, number = '1') =>
  JSON.stringify({
    type: 'indicator',
    spec_version: '2.1',
    id: id(n),
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    pattern: "[ipv4-addr:value = '198.51.100.7']",
    pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z',
    x_n: '@',
  }).replace('"@"', number)

const reason = (where: string, number: string) =>
  `${where}: the number ${number} in "x_n" cannot be held exactly (I-JSON, RFC 7493 §2.2): send it as a string (inexact-number)`

describe('sluice import of objects holding numbers a double cannot hold exactly', () => {
  it('rejects each such object in a bundle, and imports the rest', async () => {
    const file = join(dir, 'numbers.json')
    const objects = [
      indicator(31, '1e999999'),
      indicator(32, '0.1000000000000000055'),
      indicator(33, '123456789012345678901234567890'),
    ]
    writeFileSync(file, `{"type":"bundle","id":"bundle--1","objects":[${objects.join(',')}]}`)
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toBe(
      'imported into inbox: 1 added, 0 already present, 2 rejected\n' +
        `  rejected ${id(31)}: ${reason('$.objects[0]', '1e999999')}\n` +
        `  rejected ${id(33)}: ${reason('$.objects[2]', '123456789012345678901234567890')}\n`,
    )
    expect(result.code).toBe(1)
  })

  it('rejects one on the first line of JSON Lines too', async () => {
    const file = join(dir, 'numbers.jsonl')
    writeFileSync(file, `${indicator(41, '-1E400')}\n${indicator(42, '9007199254740991')}\n`)
    const result = await run('import', file, '--collection', 'inbox')
    expect(result.stdout).toBe(
      'imported into inbox: 1 added, 0 already present, 1 rejected\n' +
        `  rejected ${id(41)}: ${reason('line 1: $', '-1E400')}\n`,
    )
    expect(result.code).toBe(1)
  })
})
