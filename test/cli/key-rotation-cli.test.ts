/**
 * `sluice ledger rotate-key` as an operator runs it beside a serving node: the node signs with the new key at
 * once, and a recipient who only ever held the old key still verifies everything, following the recorded
 * change.
 */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNodeKeyFile, writeNodeKeyFile } from '../../src/ledger/node-key-file.js'
import { generateNodeKey } from '../../src/ledger/note-key.js'
import { nextKeyPath } from '../../src/server/node-key.js'
import { createServices } from '../../src/server/services.js'
import { changeSigningKey } from '../../src/services/key-changes.js'
import { openStore } from '../../src/store/open.js'
import { B, pull, type Story, startStory } from '../scenario/story.js'
import { newNodeDir } from './node-dir.js'
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
    expect(key.origin).toBe(newKey.split('+')[0])
    expect(key.changes).toHaveLength(1)
    const [change] = key.changes
    expect(Object.keys(change).sort()).toEqual(['checkpoint', 'index', 'leaf', 'proof'])
    expect(change.checkpoint.split('\n').filter((l: string) => l.startsWith('\u2014 '))).toHaveLength(2)
    expect(change.proof.every((p: unknown) => typeof p === 'string')).toBe(true)

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

describe('ledger rotate-key after a run cut short', () => {
  it('finishes the change an earlier run recorded, and records no second one', async () => {
    const node = await newNodeDir('sluice-rotate-cut-')
    try {
      const path = join(node, 'node.key')
      const store = await openStore(undefined, node)
      const { ledger } = await createServices(store, { dataDir: node })
      const next = generateNodeKey(ledger.key.name)
      // what a run stopped between the store's record and the file's move leaves behind
      await writeNodeKeyFile(nextKeyPath(path), next)
      await changeSigningKey(ledger, ledger.key, next, { issuer: 'ops', reason: 'cut short', at: new Date() })
      await store.close()

      const again = await runCli(['ledger', 'rotate-key', '--data', node, '--reason', 'finish it'])
      expect(again.stderr).toBe('')
      expect(again.code).toBe(0)
      expect(again.stdout).toContain('that an earlier run recorded; no new change')
      expect(again.stdout.trim().split('\n').at(-1)).toBe(next.vkey)
      expect((await readNodeKeyFile(path)).vkey).toBe(next.vkey)
      expect(existsSync(nextKeyPath(path))).toBe(false)

      const key = await runCli(['ledger', 'key', '--data', node])
      expect(key.stdout.trim()).toBe(next.vkey)
    } finally {
      rmSync(node, { recursive: true, force: true })
    }
  })
})

describe('ledger rotate-key --prepare', () => {
  it('writes the next key and records nothing; the change then uses that key', async () => {
    const node = await newNodeDir('sluice-rotate-prepare-')
    try {
      const path = join(node, 'node.key')
      const before = (await runCli(['ledger', 'key', '--data', node])).stdout.trim()
      const refused = await runCli(['ledger', 'rotate-key', '--prepare', '--reason', 'x', '--data', node])
      expect(refused.stderr).toMatch(/^sluice: --prepare records nothing[^\n]*\n$/)
      expect(refused.code).toBe(2)
      expect(existsSync(nextKeyPath(path))).toBe(false)

      const prepared = await runCli(['ledger', 'rotate-key', '--prepare', '--data', node])
      expect(prepared.stderr).toBe('')
      expect(prepared.code).toBe(0)
      expect(prepared.stdout).toContain(`is written to ${nextKeyPath(path)}; nothing is recorded yet`)
      const next = prepared.stdout.trim().split('\n').at(-1)!
      expect((await readNodeKeyFile(nextKeyPath(path))).vkey).toBe(next)
      expect((await runCli(['ledger', 'key', '--data', node])).stdout.trim()).toBe(before)
      const again = await runCli(['ledger', 'rotate-key', '--prepare', '--data', node])
      expect(again.stdout).toContain('already waits at')
      expect(again.stdout.trim().split('\n').at(-1)).toBe(next)

      const changed = await runCli(['ledger', 'rotate-key', '--data', node, '--reason', 'scheduled'])
      expect(changed.code).toBe(0)
      expect(changed.stdout.trim().split('\n').at(-1)).toBe(next)
      expect((await runCli(['ledger', 'key', '--data', node])).stdout.trim()).toBe(next)
      const status = JSON.parse((await runCli(['status', '--json', '--data', node])).stdout)
      expect(status.signing_key).toMatchObject({ vkey: next, changes: 1 })
      expect(Date.parse(status.signing_key.last_changed_at)).toBeGreaterThan(Date.now() - 60_000)
      expect((await runCli(['status', '--data', node])).stdout).toMatch(
        new RegExp(
          `^signing key +${next.split('+').slice(0, 2).join('\\+')} \\(changed 1 time, last at `,
          'm',
        ),
      )
    } finally {
      rmSync(node, { recursive: true, force: true })
    }
  })
})
