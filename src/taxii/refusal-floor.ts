/**
 * Waits until `performance.now()` reaches `at` (at once if it has): how a partner's 404 is held to the
 * refusal floor (TaxiiConfig.refusalFloorMs). A timer alone fires on a millisecond tick counted from the
 * event loop's cached clock, which lets part of the work done before it show through; so a timer takes it to
 * within a millisecond and turns of the event loop (which go on serving others) finish the wait.
 */
export async function holdUntil(at: number): Promise<void> {
  const coarse = at - performance.now() - 1
  if (coarse > 0) await new Promise((resolve) => setTimeout(resolve, coarse))
  while (performance.now() < at) await new Promise((resolve) => setImmediate(resolve))
}
