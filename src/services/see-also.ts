/**
 * Where a refused request's user can look up what exists, in the terms of the interface they use: a CLI user
 * runs a command, an API client makes a request. One refusal, two hints, so neither is told to use the other.
 */
export interface SeeAlso {
  cli: string
  api: string
}

export const SEE_PARTNERS: SeeAlso = { cli: 'sluice partners list', api: 'GET /admin/partners' }
export const SEE_PRINCIPALS: SeeAlso = { cli: 'sluice principals list', api: 'GET /admin/principals' }
export const SEE_AGREEMENTS: SeeAlso = { cli: 'sluice agreements list', api: 'GET /admin/agreements' }
export const SEE_ORDERS: SeeAlso = { cli: 'sluice policy history', api: 'GET /admin/orders' }
export const SEE_COLLECTIONS: SeeAlso = {
  cli: 'sluice collections list',
  api: 'GET /{api-root}/collections/',
}

/**
 * A refusal that may say where to look. Its `message` is the CLI's (a command to run); `forApi` says the same
 * with a request to make, and is what the JSON APIs answer with.
 */
export class HintedError extends Error {
  readonly forApi: string

  constructor(message: string, seeAlso?: SeeAlso) {
    super(seeAlso ? `${message}; see "${seeAlso.cli}"` : message)
    this.forApi = seeAlso ? `${message}; see ${seeAlso.api}` : message
  }
}
