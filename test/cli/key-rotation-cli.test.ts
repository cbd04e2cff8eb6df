/**
 * `sluice ledger rotate-key` as an operator runs it beside a serving node: the node signs with the new key at
 * once, and a recipient who only ever held the old key still verifies everything, following the recorded
 * change.
 */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNodeKeyFile } from '../../src/ledger/node-key-file.js'
import { B, pull, type Story, startStory } from '../scenario/story.js'
import { runCli } from './run-cli.js'

let dir: string
let s: Story
let oldKey: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-rotate-cli-'))
  s = await startStory(dir)
  oldKey = s.t.node.services.ledger.key.vkey
}, 60_000)
afterAll(async () => {
  await s?.t.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const verify = (keys: string[], args: string[]) =>
  runCli([
    'ledger',
    'verify',
    '--url',
    s.t.url,
    '--api-key',
    s.keys[B],
    ...keys.flatMap((k) => ['--vkey', k]),
    ...args,
  ])

describe('ledger rotate-key', () => {
  it('refuses in one line to change the key without a reason', async () => {
    const result = await runCli(['ledger', 'rotate-key', '--data', dir])
    expect(result.stderr).toMatch(/^sluice: [^\n]*reason[^\n]*\n$/)
    expect(result.code).toBe(2)
    expect((await readNodeKeyFile(join(dir, 'node.key'))).vkey).toBe(oldKey)
  })

  it('changes the key of a serving node, and a holder of the old key follows the change', async () => {
    await pull(s, B)
    const before = await verify([oldKey], ['--save-checkpoint', join(dir, 'kept.txt')])
    expect(before.code).toBe(0)

    const rotated = await runCli([
      'ledger',
      'rotate-key',
      '--data',
      dir,
      '--reason',
      'key held on a lost laptop',
    ])
    expect(rotated.stderr).toBe('')
    expect(rotated.code).toBe(0)
    const newKey = rotated.stdout.trim().split('\n').at(-1)!
    expect(newKey).not.toBe(oldKey)
    expect((await readNodeKeyFile(join(dir, 'node.key'))).vkey).toBe(newKey)
    expect(existsSync(join(dir, 'node.key.next'))).toBe(false)

    const key = (await (
      await fetch(`${s.t.url}/ledger/key`, { headers: { Authorization: `Bearer ${s.keys[B]}` } })
    ).json()) as any
    expect(key.vkey).toBe(newKey)
    expect(key.changes).toHaveLength(1)

    const received = await pull(s, B)
    writeFileSync(
      join(dir, 'received.json'),
      JSON.stringify([...received.objects.values()].flat().slice(0, 5)),
    )
    // the running node signs with the new key only: the old key alone verifies nothing new without the change
    const checkpoint = (await (
      await fetch(`${s.t.url}/ledger/checkpoint`, { headers: { Authorization: `Bearer ${s.keys[B]}` } })
    ).json()) as any
    const signatures = String(checkpoint.checkpoint)
      .split('\n')
      .filter((line) => line.startsWith('\u2014 '))
    expect(signatures).toHaveLength(1)

    const followed = await verify(
      [oldKey],
      ['--checkpoint', join(dir, 'kept.txt'), '--objects', join(dir, 'received.json')],
    )
    expect(followed.stdout).toContain('followed from the given key')
    expect(followed.stdout).toMatch(/0 failed/)
    expect(followed.code).toBe(0)

    const both = await verify([oldKey, newKey], ['--checkpoint', join(dir, 'kept.txt')])
    expect(both.code).toBe(0)

    const forged = await verify(['not-a-key'], [])
    expect(forged.code).not.toBe(0)
  })
})
