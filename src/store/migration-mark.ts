import type { Store } from './types.js'

/*
 * A migrate copies a node in many transactions, so a copy cut short (Ctrl-C, a lost connection) leaves a
 * target that looks like a node but lacks part of it. The target is marked when the copy starts and the mark
 * is cleared only by the copy's last step, so no process takes a marked store for a node.
 */

/** Named state present while a migrate into the store has not finished. */
const MARK = 'migrate/incomplete'

/** Marks `target` as a copy in progress. */
export async function markIncomplete(target: Store): Promise<void> {
  await target.putState(MARK, JSON.stringify({ started_at: new Date().toISOString() }))
}

/** The last step of a migrate: the target is a node from now on. */
export async function clearIncomplete(target: Store): Promise<void> {
  await target.deleteState(MARK)
}

/** Whether a migrate into the store started and never finished. */
export async function isIncomplete(store: Store): Promise<boolean> {
  return (await store.getState(MARK)) !== undefined
}
