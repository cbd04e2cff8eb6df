/**
 * Where a refused request's user can look up what exists, in the terms of the interface they use: a CLI user
 * runs a command, an API client makes a request. One refusal, two hints, so neither is told to use the other.
 */
export interface SeeAlso {
  cli: string
  api: string
}

export const SEE_PARTNERS: SeeAlso = { cli: 'sluice partners list', api: 'GET /admin/partners' }
export const SEE_AGREEMENTS: SeeAlso = { cli: 'sluice agreements list', api: 'GET /admin/agreements' }
export const SEE_ORDERS: SeeAlso = { cli: 'sluice policy history', api: 'GET /admin/orders' }
export const SEE_COLLECTIONS: SeeAlso = {
  cli: 'sluice collections list',
  api: 'GET /{api-root}/collections/',
}

/** The refusal as the CLI shows it (its `message`), and as the API does. */
export function withSeeAlso(message: string, seeAlso: SeeAlso | undefined): { cli: string; api: string } {
  return seeAlso
    ? { cli: `${message}; see "${seeAlso.cli}"`, api: `${message}; see ${seeAlso.api}` }
    : { cli: message, api: message }
}
