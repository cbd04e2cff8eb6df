/** The store a location names could not be opened: unreachable server, unusable file, bad setting. */
export class StoreOpenError extends Error {}
