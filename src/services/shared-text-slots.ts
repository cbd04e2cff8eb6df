/** A slot holds a page of ~1,000 versions of ~1 KiB with room to spare. */
const SLOT_BYTES = 4 * 1024 * 1024
/** Pages recorded at once (four readers and their successors queued) rarely need more. */
const MAX_SLOTS = 8
/** UTF-8 needs at most 3 bytes per UTF-16 unit (a surrogate pair, two units, takes 4). */
const MAX_UTF8_PER_UNIT = 3

/** A page's texts in shared memory, and the call that gives their memory back. */
export interface SharedText {
  buffer: SharedArrayBuffer
  /** UTF-8 bytes of the texts, from the buffer's start. */
  byteLength: number
  release: () => void
}

/**
 * Shared memory through which the serving thread hands a page's served texts to the ledger writer's
 * thread: written once as UTF-8, hashed there in place. A string posted to a worker is copied twice (into
 * the message, out into the worker's heap) and encoded once more for hashing, and each page's megabyte
 * string is garbage for the worker's collector; a few slots, allocated once and reused, cost neither. A
 * page too large for a slot, or beyond the slots in use, gets memory of its own.
 */
export class SharedTextSlots {
  readonly #free: SharedArrayBuffer[] = []
  #allocated = 0

  constructor(
    readonly slotBytes = SLOT_BYTES,
    readonly maxSlots = MAX_SLOTS,
  ) {}

  /** `text` as UTF-8 in shared memory; call `release` once the worker has answered. */
  place(text: string): SharedText {
    // the exact length is counted only when the bound does not settle it
    const exact = text.length * MAX_UTF8_PER_UNIT <= this.slotBytes ? undefined : Buffer.byteLength(text)
    const slot = exact === undefined || exact <= this.slotBytes ? this.#take() : undefined
    const buffer = slot ?? new SharedArrayBuffer(exact ?? Buffer.byteLength(text))
    const byteLength = Buffer.from(buffer).write(text, 'utf8')
    let released = false
    const release = () => {
      if (released || slot === undefined) return
      released = true
      this.#free.push(slot)
    }
    return { buffer, byteLength, release }
  }

  /** Slots allocated so far (each kept for reuse). */
  get allocated(): number {
    return this.#allocated
  }

  #take(): SharedArrayBuffer | undefined {
    const slot = this.#free.pop()
    if (slot) return slot
    if (this.#allocated === this.maxSlots) return undefined
    this.#allocated++
    return new SharedArrayBuffer(this.slotBytes)
  }
}
