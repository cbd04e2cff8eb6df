import type { StixObject } from '../stix/object.js'
import type { DemoCollectionAlias } from './collections.js'
import type { DemoCaveatKey } from './markings.js'
import { beforeEpoch } from './time.js'
import type { TlpLevel } from './tlp.js'
import { demoId } from './uuid.js'

/** The home node (fictional). */
export const HOME_NAME = 'Meridia National Police — Maritime Intelligence Unit'
export const HOME_IDENTITY_ID = demoId('identity', 'meridia-maritime-intelligence-unit')

export type DemoPartnerKey = 'northland' | 'isles' | 'southern' | 'imac'

/** A partner and its sharing agreement in the demo (fictional agencies). */
export interface DemoPartner {
  key: DemoPartnerKey
  name: string
  identityId: string
  kind: 'foreign-police' | 'foreign-coast-guard' | 'foreign-customs' | 'international-centre'
  agreement: {
    /** Collection aliases, or every collection. */
    collections: DemoCollectionAlias[] | '*'
    /** Highest TLP level the partner may receive. */
    maxTlp: TlpLevel
    /** Keys of `DEMO_CAVEATS` the agreement binds the partner to. */
    caveats: DemoCaveatKey[]
    notes?: string
  }
}

export const DEMO_PARTNERS: readonly DemoPartner[] = [
  {
    key: 'northland',
    name: 'Northland Drug Enforcement Bureau',
    identityId: demoId('identity', 'northland-drug-enforcement-bureau'),
    kind: 'foreign-police',
    agreement: {
      collections: ['maritime-routes', 'networks'],
      maxTlp: 'amber',
      caveats: ['H0', 'IEP_INTERNAL'],
      notes: 'Use only to prevent and combat crime (H0); IEP permitted actions: internally visible actions.',
    },
  },
  {
    key: 'isles',
    name: 'Isles Coast Guard',
    identityId: demoId('identity', 'isles-coast-guard'),
    kind: 'foreign-coast-guard',
    agreement: { collections: ['maritime-routes'], maxTlp: 'green', caveats: [] },
  },
  {
    key: 'southern',
    name: 'Southern Customs Service',
    identityId: demoId('identity', 'southern-customs-service'),
    kind: 'foreign-customs',
    agreement: { collections: ['networks', 'financial-flows'], maxTlp: 'amber', caveats: [] },
  },
  {
    key: 'imac',
    name: 'Interregional Maritime Analysis Centre',
    identityId: demoId('identity', 'interregional-maritime-analysis-centre'),
    kind: 'international-centre',
    agreement: {
      collections: '*',
      maxTlp: 'amber+strict',
      caveats: ['IEP_NO_ATTRIBUTION'],
      notes: 'Everything up to TLP:AMBER+STRICT; IEP provider attribution: must not.',
    },
  },
]

const SECTORS: Record<DemoPartner['kind'] | 'home', string[]> = {
  home: ['government-national'],
  'foreign-police': ['government-national'],
  'foreign-coast-guard': ['government-national'],
  'foreign-customs': ['government-national'],
  'international-centre': ['government-public-services'],
}

function identity(id: string, name: string, kind: keyof typeof SECTORS, description: string): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id,
    created_by_ref: HOME_IDENTITY_ID,
    created: beforeEpoch(24 * 120),
    modified: beforeEpoch(24 * 120),
    name,
    description,
    identity_class: 'organization',
    sectors: SECTORS[kind],
  }
}

/** The identity objects of the home node and the four partners. */
export function partyIdentities(): StixObject[] {
  return [
    identity(
      HOME_IDENTITY_ID,
      HOME_NAME,
      'home',
      'Home node of the demo: the maritime intelligence unit of a fictional national police force.',
    ),
    ...DEMO_PARTNERS.map((p) =>
      identity(p.identityId, p.name, p.kind, `Fictional partner agency (${p.kind}).`),
    ),
  ]
}
