import type { RateLimit } from '../ops/rate-limit.js'
import { DEFAULT_API_ROOT } from '../services/api-roots.js'

/** Server settings that shape responses and limits; all have safe defaults. */
export interface TaxiiConfig {
  /** Base URL clients reach the node at; discovery and API-root URLs are built from it. */
  publicUrl: string
  title: string
  description: string
  contact?: string
  /** API root named as the default in discovery. */
  defaultApiRoot: string
  /** Largest request body accepted, in bytes (advertised as max_content_length). */
  maxContentLength: number
  /** Largest page served; a larger `limit` is reduced to it. */
  maxPageSize: number
  defaultPageSize: number
  /** Most objects accepted in one POST. */
  maxObjectsPerRequest: number
  /** Deepest JSON nesting accepted in a request body. */
  maxJsonDepth: number
  /**
   * A partner's 404 leaves no sooner than this many milliseconds after the request arrived. Refusing a hidden
   * object costs tens of microseconds more than refusing an unknown one (its rows are read and screened);
   * enough requests would tell them apart, and so tell a partner what exists (bench/timing).
   */
  refusalFloorMs: number
  /** Requests each partner may make, on every API together (per process); absent, no limit. */
  partnerRateLimit?: RateLimit
}

export const DEFAULT_TAXII_CONFIG: Omit<TaxiiConfig, 'publicUrl'> = {
  title: 'Sluice',
  description:
    'A Sluice sharing node: STIX 2.1 over TAXII 2.1 under sharing policy, with a verifiable disclosure log',
  defaultApiRoot: DEFAULT_API_ROOT.name,
  maxContentLength: 32 * 1024 * 1024,
  maxPageSize: 1000,
  defaultPageSize: 100,
  maxObjectsPerRequest: 20_000,
  maxJsonDepth: 64,
  refusalFloorMs: 5,
}
