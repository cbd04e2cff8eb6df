/** Small fictional STIX objects for API tests (documentation IP ranges only). */
export const T0 = '2026-01-05T08:00:00.000Z'

let counter = 0
export function uuid(n = ++counter): string {
  return `${n.toString(16).padStart(8, '0')}-1111-4111-8111-111111111111`
}

export function indicator(n: number, modified = T0, extra: Record<string, unknown> = {}) {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuid(n)}`,
    created: T0,
    modified,
    name: `Broker relay ${n}`,
    pattern: `[ipv4-addr:value = '198.51.100.${n % 250}']`,
    pattern_type: 'stix',
    valid_from: T0,
    ...extra,
  }
}

export function intrusionSet(n: number, name: string) {
  return {
    type: 'intrusion-set',
    spec_version: '2.1',
    id: `intrusion-set--${uuid(n)}`,
    created: T0,
    modified: T0,
    name,
  }
}
