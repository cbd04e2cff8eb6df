import { createHash } from 'node:crypto'

/**
 * The id a store keeps a policy view text under: the first 48 bits of its SHA-256. Derived from the text,
 * so every process and both adapters agree on it without coordinating; an id already held by another
 * text (a collision) is detected on insert and that version is stored without a view, which only means
 * the gate judges its text. 48 bits stay exact in a JavaScript number and fit SQLite's and PostgreSQL's
 * 64-bit integers.
 */
export function policyViewId(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6)
}

/** View ids a store instance has already checked are held by the expected text (bounded; only saves work). */
export class KnownViews {
  readonly #ids = new Set<number>()

  has(id: number): boolean {
    return this.#ids.has(id)
  }

  add(id: number): void {
    if (this.#ids.size >= 1_000_000) this.#ids.clear()
    this.#ids.add(id)
  }
}
