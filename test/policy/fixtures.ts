import type {
  Agreement,
  ObjectVersion,
  Partner,
  PolicyHistory,
  Resumption,
  Suspension,
} from '../../src/policy/types.js'
import type { StixObject } from '../../src/stix/object.js'

export const T0 = '2025-03-01T00:00:00.000Z'
export const day = (n: number, hour = 12): string => new Date(Date.UTC(2025, 2, n, hour)).toISOString()

export function partner(id: string, name = id): Partner {
  return {
    id,
    name,
    identity_id: `identity--00000000-0000-4000-8000-${id.padStart(12, '0').slice(-12)}`,
    kind: 'police',
  }
}

export function agreement(id: string, partnerId: string, fields: Partial<Agreement> = {}): Agreement {
  return {
    id,
    version: 1,
    partner_id: partnerId,
    collections: '*',
    object_types: '*',
    max_tlp: 'amber',
    effective_from: T0,
    recorded_at: T0,
    recorded_by: 'legal office',
    ...fields,
  }
}

export function suspension(id: string, partnerId: string, fields: Partial<Suspension> = {}): Suspension {
  return {
    kind: 'suspension',
    id,
    partner_id: partnerId,
    effective_from: T0,
    issuer: 'duty officer',
    reason: 'test',
    recorded_at: T0,
    recorded_by: 'duty officer',
    ...fields,
  }
}

export function resumption(id: string, lifts: string, effective: string): Resumption {
  return {
    kind: 'resumption',
    id,
    lifts,
    effective_from: effective,
    issuer: 'duty officer',
    reason: 'lifted',
    recorded_at: effective,
  }
}

export function history(fields: Partial<PolicyHistory> = {}): PolicyHistory {
  return { partners: [partner('p1'), partner('p2')], agreements: [], orders: [], ...fields }
}

let n = 0
export function obj(fields: Partial<StixObject> = {}, collectionId = 'c1'): ObjectVersion {
  n++
  const object: StixObject = {
    type: 'intrusion-set',
    spec_version: '2.1',
    id: `intrusion-set--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    created: T0,
    modified: T0,
    name: 'Red Heron network',
    description: 'A fictional trafficking network.',
    ...fields,
  }
  return { collectionId, object }
}
