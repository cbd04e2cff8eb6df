/**
 * Traffic Light Protocol levels and the three families of STIX identifiers that carry them.
 *
 * Order (least to most restrictive): CLEAR < GREEN < AMBER < AMBER+STRICT < RED.
 * TLP 1.0 WHITE is read as CLEAR and TLP 1.0 AMBER as AMBER (TLP 1.0 AMBER had no STRICT variant, and
 * FIRST's transition guidance maps it to TLP 2.0 AMBER).
 */
import type { StixObject } from '../stix/object.js'

export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const
export type TlpLevel = (typeof TLP_LEVELS)[number]

/** Position of a level in {@link TLP_LEVELS}: a higher rank is more restrictive. */
export function tlpRank(level: TlpLevel): number {
  return TLP_LEVELS.indexOf(level)
}

export function isTlpLevel(value: unknown): value is TlpLevel {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value)
}

/** The levels a suspension can be narrowed to "above": nothing is above RED, so an order above it would suspend nothing. */
export const ABOVE_TLP_LEVELS = TLP_LEVELS.filter((level) => level !== 'red')

export function isAboveTlpLevel(value: unknown): value is TlpLevel {
  return typeof value === 'string' && (ABOVE_TLP_LEVELS as readonly string[]).includes(value)
}

/** The more restrictive of two levels (`undefined` means "no TLP seen yet"). */
export function maxTlp(a: TlpLevel | undefined, b: TlpLevel | undefined): TlpLevel | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return tlpRank(a) >= tlpRank(b) ? a : b
}

/** `TLP:AMBER+STRICT` style label. */
export function tlpLabel(level: TlpLevel): string {
  return `TLP:${level.toUpperCase()}`
}

/**
 * Reads a TLP value as written by the various producers: `white`, `CLEAR`, `TLP:AMBER+STRICT`, `amber strict`.
 * Returns `undefined` for anything else.
 */
export function parseTlpValue(value: unknown): TlpLevel | undefined {
  if (typeof value !== 'string') return undefined
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^tlp\s*:\s*/, '')
    .replace(/\s*[+ _]\s*strict$/, '+strict')
  if (v === 'white') return 'clear'
  return isTlpLevel(v) ? v : undefined
}

/** The OASIS TLP 2.0 marking extension (cti-stix-common-objects). */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'

/** STIX 2.1 predefined TLP 1.0 marking-definitions (`definition_type: "tlp"`, created 2017-01-20). */
export const TLP1_MARKING_IDS = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
} as const

/** The five canonical OASIS TLP 2.0 marking-definitions (extension form, created 2022-10-01). */
export const TLP2_MARKING_IDS: Readonly<Record<TlpLevel, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

/**
 * OpenCTI's static AMBER+STRICT id. OpenCTI reuses the TLP 1.0 ids for CLEAR (the WHITE id), GREEN, AMBER and
 * RED; MISP (misp-stix) emits TLP 1.0 ids for white/green/amber/red and the OASIS TLP 2.0 ids for clear and
 * amber+strict, so those two platforms need only this one extra id.
 */
export const OPENCTI_AMBER_STRICT_ID = 'marking-definition--826578e1-40ad-459f-bc73-ede076f81f37'

export type TlpFamily = 'stix-2.1-tlp1' | 'oasis-tlp2' | 'opencti'

/** Every well-known TLP marking id, with its level and the family it comes from. */
export const WELL_KNOWN_TLP_IDS: ReadonlyMap<string, { level: TlpLevel; family: TlpFamily }> = new Map<
  string,
  { level: TlpLevel; family: TlpFamily }
>([
  [TLP1_MARKING_IDS.white, { level: 'clear', family: 'stix-2.1-tlp1' }],
  [TLP1_MARKING_IDS.green, { level: 'green', family: 'stix-2.1-tlp1' }],
  [TLP1_MARKING_IDS.amber, { level: 'amber', family: 'stix-2.1-tlp1' }],
  [TLP1_MARKING_IDS.red, { level: 'red', family: 'stix-2.1-tlp1' }],
  ...TLP_LEVELS.map(
    (level) => [TLP2_MARKING_IDS[level], { level, family: 'oasis-tlp2' as TlpFamily }] as const,
  ),
  [OPENCTI_AMBER_STRICT_ID, { level: 'amber+strict', family: 'opencti' }],
])

function tlp2Marking(level: TlpLevel): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: tlpLabel(level),
    extensions: {
      [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level },
    },
  }
}

/**
 * The canonical OASIS TLP 2.0 marking-definition objects, which the node emits by default.
 * Frozen: callers that need to modify one must copy it.
 */
export const TLP2_MARKINGS: Readonly<Record<TlpLevel, StixObject>> = Object.freeze({
  clear: deepFreeze(tlp2Marking('clear')),
  green: deepFreeze(tlp2Marking('green')),
  amber: deepFreeze(tlp2Marking('amber')),
  'amber+strict': deepFreeze(tlp2Marking('amber+strict')),
  red: deepFreeze(tlp2Marking('red')),
})

function tlp1Marking(color: keyof typeof TLP1_MARKING_IDS): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP1_MARKING_IDS[color],
    created: '2017-01-20T00:00:00.000Z',
    definition_type: 'tlp',
    name: `TLP:${color.toUpperCase()}`,
    definition: { tlp: color },
  }
}

/** The STIX 2.1 predefined TLP 1.0 marking-definition objects (for partners that only understand TLP 1.0). */
export const TLP1_MARKINGS: Readonly<Record<keyof typeof TLP1_MARKING_IDS, StixObject>> = Object.freeze({
  white: deepFreeze(tlp1Marking('white')),
  green: deepFreeze(tlp1Marking('green')),
  amber: deepFreeze(tlp1Marking('amber')),
  red: deepFreeze(tlp1Marking('red')),
})

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
