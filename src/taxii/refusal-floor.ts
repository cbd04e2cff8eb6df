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

  /** Whether a refusal with `status` waits for the floor: a partner's 404. */
  holds(status: number): boolean {
    return this.#partner && status === 404
  }

  /**
   * The wait itself. Callers await it only when `holds` says so, so that nobody else's refusal is delayed
   * even by a turn: with one more await before it, the fuzz test's HEAD with a body got a second answer
   * after its refusal.
   */
  wait(): Promise<void> {
    return holdUntil(this.#arrived + this.floorMs)
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
