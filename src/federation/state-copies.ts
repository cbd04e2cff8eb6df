import { randomUUID } from 'node:crypto'
import type { Store } from '../store/types.js'

/**
 * Withdrawals are kept for good (an acknowledged one is the evidence of what was asked and answered), and
 * every partner read consults them, so reading and parsing them all per read grows with the node's history.
 * A process keeps one parsed copy per prefix instead, valid while the store's generation token is the one
 * it was read under. Every change writes a fresh token in the same write as itself, and a reader reads the
 * token before the list, so a copy read under a token holds every change made before that token: never
 * staler than the last change, even with several processes writing to one database. Changes must go
 * through `changed`.
 */
const GENERATION = 'federation/withdrawals-generation'

interface Copies {
  token: string | undefined
  lists: Map<string, readonly unknown[]>
}

const byStore = new WeakMap<Store, Copies>()

/** The documents under `prefix`, parsed and frozen (they are shared by every reader in the process). */
export async function cachedList<T>(store: Store, prefix: string): Promise<readonly T[]> {
  const token = await store.getState(GENERATION)
  let copies = byStore.get(store)
  if (!copies || copies.token !== token) {
    copies = { token, lists: new Map() }
    byStore.set(store, copies)
  }
  const kept = copies.lists.get(prefix)
  if (kept) return kept as readonly T[]
  const list = Object.freeze((await store.listState(prefix)).map((s) => deepFreeze(JSON.parse(s.value) as T)))
  copies.lists.set(prefix, list)
  return list
}

/**
 * Writes a document that a `cachedList` prefix covers with the token that makes every copy stale, and
 * any index entry of it (`[name, value]`), all together: no crash between them leaves a change that other
 * processes' copies never notice, or a document its index does not find.
 */
export function changed(
  store: Store,
  name: string,
  value: unknown,
  ...index: [name: string, value: string][]
): Promise<void> {
  return store.putStates([
    { name, value: JSON.stringify(value) },
    ...index.map(([name, value]) => ({ name, value })),
    { name: GENERATION, value: JSON.stringify(randomUUID()) },
  ])
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** A value derived from a cached list, computed once per list read (the list is immutable). */
export function derivedOnce<L extends object, V>(memo: WeakMap<L, V>, list: L, derive: (list: L) => V): V {
  let value = memo.get(list)
  if (value === undefined) {
    value = derive(list)
    memo.set(list, value)
  }
  return value
}
