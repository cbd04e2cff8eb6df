import { hash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { DisclosureEntry } from '../ledger/entry.js'
import type { LedgerPosition } from '../store/types.js'
import type { DisclosureBatch } from './ledger-service.js'

/** What the worker is started with (`workerData`). */
export interface LedgerWriterData {
  location: string
  dataDir: string
}

/**
 * A disclosure batch as it crosses to the worker. The texts served are written as UTF-8 into one
 * buffer that is transferred, not copied, and hashed by the worker: about half the serving thread's
 * cost of hashing them itself. The other strings of every version (collection, object id, modified,
 * agreement) are joined into one string with their lengths: a structured clone copies one flat string
 * quickly, where a thousand small objects cost it a property name per field and a string each.
 */
export interface PackedBatch {
  partnerId: string
  disclosedAt: string
  requestId: string
  /** The texts served, UTF-8, one after another; `textEnds` gives where each ends. */
  texts: Uint8Array
  textEnds: Uint32Array
  strings: string
  /** Per version, four lengths in the order above; NO_VALUE for a null `modified`. */
  lengths: Uint32Array
}

const FIELDS_PER_VERSION = 4
const NO_VALUE = 0xffffffff

/** The batch packed, and the buffers to transfer with it. */
export function packBatch(batch: DisclosureBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const count = batch.versions.length
  let units = 0
  for (const v of batch.versions) units += v.json.length
  // Sized for ASCII (one byte per UTF-16 unit), grown when a text might not fit (UTF-8 takes at most
  // three): sizing for the worst case would allocate 3 MB a page, and V8 collects garbage sooner the
  // more memory is allocated outside its heap. allocUnsafe: every byte used is written first.
  let texts = Buffer.allocUnsafeSlow(units + 4096)
  const textEnds = new Uint32Array(count)
  let strings = ''
  const lengths = new Uint32Array(count * FIELDS_PER_VERSION)
  let end = 0
  let k = 0
  const add = (value: string | null) => {
    if (value === null) lengths[k++] = NO_VALUE
    else {
      strings += value
      lengths[k++] = value.length
    }
  }
  for (const [i, v] of batch.versions.entries()) {
    const room = texts.length - end
    // measured only when the worst case would not fit
    if (room < 3 * v.json.length && room < Buffer.byteLength(v.json, 'utf8')) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * texts.length, end + 3 * v.json.length))
      texts.copy(grown, 0, 0, end)
      texts = grown
    }
    end += texts.write(v.json, end, 'utf8')
    textEnds[i] = end
    add(v.collectionId)
    add(v.objectId)
    add(v.objectModified)
    add(v.agreementId)
  }
  const { partnerId, disclosedAt, requestId } = batch
  const packed = {
    partnerId,
    disclosedAt,
    requestId,
    texts: texts.subarray(0, end),
    textEnds,
    strings,
    lengths,
  }
  return { packed, transfer: [texts.buffer as ArrayBuffer, textEnds.buffer, lengths.buffer] }
}

/** The disclosure entries of a packed batch: those `disclosureEntries` gives for the batch packed. */
export function unpackEntries(packed: PackedBatch): DisclosureEntry[] {
  const { partnerId, disclosedAt, requestId, texts, textEnds, strings, lengths } = packed
  const entries: DisclosureEntry[] = []
  let at = 0
  const next = (k: number): string | null => {
    const length = lengths[k]!
    if (length === NO_VALUE) return null
    at += length
    return strings.slice(at - length, at)
  }
  let textStart = 0
  for (let i = 0; i < textEnds.length; i++) {
    const k = i * FIELDS_PER_VERSION
    const collectionId = next(k)
    const objectId = next(k + 1)
    const objectModified = next(k + 2)
    const agreementId = next(k + 3)
    if (collectionId === null || objectId === null || agreementId === null)
      throw new Error('malformed packed disclosure batch')
    const contentSha256 = hash('sha256', texts.subarray(textStart, textEnds[i]!), 'hex')
    textStart = textEnds[i]!
    entries.push({
      kind: 'disclosure',
      partnerId,
      collectionId,
      objectId,
      objectModified,
      contentSha256,
      disclosedAt,
      agreementId,
      requestId,
    })
  }
  return entries
}

/** A request to the worker, and its answer. */
export type LedgerWriterRequest = { id: number; batch: PackedBatch } | { id: number; close: true }
export type LedgerWriterReply =
  | { id: number; positions: LedgerPosition[][] }
  | { id: number; error: string }
  | { id: number; closed: true }

const WORKER_MODULE = new URL('./ledger-writer-worker.js', import.meta.url)

/**
 * Appends partner pages' disclosures from a worker thread with its own connection to the store.
 *
 * Recording a page of 1,000 disclosures costs ~9 ms of CPU (SHA-256 of every version served,
 * canonical entries, leaf hashes, the Merkle nodes of two logs, the SQL write): a third of a partner
 * page, paid on the one thread that serves every request. The worker does all of it on another core;
 * the request still waits for the append to be durable before its response leaves, but other requests
 * go on meanwhile. The worker's store call is an ordinary `appendLedger` in its own transaction, so it
 * interleaves with the node's own ledger writes (policy changes) as two appends from two processes
 * would. Exactly the entries, bytes and positions the node would append itself (tested).
 */
export class LedgerWriter {
  readonly #module: URL
  readonly #data: LedgerWriterData
  #worker: Worker | undefined
  #nextId = 0
  readonly #pending = new Map<
    number,
    { resolve: (reply: LedgerWriterReply) => void; reject: (error: Error) => void }
  >()

  private constructor(module: URL, data: LedgerWriterData) {
    this.#module = module
    this.#data = data
  }

  /**
   * A writer for the store at `location`, or undefined where a second connection cannot share it (an
   * in-memory database) or the worker module is not built (the node running from TypeScript sources,
   * as the unit tests do; they name the built module as `module`).
   */
  static for(location: string, dataDir: string, module: URL = WORKER_MODULE): LedgerWriter | undefined {
    if (location === ':memory:' || location === 'sqlite::memory:') return undefined
    if (!existsSync(fileURLToPath(module))) return undefined
    return new LedgerWriter(module, { location, dataDir })
  }

  /** Appends the batch's disclosure entries; resolves with their positions once they are durable. */
  async append(batch: DisclosureBatch): Promise<LedgerPosition[][]> {
    const { packed, transfer } = packBatch(batch)
    const reply = await this.#send({ id: this.#nextId++, batch: packed }, transfer)
    if ('error' in reply) throw new Error(`ledger writer: ${reply.error}`)
    if (!('positions' in reply)) throw new Error('ledger writer: unexpected reply')
    return reply.positions
  }

  /** Lets appends in flight finish, then stops the worker (which closes its store). */
  async close(): Promise<void> {
    const worker = this.#worker
    if (!worker) return
    await this.#send({ id: this.#nextId++, close: true }).catch(() => {})
    await worker.terminate()
  }

  #send(request: LedgerWriterRequest, transfer: ArrayBuffer[] = []): Promise<LedgerWriterReply> {
    const worker = this.#worker ?? this.#start()
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject })
      // held while an append is in flight; an idle worker does not keep the process alive
      worker.ref()
      worker.postMessage(request, transfer)
    })
  }

  #start(): Worker {
    const worker = new Worker(this.#module, { workerData: this.#data })
    worker.on('message', (reply: LedgerWriterReply) => {
      const waiter = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (this.#pending.size === 0) worker.unref()
      waiter?.resolve(reply)
    })
    // a worker that fails (cannot open the store, crashes) fails what it was asked; the next append
    // starts a new one
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined
      for (const waiter of this.#pending.values()) waiter.reject(error)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`ledger writer stopped (exit code ${code})`)))
    this.#worker = worker
    return worker
  }
}
