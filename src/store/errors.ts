/** The store a location names could not be opened: unreachable server, unusable file, bad setting. */
export class StoreOpenError extends Error {}

/**
 * A policy change was computed from a policy that another writer changed meanwhile (another request, or
 * another process on the same store); recomputing it from the current policy is the caller's to do.
 */
export class PolicyChangedError extends Error {
  constructor() {
    super('the policy changed while this change was being made')
  }
}

/** The store holds a copy a migrate started and never finished: it is no node. */
export class IncompleteStoreError extends StoreOpenError {}
