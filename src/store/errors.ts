/** The store a location names could not be opened: unreachable server, unusable file, bad setting. */
export class StoreOpenError extends Error {}

/**
 * A policy change was computed from a policy that another writer changed meanwhile (another request, or
 * another process on the same store); recomputing it from the current policy is the caller's to do.
 */
export class PolicyChangedError extends Error {
  constructor() {
    // a caller sees this only once its retries are spent: say what happened to its change
    super(
      'the policy kept changing while this change was being made (another process of this node is changing it); nothing was changed: try again',
    )
  }
}

/** The store holds a copy a migrate started and never finished: it is no node. */
export class IncompleteStoreError extends StoreOpenError {}
