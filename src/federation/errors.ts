/** A federation request that cannot be honoured; the HTTP layer and the CLI translate it once. */
export class FederationError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'conflict',
    message: string,
  ) {
    super(message)
  }
}
