/** The node cannot start as configured; the message says what to change. */
export class NodeConfigError extends Error {}
