/**
 * A key change is three recorded steps (the next key's file, the ledger entry and its co-signed checkpoint,
 * the store's record), so a run can stop between any two. Each stop must leave a node that still signs with
 * a key partners can verify, and a second run must finish the change without recording it twice.
 */

import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openCheckpoint } from '../../src/ledger/checkpoint.js'
import { decodeEntry } from '../../src/ledger/entry.js'
import { followKeyChanges } from '../../src/ledger/key-change.js'
import { GLOBAL_LOG } from '../../src/ledger/log-id.js'
import { readNodeKeyFile, writeNodeKeyFile } from '../../src/ledger/node-key-file.js'
import { generateNodeKey, type NodeSigningKey } from '../../src/ledger/note-key.js'
import { nextKeyPath, prepareNextKey, rotateNodeKey } from '../../src/server/node-key.js'
import { createServices } from '../../src/server/services.js'
import { changeSigningKey, keyChangeEvidence } from '../../src/services/key-changes.js'
import { LedgerService, NODE_KEY_STATE } from '../../src/services/ledger-service.js'
import { openStore } from '../../src/store/open.js'
import type { Store } from '../../src/store/types.js'
import { type FreshLocation, STORES } from '../helpers/stores.js'

const change = () => ({ issuer: 'identity--ops', reason: 'key held on a lost laptop', at: new Date() })

/** The store, failing the first call of `method` (with `when` given, the first call it accepts). */
function failingOnce(store: Store, method: keyof Store, when: (...args: unknown[]) => boolean = () => true) {
  let failed = false
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (prop === method && !failed && when(...args)) {
          failed = true
          return Promise.reject(new Error(`process stopped before ${String(method)}`))
        }
        return value.apply(target, args)
      }
    },
  })
}

describe.each(STORES)('$name: a key change cut short', (adapter) => {
  let db: FreshLocation
  let dir: string
  const opened: Store[] = []
  const keyPath = () => join(dir, 'node.key')
  const open = async () => {
    const store = await openStore(db.location, dir)
    opened.push(store)
    return store
  }
  const services = async () => createServices(await open(), { dataDir: dir, createKey: true })
  /** Previous and next key of each `key` entry in the global log. */
  const keyEntries = async (store: Store) => {
    const head = await store.ledgerHead(GLOBAL_LOG)
    const leaves = await store.ledgerLeaves(GLOBAL_LOG, 0, head.size)
    return leaves
      .map((l) => decodeEntry(l.bytes))
      .flatMap((e) => (e.kind === 'key' ? [[e.previousVkey, e.vkey]] : []))
  }
  /** Which of `keys` a checkpoint the ledger signs now verifies under. */
  const signers = async (ledger: LedgerService, keys: string[]): Promise<string[]> => {
    const note = (await ledger.checkpoint()).note
    return keys.filter((k) => openCheckpoint(note, [k]).ok)
  }

  beforeEach(async () => {
    db = await adapter.fresh()
    dir = mkdtempSync(join(tmpdir(), 'sluice-key-recovery-'))
  })
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => {})
    await db.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('completes: the next key is recorded, in place, loaded on the next start and followed from the old', async () => {
    const { ledger } = await services()
    const old = ledger.key
    const done = await rotateNodeKey(ledger, keyPath(), change())
    expect(done.previous.vkey).toBe(old.vkey)
    expect(done.next.vkey).not.toBe(old.vkey)
    expect((await readNodeKeyFile(keyPath())).vkey).toBe(done.next.vkey)
    expect(existsSync(nextKeyPath(keyPath()))).toBe(false)
    expect((await services()).ledger.key.vkey).toBe(done.next.vkey)
    const followed = followKeyChanges(
      [old.vkey],
      await keyChangeEvidence(ledger),
      ledger.originOf(GLOBAL_LOG),
    )
    expect(followed.current).toBe(done.next.vkey)
    expect(followed.rows.map((r) => r.status)).toEqual(['proven'])
  })

  it('is taken up by a process started before it, at its next signature; one that cannot load it refuses', async () => {
    const serving = await services()
    const old = serving.ledger.key
    const operator = await services()
    const { next } = await rotateNodeKey(operator.ledger, keyPath(), change())

    expect(await signers(serving.ledger, [old.vkey, next.vkey])).toEqual([next.vkey])
    expect(serving.ledger.key.vkey).toBe(next.vkey)

    const blind = new LedgerService(serving.store, old, serving.ledger.origin)
    await expect(blind.checkpoint()).rejects.toThrow(
      /changed to .* which this process cannot load; restart it/,
    )
  })

  it('after the append: the old key still signs, and a second run records the same change once', async () => {
    const { ledger } = await services()
    const old = ledger.key
    const cut = new LedgerService(failingOnce(ledger.store, 'saveCheckpoint'), old, ledger.origin)
    await expect(rotateNodeKey(cut, keyPath(), change())).rejects.toThrow(/process stopped/)
    const waiting = await readNodeKeyFile(nextKeyPath(keyPath()))
    expect(await keyEntries(ledger.store)).toEqual([[old.vkey, waiting.vkey]])
    expect(await ledger.store.getState(NODE_KEY_STATE)).toBe(old.vkey)
    expect((await readNodeKeyFile(keyPath())).vkey).toBe(old.vkey)
    expect(await signers(ledger, [old.vkey, waiting.vkey])).toEqual([old.vkey])

    const again = await rotateNodeKey(ledger, keyPath(), change())
    expect(again.next.vkey).toBe(waiting.vkey)
    expect(await keyEntries(ledger.store)).toEqual([[old.vkey, waiting.vkey]])
    expect(await ledger.store.getState(NODE_KEY_STATE)).toBe(waiting.vkey)
    expect(followKeyChanges([old.vkey], await keyChangeEvidence(ledger)).current).toBe(waiting.vkey)
  })

  it('after the append, with disclosures recorded since: a second run still records the change once', async () => {
    const { ledger } = await services()
    const old = ledger.key
    const cut = new LedgerService(failingOnce(ledger.store, 'saveCheckpoint'), old, ledger.origin)
    await expect(rotateNodeKey(cut, keyPath(), change())).rejects.toThrow(/process stopped/)
    // the node goes on serving with the old key meanwhile
    await ledger.appendDisclosures({
      partnerId: 'isles',
      disclosedAt: '2026-12-07T08:00:00.000000Z',
      requestId: 'req-1',
      versions: [1, 2, 3].map((n) => ({
        json: `{"id":"indicator--${n}"}`,
        collectionId: 'c',
        objectId: `indicator--0000000${n}-0000-4000-8000-000000000000`,
        objectModified: '2026-01-01T00:00:00.000Z',
        agreementId: 'agreement--isles',
      })),
    })
    const again = await rotateNodeKey(ledger, keyPath(), change())
    expect(await keyEntries(ledger.store)).toEqual([[old.vkey, again.next.vkey]])
    const [recorded] = await keyChangeEvidence(ledger)
    expect(recorded!.index).toBe(0)
    expect(followKeyChanges([old.vkey], await keyChangeEvidence(ledger)).current).toBe(again.next.vkey)
  })

  it('after the change list, before the key record: a second run finishes it without a second entry', async () => {
    const { ledger } = await services()
    const old = ledger.key
    const store = failingOnce(ledger.store, 'putState', (name) => name === NODE_KEY_STATE)
    await expect(
      rotateNodeKey(new LedgerService(store, old, ledger.origin), keyPath(), change()),
    ).rejects.toThrow(/process stopped/)
    const again = await rotateNodeKey(ledger, keyPath(), change())
    expect(await keyEntries(ledger.store)).toEqual([[old.vkey, again.next.vkey]])
    expect((await keyChangeEvidence(ledger)).length).toBe(1)
    expect(await signers(ledger, [old.vkey, again.next.vkey])).toEqual([again.next.vkey])
  })

  it('after the record, before the file moved: the next start moves it and signs with it', async () => {
    const { ledger } = await services()
    const old = ledger.key
    const next: NodeSigningKey = generateNodeKey(old.name)
    await writeNodeKeyFile(nextKeyPath(keyPath()), next)
    await changeSigningKey(ledger, old, next, change())
    expect((await readNodeKeyFile(keyPath())).vkey).toBe(old.vkey)

    const restarted = await services()
    expect(restarted.ledger.key.vkey).toBe(next.vkey)
    expect((await readNodeKeyFile(keyPath())).vkey).toBe(next.vkey)
    expect(existsSync(nextKeyPath(keyPath()))).toBe(false)
    expect(await signers(restarted.ledger, [old.vkey, next.vkey])).toEqual([next.vkey])
    expect(await keyEntries(restarted.store)).toEqual([[old.vkey, next.vkey]])
  })

  it('on several hosts, each with its own copy of the key: a host with the prepared key copied signs with it', async () => {
    const { ledger } = await services()
    const old = ledger.key
    /** Another host serving the node: the same store, its own copy of the key file. */
    const host = async (name: string, files: string[]) => {
      const home = join(dir, name)
      mkdirSync(home)
      for (const file of files) {
        copyFileSync(join(dir, file), join(home, file))
        chmodSync(join(home, file), 0o600)
      }
      return createServices(await open(), { dataDir: home })
    }
    const { next, written } = await prepareNextKey(old, keyPath())
    expect(written).toBe(true)
    expect(await ledger.store.getState(NODE_KEY_STATE)).toBe(old.vkey)
    expect(await prepareNextKey(old, keyPath())).toMatchObject({ next: { vkey: next.vkey }, written: false })
    const copied = await host('host-b', ['node.key', 'node.key.next'])
    const forgotten = await host('host-c', ['node.key'])
    // prepared, not yet changed: every host still signs with the old key
    expect(await signers(copied.ledger, [old.vkey, next.vkey])).toEqual([old.vkey])

    const done = await rotateNodeKey(ledger, keyPath(), change())
    expect(done.next.vkey).toBe(next.vkey)
    expect(await signers(copied.ledger, [old.vkey, next.vkey])).toEqual([next.vkey])
    await expect(forgotten.ledger.checkpoint()).rejects.toThrow(/cannot load; restart it/)
    // the host's next start moves its copy into place
    const restarted = await createServices(await open(), { dataDir: join(dir, 'host-b') })
    expect(restarted.ledger.key.vkey).toBe(next.vkey)
    expect(existsSync(nextKeyPath(join(dir, 'host-b', 'node.key')))).toBe(false)
  })

  it('with a next key file that holds no key: the node starts, and the change is refused saying what to do', async () => {
    const { ledger } = await services()
    writeFileSync(nextKeyPath(keyPath()), 'PRIVATE+KEY+sluice.localhost+', { mode: 0o600 })
    const again = await services()
    expect(again.ledger.key.vkey).toBe(ledger.key.vkey)
    await expect(rotateNodeKey(again.ledger, keyPath(), change())).rejects.toThrow(
      /holds no usable key.*still signs with .*: fix or remove .*node\.key\.next and run again/,
    )
    expect(await keyEntries(again.store)).toEqual([])
  })
})
