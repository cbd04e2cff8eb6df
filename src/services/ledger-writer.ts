import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { DisclosureEntry } from '../ledger/entry.js'
import { sha256Hex } from '../ledger/hash.js'
import type { LedgerPosition } from '../store/types.js'
import type { DisclosureBatch } from './ledger-service.js'
import { SharedTextSlots } from './shared-text-slots.js'

/** What the worker is started with (`workerData`). */
export interface LedgerWriterData {
  location: string
  dataDir: string
}

/**
 * A disclosure batch as it crosses to the worker: the texts served, joined by commas (the string the
 * response is built from, so nothing is joined twice) and written once as UTF-8 into shared memory, where
 * the worker hashes each in place (see SharedTextSlots); each version's collection, object id, modified
 * and agreement joined into one string; and all their lengths in one typed array. A structured clone
 * copies a few flat strings and one typed array quickly, where a thousand small objects cost it a
 * property name per field and a string each.
 */
export interface PackedBatch {
  partnerId: string
  disclosedAt: string
  requestId: string
  /** The texts' UTF-8, separated by commas, from the buffer's start (a reused slot holds older bytes after them). */
  texts: SharedArrayBuffer
  textBytes: number
  strings: string
  /**
   * Per version, five lengths: its text's in UTF-8 bytes, then the fields' (in UTF-16 units) in the order
   * above; NO_VALUE for a null `modified`.
   */
  lengths: Uint32Array
}

const FIELDS_PER_VERSION = 5
const NO_VALUE = 0xffffffff
const SEPARATOR_BYTES = 1
const TEXTS_MISMATCH = 'disclosure batch: joined texts do not match its versions'

/** The batch packed, the buffer to transfer with it, and the call that frees its shared texts. */
export function packBatch(
  batch: DisclosureBatch,
  slots: SharedTextSlots,
): { packed: PackedBatch; transfer: ArrayBuffer[]; release: () => void } {
  const { partnerId, disclosedAt, requestId, versions } = batch
  const parts: string[] = []
  const lengths = new Uint32Array(versions.length * FIELDS_PER_VERSION)
  let k = 0
  let textLength = versions.length > 0 ? versions.length - 1 : 0
  const add = (value: string | null) => {
    if (value === null) lengths[k++] = NO_VALUE
    else {
      parts.push(value)
      lengths[k++] = value.length
    }
  }
  for (const v of versions) {
    lengths[k++] = v.json.length
    textLength += v.json.length
    add(v.collectionId)
    add(v.objectId)
    add(v.objectModified)
    add(v.agreementId)
  }
  const texts = batch.joined?.() ?? versions.map((v) => v.json).join(',')
  if (texts.length !== textLength) throw new Error(TEXTS_MISMATCH)
  const shared = slots.place(texts)
  // all ASCII (the usual case) exactly when every unit took one byte: the lengths are already bytes
  if (shared.byteLength !== texts.length) {
    let bytes = versions.length > 0 ? (versions.length - 1) * SEPARATOR_BYTES : 0
    for (let i = 0; i < versions.length; i++) {
      const length = Buffer.byteLength(versions[i]!.json)
      lengths[i * FIELDS_PER_VERSION] = length
      bytes += length
    }
    if (bytes !== shared.byteLength) {
      shared.release()
      throw new Error(TEXTS_MISMATCH)
    }
  }
  const packed = {
    partnerId,
    disclosedAt,
    requestId,
    texts: shared.buffer,
    textBytes: shared.byteLength,
    strings: parts.join(''),
    lengths,
  }
  return { packed, transfer: [lengths.buffer], release: shared.release }
}

/** The disclosure entries of the batch packed by `packBatch`: `disclosureEntries` of that batch. */
export function unpackEntries(packed: PackedBatch): DisclosureEntry[] {
  const { strings, lengths, partnerId, disclosedAt, requestId } = packed
  const texts = Buffer.from(packed.texts, 0, packed.textBytes)
  const entries: DisclosureEntry[] = []
  let at = 0
  let textAt = 0
  const next = (k: number): string | null => {
    const length = lengths[k]!
    if (length === NO_VALUE) return null
    at += length
    return strings.slice(at - length, at)
  }
  for (let k = 0; k < lengths.length; k += FIELDS_PER_VERSION) {
    const textLength = lengths[k]!
    if (textAt + textLength > texts.length) throw new Error('malformed packed disclosure batch')
    const contentSha256 = sha256Hex(texts.subarray(textAt, textAt + textLength))
    textAt += textLength + SEPARATOR_BYTES
    const collectionId = next(k + 1)
    const objectId = next(k + 2)
    const objectModified = next(k + 3)
    const agreementId = next(k + 4)
    if (collectionId === null || objectId === null || agreementId === null)
      throw new Error('malformed packed disclosure batch')
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

/**
 * Where a batch's entries went, as it crosses back: the log ids once, and runs of entries whose positions
 * continue the run's first one (the next index in each of the same logs), as numbers in one typed array:
 * per run its length in entries, its width in logs, then (log, first index) per log. A page's entries sit
 * end to end in its partner's log and in the global one, so a page is one run, where a structured clone
 * of a thousand arrays of position objects costs both threads a property per field.
 */
export interface PackedPositions {
  logs: string[]
  runs: Float64Array
}

function continuesRun(
  first: readonly LedgerPosition[],
  next: readonly LedgerPosition[],
  offset: number,
): boolean {
  if (next.length !== first.length) return false
  for (let k = 0; k < first.length; k++)
    if (next[k]!.logId !== first[k]!.logId || next[k]!.index !== first[k]!.index + offset) return false
  return true
}

export function packPositions(positions: readonly (readonly LedgerPosition[])[]): PackedPositions {
  const logs: string[] = []
  const refs = new Map<string, number>()
  const runs: number[] = []
  for (let i = 0; i < positions.length; ) {
    const first = positions[i]!
    let length = 1
    while (i + length < positions.length && continuesRun(first, positions[i + length]!, length)) length++
    runs.push(length, first.length)
    for (const p of first) {
      let ref = refs.get(p.logId)
      if (ref === undefined) {
        ref = logs.length
        logs.push(p.logId)
        refs.set(p.logId, ref)
      }
      runs.push(ref, p.index)
    }
    i += length
  }
  return { logs, runs: Float64Array.from(runs) }
}

export function unpackPositions(packed: PackedPositions): LedgerPosition[][] {
  const { logs, runs } = packed
  const out: LedgerPosition[][] = []
  for (let r = 0; r < runs.length; ) {
    const length = runs[r]!
    const width = runs[r + 1]!
    for (let e = 0; e < length; e++) {
      const at: LedgerPosition[] = []
      for (let k = 0; k < width; k++) {
        const logId = logs[runs[r + 2 + 2 * k]!]
        if (logId === undefined) throw new Error('malformed packed ledger positions')
        at.push({ logId, index: runs[r + 3 + 2 * k]! + e })
      }
      out.push(at)
    }
    r += 2 + 2 * width
  }
  return out
}

/** A request to the worker, and its answer. */
export type LedgerWriterRequest = { id: number; batch: PackedBatch } | { id: number; close: true }
export type LedgerWriterReply =
  | { id: number; positions: PackedPositions }
  | { id: number; error: string }
  | { id: number; closed: true }

const WORKER_MODULE = new URL('./ledger-writer-worker.js', import.meta.url)
// The young generation trades the writer's collector time against memory: at 12 MB its scavenges keep
// copying the batch in flight (~17 points more ledger cost on reads); at 32 MB its new space doubles
// after a minute or two, growing the process by as much for no gain over 16 (bench/RESULTS.md, fifth round).
const WRITER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 }
/**
 * Disclosures sent to the worker and not yet answered, at most (a larger page goes alone). The worker
 * appends all it has queued in one transaction, whose work is live at once in its bounded heap: a hundred
 * concurrent pages of 1,000 merged whole ran it out of memory, failing every request in flight
 * (bench/RESULTS.md, fifth round). Four readers' pages of 1,000 fit within it.
 */
const MAX_IN_FLIGHT = 8192

/**
 * Appends partner pages' disclosures from a worker thread with its own connection to the store.
 *
 * Recording a page of 1,000 disclosures costs ~9 ms of CPU (SHA-256 of every version served,
 * canonical entries, leaf hashes, the Merkle nodes of two logs, the SQL write): as much as the partner
 * page itself, paid on the one thread that serves every request. The worker does all of it on another core;
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
  readonly #slots = new SharedTextSlots()
  readonly #pending = new Map<
    number,
    { resolve: (reply: LedgerWriterReply) => void; reject: (error: Error) => void }
  >()
  /** Disclosures sent and not yet answered, the appends waiting (in order) for room, and every append unanswered. */
  #inFlight = 0
  readonly #waiting: { count: number; admit: () => void }[] = []
  readonly #appending = new Set<Promise<unknown>>()

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
  append(batch: DisclosureBatch): Promise<LedgerPosition[][]> {
    const appending = this.#append(batch)
    this.#appending.add(appending)
    const settled = () => this.#appending.delete(appending)
    appending.then(settled, settled)
    return appending
  }

  async #append(batch: DisclosureBatch): Promise<LedgerPosition[][]> {
    const count = batch.versions.length
    await this.#admit(count)
    let reply: LedgerWriterReply
    try {
      // packed only once admitted: a page waiting here holds no shared memory
      const { packed, transfer, release } = packBatch(batch, this.#slots)
      try {
        reply = await this.#send({ id: this.#nextId++, batch: packed }, transfer)
      } finally {
        // the worker is done with the texts once it has answered or died
        release()
      }
    } finally {
      this.#inFlight -= count
      this.#admitWaiting()
    }
    if ('error' in reply) throw new Error(`ledger writer: ${reply.error}`)
    if (!('positions' in reply)) throw new Error('ledger writer: unexpected reply')
    return unpackPositions(reply.positions)
  }

  /** Resolves once the batch fits in flight; a batch larger than the bound goes alone. */
  #admit(count: number): Promise<void> {
    if (this.#waiting.length === 0 && this.#fits(count)) {
      this.#inFlight += count
      return Promise.resolve()
    }
    return new Promise((admit) => this.#waiting.push({ count, admit }))
  }

  #fits(count: number): boolean {
    return this.#inFlight === 0 || this.#inFlight + count <= MAX_IN_FLIGHT
  }

  #admitWaiting(): void {
    for (let next = this.#waiting[0]; next !== undefined && this.#fits(next.count); next = this.#waiting[0]) {
      this.#waiting.shift()
      this.#inFlight += next.count
      next.admit()
    }
  }

  /** Lets appends in flight or waiting finish, then stops the worker (which closes its store). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#appending])
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
    // a bounded heap: the thread's live data is a few batches, and V8 would otherwise let an
    // allocation-heavy but idle-looking heap grow long before collecting it
    const worker = new Worker(this.#module, { workerData: this.#data, resourceLimits: WRITER_HEAP })
    worker.on('message', (reply: LedgerWriterReply) => {
      const waiter = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (this.#pending.size === 0) worker.unref()
      waiter?.resolve(reply)
    })
    // a worker that fails (crashes, exits) fails what it was asked, once (an error is followed by an
    // exit); the next append starts a new one, whose requests the old one's exit must not touch
    const fail = (error: Error) => {
      if (this.#worker !== worker) return
      this.#worker = undefined
      for (const waiter of this.#pending.values()) waiter.reject(error)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`ledger writer stopped (exit code ${code})`)))
    this.#worker = worker
    return worker
  }
}
