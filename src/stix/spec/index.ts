/** The registry of predefined STIX 2.1 types, keyed by `type`. */
import { DOMAIN_COMMON, defineType, OBSERVABLE_COMMON } from './common.js'
import type { Category, TypeSpec } from './kinds.js'
import { META_TYPES } from './meta.js'
import { SCO_TYPES } from './sco.js'
import { SDO_TYPES } from './sdo.js'
import { SRO_TYPES } from './sro.js'

export const TYPE_SPECS: ReadonlyMap<string, TypeSpec> = new Map(
  [...SDO_TYPES, ...SRO_TYPES, ...SCO_TYPES, ...META_TYPES].map((spec) => [spec.type, spec]),
)

/** A custom object (not predefined) is held to the common properties of its category. */
export const CUSTOM_DOMAIN_SPEC: TypeSpec = defineType('sdo', 'custom', {}, { common: DOMAIN_COMMON })
export const CUSTOM_OBSERVABLE_SPEC: TypeSpec = defineType('sco', 'custom', {}, { common: OBSERVABLE_COMMON })

export function categoryOf(type: string): Category | 'bundle' | undefined {
  if (type === 'bundle') return 'bundle'
  return TYPE_SPECS.get(type)?.category
}

export type { Category, TypeSpec } from './kinds.js'
