/**
 * Holds a partner's 404 until a floor after its request arrived (TaxiiConfig.refusalFloorMs), so refusing
 * a hidden object and refusing an unknown one leave at the same moment. One per request: made when it
 * arrives, told who asked once it authenticates, asked before a refusal is sent.
 */
export class RefusalFloor {
  readonly #arrived = performance.now()
  #partner = false

  constructor(readonly floorMs: number) {}

  /** The role the request authenticated as; only a partner's refusals are held. */
  askedBy(role: string): void {
    this.#partner = role === 'partner'
  }

  /** Resolves when a refusal with `status` may be sent: at the floor for a partner's 404, else at once. */
  async before(status: number): Promise<void> {
    if (this.#partner && status === 404) await holdUntil(this.#arrived + this.floorMs)
  }
}

/**
 * Waits until `performance.now()` reaches `at` (at once if it has). A timer alone fires on a millisecond
 * tick counted from the event loop's cached clock, which lets part of the work done before it show through;
 * so a timer takes it to within a millisecond and turns of the event loop (which go on serving others)
 * finish the wait.
 */
async function holdUntil(at: number): Promise<void> {
  const coarse = at - performance.now() - 1
  if (coarse > 0) await new Promise((resolve) => setTimeout(resolve, coarse))
  while (performance.now() < at) await new Promise((resolve) => setImmediate(resolve))
}
