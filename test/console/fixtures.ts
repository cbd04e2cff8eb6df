import type { ObjectVersion, PolicyHistory, Suspension } from '../../src/policy/types.js'
import type { Corpus } from '../../src/services/corpus.js'
import { agreement, partner, suspension } from '../policy/fixtures.js'

// the policy-domain builders; their default instants lie before T0 here, so they are in force throughout
export { agreement, partner, suspension }

export const T0 = '2026-02-01T00:00:00.000Z'
export const NOW = '2026-02-03T10:00:00.000Z'
export const TLP = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
} as const

/** Two fictional partners: "north" (routes and networks) and "isles" (routes only, up to GREEN). */
export function world(orders: Suspension[] = []): PolicyHistory {
  return {
    partners: [
      partner('north', 'Northland Bureau'),
      partner('isles', 'Isles Guard'),
      partner('south', 'Southern Customs'),
    ],
    agreements: [
      agreement('agr-north', 'north', { collections: ['routes', 'networks'] }),
      agreement('agr-isles', 'isles', { collections: ['routes'], max_tlp: 'green' }),
      agreement('agr-south', 'south', { collections: ['networks', 'money'] }),
    ],
    orders,
    collections: ['routes', 'networks', 'money'],
  }
}

let n = 0
export function version(collectionId: string, tlp: keyof typeof TLP, type = 'location'): ObjectVersion {
  n++
  return {
    collectionId,
    object: {
      type,
      spec_version: '2.1',
      id: `${type}--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      created: T0,
      modified: T0,
      name: `Fictional place ${n}`,
      object_marking_refs: [TLP[tlp]],
    },
  }
}

export function corpus(versions: ObjectVersion[]): Corpus {
  return { versions, contextFor: () => undefined }
}
