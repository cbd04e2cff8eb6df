/** A one-line progress counter, shown only when the stream is a terminal. */
export class Progress {
  readonly #out: NodeJS.WriteStream
  readonly #started = Date.now()
  #lastDraw = 0

  constructor(out: NodeJS.WriteStream) {
    this.#out = out
  }

  update(count: number): void {
    if (!this.#out.isTTY) return
    const now = Date.now()
    if (now - this.#lastDraw < 100) return
    this.#lastDraw = now
    const rate = Math.round(count / Math.max((now - this.#started) / 1000, 0.001))
    this.#out.write(`\r${count.toLocaleString('en')} objects (${rate.toLocaleString('en')}/s)`)
  }

  done(): void {
    if (this.#out.isTTY && this.#lastDraw > 0) this.#out.write('\r\x1b[K')
  }
}
