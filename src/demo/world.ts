/**
 * The fictional demo world of DEMO.md: the home node, four partner agencies and their agreements,
 * three collections of intelligence, caveat markings, and the five-day story the demo replays.
 * Every agency, network, place and address here is invented; IPs are documentation addresses and
 * domains are example.*.
 *
 * The world is generated from a fixed seed and fixed timestamps, so `buildDemoWorld()` returns the
 * same objects, serialising to the same bytes, on every run.
 */
import { type DemoWorldEntry, WorldBuilder } from './builder.js'
import type { DemoCollectionAlias } from './collections.js'
import { buildFinance } from './finance.js'
import { caveatMarkingDefinitions } from './markings.js'
import { buildNetworks } from './networks.js'
import { partyIdentities } from './parties.js'
import { buildRoutes } from './routes.js'

export type { AdmiraltyGrade, DemoWorldEntry, Marks } from './builder.js'
export { DEMO_COLLECTIONS, type DemoCollection, type DemoCollectionAlias } from './collections.js'
export { BANK_ACCOUNT_EXTENSION_ID, BANK_ACCOUNT_TYPE } from './finance.js'
export { DEMO_CAVEATS, type DemoCaveatKey } from './markings.js'
export {
  DEMO_PARTNERS,
  type DemoPartner,
  type DemoPartnerKey,
  HOME_IDENTITY_ID,
  HOME_NAME,
} from './parties.js'
export { DEMO_STORY, type DemoOrder, type DemoStoryStep } from './story.js'
export { DEMO_EPOCH, demoInstant } from './time.js'
export { isTlpMarkingId, TLP_LEVELS, TLP_MARKING_IDS, type TlpLevel } from './tlp.js'

/** The seed of the demo world. */
export const DEMO_SEED = 20260105

const ALL_COLLECTIONS: DemoCollectionAlias[] = ['networks', 'maritime-routes', 'financial-flows']

/**
 * Builds the demo world: `{ collection, object }` entries in a fixed order. The identities and the
 * caveat marking-definitions are published in every collection, so each collection is self-contained;
 * an object with several versions appears once per version (same id, later `modified`).
 */
export function buildDemoWorld(): DemoWorldEntry[] {
  const w = new WorldBuilder(DEMO_SEED)
  const shared = [...partyIdentities(), ...caveatMarkingDefinitions()]
  for (const collection of ALL_COLLECTIONS)
    for (const object of shared) w.add(collection, structuredClone(object))
  const networks = buildNetworks(w)
  buildRoutes(w, networks)
  buildFinance(w, networks)
  return w.entries
}
