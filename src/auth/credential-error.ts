/**
 * A key or certificate operation the node refuses. `missing`: the principal, key or binding it names does
 * not exist (or is no longer active), which the API answers 404 rather than 400.
 */
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message)
  }
}
