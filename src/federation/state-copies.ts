import { randomUUID } from 'node:crypto'
import type { StateDocument, Store } from '../store/types.js'

/**
 * Withdrawals are kept for good (an acknowledged one is the evidence of what was asked and answered), and
 * every partner read consults them, so reading and parsing them all per read grows with the node's history.
 * A process keeps one parsed copy per prefix instead, valid while the prefix's generation token is the one
 * it was read under. Every change writes a fresh token for each prefix that covers it, in the same write as
 * itself, and a reader reads the token before the list, so a copy read under a token holds every change
 * made before that token: never staler than the last change, even with several processes writing to one
 * database. A change to one partner's withdrawals leaves the other partners' copies valid. Changes must go
 * through `changeDocuments`.
 */
const GENERATION = 'federation/generation/'

const byStore = new WeakMap<Store, Map<string, { token: string | undefined; list: readonly unknown[] }>>()

/** The documents under `prefix` (ending in "/"), parsed and frozen (shared by every reader in the process). */
export async function cachedList<T>(store: Store, prefix: string): Promise<readonly T[]> {
  if (!prefix.endsWith('/')) throw new Error(`cachedList prefixes end in "/", not ${prefix}`)
  const token = await store.getState(GENERATION + prefix)
  let copies = byStore.get(store)
  if (!copies) {
    copies = new Map()
    byStore.set(store, copies)
  }
  const kept = copies.get(prefix)
  if (kept && kept.token === token) return kept.list as readonly T[]
  const list = Object.freeze((await store.listState(prefix)).map((s) => deepFreeze(JSON.parse(s.value) as T)))
  copies.set(prefix, { token, list })
  return list
}

/** Every prefix ending in "/" that `name` is under: the copies a change to it makes stale. */
function coveringPrefixes(name: string): string[] {
  const out: string[] = []
  for (let at = name.indexOf('/'); at !== -1; at = name.indexOf('/', at + 1)) out.push(name.slice(0, at + 1))
  return out
}

/**
 * The documents that change a document `cachedList` prefixes cover: itself, any index entry of it
 * (`[name, value]`) and a new token for each prefix. Written together (`putStates`, or with a ledger entry),
 * no crash between them leaves a change that other processes' copies never notice, or a document its index
 * does not find.
 */
export function changeDocuments(
  name: string,
  value: unknown,
  ...index: [name: string, value: string][]
): StateDocument[] {
  const token = JSON.stringify(randomUUID())
  return [
    { name, value: JSON.stringify(value) },
    ...index.map(([name, value]) => ({ name, value })),
    ...coveringPrefixes(name).map((prefix) => ({ name: GENERATION + prefix, value: token })),
  ]
}

/** Writes `changeDocuments` of a change on its own. */
export function changed(
  store: Store,
  name: string,
  value: unknown,
  ...index: [name: string, value: string][]
): Promise<void> {
  return store.putStates(changeDocuments(name, value, ...index))
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
