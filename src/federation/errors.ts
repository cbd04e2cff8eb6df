import { HintedError, type SeeAlso } from '../services/see-also.js'

/** A federation request that cannot be honoured; the HTTP layer and the CLI translate it once. */
export class FederationError extends HintedError {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'conflict',
    message: string,
    seeAlso?: SeeAlso,
  ) {
    super(message, seeAlso)
  }
}
