/** The store a location names could not be opened: unreachable server, unusable file, bad setting. */
export class StoreOpenError extends Error {}

/** The store holds a copy a migrate started and never finished: it is no node. */
export class IncompleteStoreError extends StoreOpenError {}
