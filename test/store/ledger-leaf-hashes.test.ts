import { tmpdir } from 'node:os'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { leafHash } from '../../src/ledger/hash.js'
import { proveConsistency, proveInclusion } from '../../src/ledger/proof.js'
import { merkleRootOfLeaves } from '../../src/ledger/tree.js'
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify.js'
import { openStore } from '../../src/store/open.js'
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { LedgerAppend, Store } from '../../src/store/types.js'
import { STORES } from '../helpers/stores.js'

/**
 * Leaf hashes are kept per byte-holding chunk (`ledger_chunk_hashes`); chunks written before that
 * have none and their leaves are hashed when read. Both ways must give the same proofs, in every
 * adapter: the stored rows are removed behind the store's back to get the second.
 */
const entry = (text: string, logs: string[]): LedgerAppend => {
  const bytes = Buffer.from(text)
  return { bytes, leafHash: leafHash(bytes), logs }
}

async function forgetStoredHashes(name: string, store: Store, location: string): Promise<void> {
  if (name === 'sqlite') {
    ;(store as SqliteStore).db.exec('DELETE FROM ledger_chunk_hashes')
    return
  }
  const client = new pg.Client({ connectionString: location })
  await client.connect()
  try {
    await client.query('DELETE FROM ledger_chunk_hashes')
  } finally {
    await client.end()
  }
}

for (const factory of STORES) {
  describe(`${factory.name}: leaf hashes of ledger chunks`, () => {
    let dispose: (() => Promise<void>) | undefined
    afterEach(async () => {
      await dispose?.()
      dispose = undefined
    })

    it('give the same verified proofs stored as computed from the leaf bytes', async () => {
      const opened = await factory.open()
      dispose = opened.dispose
      const { store } = opened
      const logs: Record<string, Buffer[]> = { global: [], 'partner:a': [], 'partner:b': [] }
      // uneven appends: some go to the global log alone, the others to one partner's log as well
      for (let batch = 0; batch < 9; batch++) {
        const partner = batch % 3 === 0 ? undefined : batch % 2 === 0 ? 'partner:a' : 'partner:b'
        const entries = Array.from({ length: 1 + ((batch * 5) % 7) }, (_, i) =>
          entry(`entry ${batch}.${i}`, partner ? ['global', partner] : ['global']),
        )
        await store.appendLedger(entries)
        for (const e of entries) for (const log of e.logs) logs[log]!.push(Buffer.from(e.bytes))
      }
      const proofs = async () => {
        const out: string[] = []
        for (const [log, leaves] of Object.entries(logs)) {
          const size = leaves.length
          const root = merkleRootOfLeaves(leaves)
          const reader = {
            getNodes: (keys: readonly { level: number; index: number }[]) => store.ledgerNodes(log, keys),
          }
          for (let i = 0; i < size; i++) {
            const proof = await proveInclusion(reader, i, size)
            expect(verifyInclusion(leafHash(leaves[i]!), i, size, proof, root)).toEqual({ ok: true })
            out.push(proof.map((h) => Buffer.from(h).toString('hex')).join(''))
          }
          for (let m = 1; m < size; m += 3) {
            const proof = await proveConsistency(reader, m, size)
            expect(verifyConsistency(m, size, merkleRootOfLeaves(leaves.slice(0, m)), root, proof)).toEqual({
              ok: true,
            })
          }
        }
        return out
      }
      const stored = await proofs()
      expect(stored.length).toBe(Object.values(logs).reduce((n, l) => n + l.length, 0))
      await forgetStoredHashes(factory.name, store, opened.location)
      // a fresh store, so that no node read before is cached
      await store.close()
      const again = await openStore(opened.location, tmpdir())
      try {
        const computed = await (async () => {
          const out: string[] = []
          for (const [log, leaves] of Object.entries(logs)) {
            const reader = {
              getNodes: (keys: readonly { level: number; index: number }[]) => again.ledgerNodes(log, keys),
            }
            for (let i = 0; i < leaves.length; i++)
              out.push(
                (await proveInclusion(reader, i, leaves.length))
                  .map((h) => Buffer.from(h).toString('hex'))
                  .join(''),
              )
          }
          return out
        })()
        expect(computed).toEqual(stored)
      } finally {
        await again.close()
      }
    })
  })
}
