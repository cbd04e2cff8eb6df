import { existsSync } from 'node:fs'
import { rename } from 'node:fs/promises'
import { openCheckpoint } from '../ledger/checkpoint.js'
import { GLOBAL_LOG } from '../ledger/log-id.js'
import { readNodeKeyFile, writeNodeKeyFile } from '../ledger/node-key-file.js'
import { generateNodeKey, type NodeSigningKey } from '../ledger/note-key.js'
import { changeSigningKey } from '../services/key-changes.js'
import { type LedgerService, NODE_KEY_STATE } from '../services/ledger-service.js'
import type { Store } from '../store/types.js'
import { NodeConfigError } from './errors.js'

/*
 * The signing key is the one part of a node outside its store, so a process started with another data
 * directory would find no key, or another node's, and sign checkpoints partners can never verify. The store
 * therefore records the verifier of the key it was created with, and a process signs only with that key.
 */

const RECORD = NODE_KEY_STATE

/** Where `sluice ledger rotate-key` keeps the next key until the store records it. */
export const nextKeyPath = (path: string): string => `${path}.next`

export interface NodeKeyOptions {
  path: string
  /** Says how `path` was chosen, for the refusal (e.g. `SLUICE_NODE_KEY`). */
  pathFrom: string
  /** The name of a new key: the log origin. */
  origin: string
  /** Whether a store no key has signed in yet may get a new one (the node is being created). */
  create: boolean
}

/** Loads the key file, creating it if missing; a race with another process creating it is no error. */
export async function loadOrCreateNodeKey(path: string, origin: string): Promise<NodeSigningKey> {
  if (existsSync(path)) return readNodeKeyFile(path)
  const key = generateNodeKey(origin)
  try {
    await writeNodeKeyFile(path, key)
    return key
  } catch (error) {
    if (existsSync(path)) return readNodeKeyFile(path)
    throw error
  }
}

/** `name, id HEX` of a verifier key string `name+hexid+material`. */
function describeKey(vkey: string): string {
  const [name, id] = vkey.split('+')
  return `${name}, id ${id}`
}

const WHAT_TO_SET = "set --data to the node's data directory or SLUICE_NODE_KEY to its key file"

/** The newest checkpoint of each log with entries, and of the global log: what partners may hold. */
async function newestCheckpoints(store: Store): Promise<string[]> {
  const logs = new Set([GLOBAL_LOG, ...(await store.ledgerLogs()).map((l) => l.logId)])
  const notes: string[] = []
  for (const logId of logs) for (const c of await store.listCheckpoints(logId, 1)) notes.push(c.note)
  return notes
}

/** Whether any key has been used on the store: a checkpoint signed, or an entry a checkpoint would cover. */
async function keyInUse(store: Store): Promise<boolean> {
  if ((await store.ledgerLogs()).some((l) => l.size > 0)) return true
  return (await newestCheckpoints(store)).length > 0
}

/**
 * The node's signing key: the file at `options.path`, refused unless it is the key the store records (or, in
 * a store from before that record, the key its checkpoints verify under). A missing file becomes a new key
 * only when the node is being created; otherwise it is refused, naming where it was looked for.
 */
export async function nodeKeyFor(store: Store, options: NodeKeyOptions): Promise<NodeSigningKey> {
  const { path } = options
  const recorded = await store.getState(RECORD)
  if (!existsSync(path)) {
    if (!options.create || recorded !== undefined || (await keyInUse(store)))
      throw new NodeConfigError(
        `this node's signing key${recorded ? ` (${describeKey(recorded)})` : ''} is not at ${path} (${options.pathFrom}); ${WHAT_TO_SET}`,
      )
  }
  const key = (await finishKeyChange(path, recorded)) ?? (await loadOrCreateNodeKey(path, options.origin))
  const refuse = (expected: string) =>
    new NodeConfigError(
      `the key ${path} (${describeKey(key.vkey)}) is not this node's signing key (${expected}); ${WHAT_TO_SET}`,
    )
  if (recorded !== undefined) {
    if (recorded !== key.vkey) throw refuse(describeKey(recorded))
    return key
  }
  const foreign = (await newestCheckpoints(store)).find((note) => !openCheckpoint(note, [key.vkey]).ok)
  if (foreign !== undefined) throw refuse('the key its checkpoints are signed with')
  await store.putState(RECORD, key.vkey)
  // two processes creating one node with different key files: the record kept is the one that counts
  const kept = await store.getState(RECORD)
  if (kept !== key.vkey) throw refuse(describeKey(kept ?? ''))
  return key
}

/**
 * The next key, when a key change was recorded but cut short before its file replaced the old one: the
 * file is moved into place now, so every process finds the key the store records at the usual path.
 */
async function finishKeyChange(
  path: string,
  recorded: string | undefined,
): Promise<NodeSigningKey | undefined> {
  const nextPath = nextKeyPath(path)
  if (recorded === undefined || !existsSync(nextPath)) return undefined
  // an unreadable next key cannot be the one recorded: the change it was for is not made, and starting waits on nothing
  const next = await readNodeKeyFile(nextPath).catch(() => undefined)
  if (next?.vkey !== recorded) return undefined
  await rename(nextPath, path)
  return next
}

/** Reads the node's key again after another process changed it: the usual path, or the next key not yet moved. */
export function nodeKeyReloader(path: string): () => Promise<NodeSigningKey> {
  return async () => {
    const key = await readNodeKeyFile(path)
    const nextPath = nextKeyPath(path)
    return existsSync(nextPath) ? readNodeKeyFile(nextPath).catch(() => key) : key
  }
}

/**
 * The key the node will change to, waiting beside the current key file at `path`: the one already there,
 * or a new one written now (`written`). Processes that load their key from a copy of the file on another
 * host find the next key when it waits beside their copy too, so an operator copies it there before the
 * change is recorded (`sluice ledger rotate-key --prepare`).
 */
export async function prepareNextKey(
  current: NodeSigningKey,
  path: string,
): Promise<{ next: NodeSigningKey; written: boolean }> {
  const nextPath = nextKeyPath(path)
  if (existsSync(nextPath)) {
    const waiting = await readNodeKeyFile(nextPath).catch((error: Error) => {
      throw new NodeConfigError(
        `${error.message}; the node still signs with ${describeKey(current.vkey)}: fix or remove ${nextPath} and run again`,
      )
    })
    return { next: waiting, written: false }
  }
  const next = generateNodeKey(current.name)
  await writeNodeKeyFile(nextPath, next)
  return { next, written: true }
}

/**
 * Changes the node's signing key (`sluice ledger rotate-key`). The next key is written beside the current
 * one first (or found there, prepared), then the change is recorded in the ledger and the store
 * (key-changes.ts), and only then does the next key's file replace the current one. A run cut short is
 * finished by running it again: the next key waiting beside the current one is the one used.
 */
export async function rotateNodeKey(
  ledger: LedgerService,
  path: string,
  change: { issuer: string; reason: string; at: Date },
): Promise<{ previous: NodeSigningKey; next: NodeSigningKey; index: number; size: number }> {
  const previous = await ledger.signingKey()
  const nextPath = nextKeyPath(path)
  const { next } = await prepareNextKey(previous, path)
  const recorded = await changeSigningKey(ledger, previous, next, change)
  await rename(nextPath, path)
  return { previous, next, index: recorded.index, size: recorded.size }
}
