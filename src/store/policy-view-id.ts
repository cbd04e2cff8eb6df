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

/**
 * The text each view id was found to hold, for ids a store instance has already written or read (bounded;
 * it only saves reads). Keeping the text, not just the id, is what lets a clash with a known id be seen.
 */
export class KnownViews {
  readonly #texts = new Map<number, string>()

  /** `held` when `id` is known to hold `text`, `clash` when it holds another text, else `unknown`. */
  verdict(id: number, text: string): 'held' | 'clash' | 'unknown' {
    const known = this.#texts.get(id)
    return known === undefined ? 'unknown' : known === text ? 'held' : 'clash'
  }

  add(id: number, text: string): void {
    if (this.#texts.size >= 100_000) this.#texts.clear()
    this.#texts.set(id, text)
  }
}
