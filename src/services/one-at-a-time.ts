/**
 * A queue for work that checks, then writes: each run starts when the previous one has settled, so two
 * requests arriving together cannot both pass the check (a failed run does not stop the ones after it).
 * Within one process only; another process writing to the same database is not held back.
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve()
  return (work) => {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }
}
