/**
 * Source and information grading on STIX objects, carried by a Sluice property extension.
 *
 * STIX 2.1 has no source-reliability property, so Sluice defines one extension holding both systems:
 *
 * ```json
 * "extensions": {
 *   "extension-definition--c515d3e2-4f6d-580f-a747-378101648903": {
 *     "extension_type": "property-extension",
 *     "admiralty_source_reliability": "B",      // Admiralty / NATO: A–F
 *     "admiralty_information_credibility": 2,   // Admiralty / NATO: 1–6
 *     "source_evaluation_4x4": "A",             // 4x4 (Europol): A, B, C, X
 *     "information_evaluation_4x4": 1           // 4x4 (Europol): 1–4
 *   }
 * }
 * ```
 *
 * When an object has an Admiralty grade but no 4x4 grade, its 4x4 grade is derived with Sluice's mapping
 * (A→A, B→B, C/D/E→C, F→X; 1→1, 2→2, 3→3, 4/5/6→4). The mapping is our design choice, not an official
 * crosswalk; there is no mapping the other way.
 */
import type { StixObject } from '../stix/object.js'
import { SLUICE_IDENTITY_ID } from './sluice-ids.js'
import { deepFreeze } from './tlp.js'

export type AdmiraltyReliability = 'A' | 'B' | 'C' | 'D' | 'E' | 'F'
export type AdmiraltyCredibility = 1 | 2 | 3 | 4 | 5 | 6
export type EvaluationSource = 'A' | 'B' | 'C' | 'X'
export type EvaluationInformation = 1 | 2 | 3 | 4

export const ADMIRALTY_RELIABILITY: readonly AdmiraltyReliability[] = ['A', 'B', 'C', 'D', 'E', 'F']
export const ADMIRALTY_CREDIBILITY: readonly AdmiraltyCredibility[] = [1, 2, 3, 4, 5, 6]
export const EVALUATION_SOURCE: readonly EvaluationSource[] = ['A', 'B', 'C', 'X']
export const EVALUATION_INFORMATION: readonly EvaluationInformation[] = [1, 2, 3, 4]

export const GRADING_EXTENSION_ID = 'extension-definition--c515d3e2-4f6d-580f-a747-378101648903'

/** Property names inside the grading extension. */
export const GRADING_PROPERTIES = {
  admiraltyReliability: 'admiralty_source_reliability',
  admiraltyCredibility: 'admiralty_information_credibility',
  evaluationSource: 'source_evaluation_4x4',
  evaluationInformation: 'information_evaluation_4x4',
} as const

export const GRADING_EXTENSION_DEFINITION: StixObject = deepFreeze({
  type: 'extension-definition',
  spec_version: '2.1',
  id: GRADING_EXTENSION_ID,
  created_by_ref: SLUICE_IDENTITY_ID,
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  name: 'Sluice source and information grading',
  description:
    'Grades an object with the Admiralty (NATO) system and/or the 4x4 system used in European law enforcement.',
  schema:
    'Property extension on any SDO or SRO. Optional properties: admiralty_source_reliability (string, one of ' +
    'A B C D E F); admiralty_information_credibility (integer 1-6); source_evaluation_4x4 (string, one of ' +
    'A B C X); information_evaluation_4x4 (integer 1-4). At least one property should be present.',
  version: '1.0.0',
  extension_types: ['property-extension'],
})

export interface Grading {
  admiralty?: { reliability?: AdmiraltyReliability; credibility?: AdmiraltyCredibility }
  /** Explicit, or derived from the Admiralty grade. */
  evaluation?: { source?: EvaluationSource; information?: EvaluationInformation; derived: boolean }
  /** What the extension holds cannot all be read (see {@link gradingProblem}): no grade filter admits it. */
  unreadable?: string
}

function pick<T extends string | number>(allowed: readonly T[], value: unknown): T | undefined {
  if (typeof value === 'string' && /^\d$/.test(value)) value = Number(value)
  return allowed.includes(value as T) ? (value as T) : undefined
}

const TO_4X4_SOURCE: Record<AdmiraltyReliability, EvaluationSource> = {
  A: 'A',
  B: 'B',
  C: 'C',
  D: 'C',
  E: 'C',
  F: 'X',
}
const TO_4X4_INFORMATION: Record<AdmiraltyCredibility, EvaluationInformation> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 4,
  6: 4,
}

const SCALES = [
  [GRADING_PROPERTIES.admiraltyReliability, ADMIRALTY_RELIABILITY],
  [GRADING_PROPERTIES.admiraltyCredibility, ADMIRALTY_CREDIBILITY],
  [GRADING_PROPERTIES.evaluationSource, EVALUATION_SOURCE],
  [GRADING_PROPERTIES.evaluationInformation, EVALUATION_INFORMATION],
] as const

/**
 * What in an object's grading extension cannot be read, or undefined. Ingest refuses such an object: read
 * as ungraded, an information grade of 9 would pass a filter that admits only 1 and 2.
 */
export function gradingProblem(object: StixObject): string | undefined {
  const ext = (object.extensions as Record<string, unknown> | undefined)?.[GRADING_EXTENSION_ID]
  if (ext === undefined) return undefined
  if (ext === null || typeof ext !== 'object' || Array.isArray(ext))
    return 'the grading extension is not an object'
  for (const [name, scale] of SCALES) {
    const value = (ext as Record<string, unknown>)[name]
    if (value !== undefined && pick<string | number>(scale, value) === undefined)
      return `${name} must be one of ${scale.join(', ')}`
  }
  return undefined
}

/**
 * The grading an object carries. Each axis is judged alone: one the extension leaves out counts as ungraded
 * on that axis. One it holds but that cannot be read makes the grading `unreadable`.
 */
export function gradingOf(object: StixObject): Grading {
  const ext = (object.extensions as Record<string, unknown> | undefined)?.[GRADING_EXTENSION_ID]
  const unreadable = gradingProblem(object)
  if (unreadable !== undefined) return { unreadable }
  if (ext == null || typeof ext !== 'object') return {}
  const e = ext as Record<string, unknown>
  const reliability = pick(ADMIRALTY_RELIABILITY, e[GRADING_PROPERTIES.admiraltyReliability])
  const credibility = pick(ADMIRALTY_CREDIBILITY, e[GRADING_PROPERTIES.admiraltyCredibility])
  const source = pick(EVALUATION_SOURCE, e[GRADING_PROPERTIES.evaluationSource])
  const information = pick(EVALUATION_INFORMATION, e[GRADING_PROPERTIES.evaluationInformation])
  const out: Grading = {}
  if (reliability !== undefined || credibility !== undefined) out.admiralty = { reliability, credibility }
  if (source !== undefined || information !== undefined) {
    out.evaluation = { source, information, derived: false }
  } else if (out.admiralty !== undefined) {
    out.evaluation = {
      source: reliability === undefined ? undefined : TO_4X4_SOURCE[reliability],
      information: credibility === undefined ? undefined : TO_4X4_INFORMATION[credibility],
      derived: true,
    }
  }
  return out
}

/** `B2`-style code, or `undefined`. */
export function admiraltyCode(g: Grading): string | undefined {
  if (g.admiralty === undefined) return undefined
  return `${g.admiralty.reliability ?? '?'}${g.admiralty.credibility ?? '?'}`
}
