import { GRADING_EXTENSION_ID, GRADING_PROPERTIES } from '../policy/grading.js'

/** An Admiralty grade such as "B2", as the Sluice grading extension that agreements can filter on. */
export function grading(code: string): Record<string, Record<string, unknown>> {
  return {
    [GRADING_EXTENSION_ID]: {
      extension_type: 'property-extension',
      [GRADING_PROPERTIES.admiraltyReliability]: code[0],
      [GRADING_PROPERTIES.admiraltyCredibility]: Number(code[1]),
    },
  }
}
