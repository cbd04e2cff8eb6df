/** TLP 2.0 levels, lowest to highest. */
export type TlpLevel = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red'

export const TLP_LEVELS: readonly TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red']

/**
 * The OASIS TLP 2.0 marking-definition ids (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d),
 * as recorded in shared/research/ANCHORS.md section 3.2.
 */
export const TLP_MARKING_IDS: Readonly<Record<TlpLevel, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

const TLP_IDS = new Set(Object.values(TLP_MARKING_IDS))

export function isTlpMarkingId(id: string): boolean {
  return TLP_IDS.has(id)
}
