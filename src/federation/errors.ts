import { type SeeAlso, withSeeAlso } from '../services/see-also.js'

/** A federation request that cannot be honoured; the HTTP layer and the CLI translate it once. */
export class FederationError extends Error {
  /** The message with the API's hint on where to look; `message` carries the CLI's. */
  readonly forApi: string

  constructor(
    readonly code: 'not_found' | 'invalid' | 'conflict',
    message: string,
    seeAlso?: SeeAlso,
  ) {
    const text = withSeeAlso(message, seeAlso)
    super(text.cli)
    this.forApi = text.api
  }
}
