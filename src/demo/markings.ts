import type { StixObject } from '../stix/object.js'
import { HOME_IDENTITY_ID } from './parties.js'
import { beforeEpoch } from './time.js'
import { TLP_MARKING_IDS } from './tlp.js'
import { demoId } from './uuid.js'

export { isTlpMarkingId, TLP_LEVELS, TLP_MARKING_IDS, type TlpLevel } from './tlp.js'

/** Use caveats the demo attaches to objects, as statement marking-definitions (the policy engine interprets them). */
export type DemoCaveatKey = 'H0' | 'IEP_INTERNAL' | 'IEP_NO_ATTRIBUTION'

export const DEMO_CAVEATS: Readonly<Record<DemoCaveatKey, string>> = {
  H0: demoId('marking-definition', 'caveat/h0'),
  IEP_INTERNAL: demoId('marking-definition', 'caveat/iep-internally-visible-actions'),
  IEP_NO_ATTRIBUTION: demoId('marking-definition', 'caveat/iep-provider-attribution-must-not'),
}

const STATEMENTS: Readonly<Record<DemoCaveatKey, { name: string; statement: string }>> = {
  H0: {
    name: 'Handling code H0',
    statement: 'H0: to be used only to prevent and fight crime, within the applicable law.',
  },
  IEP_INTERNAL: {
    name: 'IEP permitted actions: internally visible actions',
    statement:
      'IEP permitted_actions=internally-visible-actions: recipients may act on this only in ways not visible outside their own organisation.',
  },
  IEP_NO_ATTRIBUTION: {
    name: 'IEP provider attribution: must not',
    statement:
      'IEP provider_attribution=must-not: recipients must not name the provider when passing this on.',
  },
}

/**
 * The caveat marking-definitions, as plain STIX objects. Each is itself TLP:CLEAR: a partner that receives an
 * object under a caveat must be able to receive the caveat's definition, or it cannot resolve the marking
 * (a receiving node rejects an object whose marking it cannot resolve).
 */
export function caveatMarkingDefinitions(): StixObject[] {
  return (Object.keys(DEMO_CAVEATS) as DemoCaveatKey[]).map((key) => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id: DEMO_CAVEATS[key],
    created_by_ref: HOME_IDENTITY_ID,
    created: beforeEpoch(24 * 90),
    name: STATEMENTS[key].name,
    definition_type: 'statement',
    definition: { statement: STATEMENTS[key].statement },
    object_marking_refs: [TLP_MARKING_IDS.clear],
  }))
}
