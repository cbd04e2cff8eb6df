import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { WalDurability } from '../../src/store/sqlite/wal-durability.js'

/** A connection whose change counter the test moves, and syncs the test completes one by one. */
function harness() {
  let changes = 0
  let others = 0
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = []
  const durability = new WalDurability(
    () => changes,
    () => others,
    () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
  )
  return {
    durability,
    pending,
    commit: () => {
      changes += 1
    },
    commitElsewhere: () => {
      others += 1
    },
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

/** Whether `promise` has settled after the event loop has had a turn. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  await tick()
  return done
}

describe('WalDurability', () => {
  it('resolves at once, without a sync, when nothing was committed', async () => {
    const { durability, pending } = harness()
    await durability.settle()
    expect(pending).toHaveLength(0)
  })

  it('holds a caller after a commit until a sync completes', async () => {
    const { durability, pending, commit } = harness()
    commit()
    const waiting = durability.settle()
    expect(await settled(waiting)).toBe(false)
    expect(pending).toHaveLength(1)
    pending[0]!.resolve()
    expect(await settled(waiting)).toBe(true)
    // durable now: the next call needs no sync
    await durability.settle()
    expect(pending).toHaveLength(1)
  })

  it('lets concurrent callers share one sync (group commit)', async () => {
    const { durability, pending, commit } = harness()
    commit()
    const first = durability.settle()
    const second = durability.settle()
    await tick()
    expect(pending).toHaveLength(1)
    pending[0]!.resolve()
    await Promise.all([first, second])
    expect(pending).toHaveLength(1)
  })

  it('holds a read that could see a commit whose sync has not finished', async () => {
    const { durability, pending, commit } = harness()
    commit()
    const writer = durability.settle()
    // a read made now observes the commit: it must not resolve before the writer's sync
    const reader = durability.settle()
    expect(await settled(reader)).toBe(false)
    pending[0]!.resolve()
    await Promise.all([writer, reader])
  })

  it('runs another sync for a commit made while a sync was already running', async () => {
    const { durability, pending, commit } = harness()
    commit()
    const first = durability.settle()
    await tick()
    commit()
    const second = durability.settle()
    pending[0]!.resolve()
    await first
    // the running sync may have started before the second commit reached the file
    expect(await settled(second)).toBe(false)
    expect(pending).toHaveLength(2)
    pending[1]!.resolve()
    await second
  })

  it('waits for another connection’s commit only when asked to (reads of what it writes)', async () => {
    const { durability, pending, commitElsewhere } = harness()
    commitElsewhere()
    await durability.settle()
    expect(pending).toHaveLength(0)
    const ledgerRead = durability.settle(true)
    expect(await settled(ledgerRead)).toBe(false)
    pending[0]!.resolve()
    await ledgerRead
    await durability.settle(true)
    expect(pending).toHaveLength(1)
  })

  it('rejects the waiters of a failed sync, and the next caller syncs again', async () => {
    const { durability, pending, commit } = harness()
    commit()
    const failing = durability.settle()
    await tick()
    pending[0]!.reject(new Error('EIO'))
    await expect(failing).rejects.toThrow('EIO')
    const retry = durability.settle()
    await tick()
    expect(pending).toHaveLength(2)
    pending[1]!.resolve()
    await retry
  })
})

describe('SqliteStore on a file', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('commits with synchronous = NORMAL and syncs through the barrier on every public method', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-wal-'))
    dirs.push(dir)
    const store = new SqliteStore(join(dir, 'sluice.db'))
    try {
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1)
      const prototype = SqliteStore.prototype as unknown as Record<string, unknown>
      const methods = Object.getOwnPropertyNames(prototype).filter(
        (name) => name !== 'constructor' && typeof prototype[name] === 'function',
      )
      expect(methods.length).toBeGreaterThan(30)
      for (const name of methods)
        expect(`${name}: ${(prototype[name] as { name: string }).name}`).toMatch(
          name === 'close' ? /: close$/ : /: settled$/,
        )
      await store.putState('probe', 'written')
      expect(await store.getState('probe')).toBe('written')
    } finally {
      await store.close()
    }
    const reopened = new SqliteStore(join(dir, 'sluice.db'))
    expect(await reopened.getState('probe')).toBe('written')
    await reopened.close()
  })

  it('keeps an in-memory database as it was: nothing to sync', async () => {
    const store = new SqliteStore(':memory:')
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2)
    await store.putState('probe', 'x')
    expect(await store.getState('probe')).toBe('x')
    await store.close()
  })
})
