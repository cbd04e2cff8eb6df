/**
 * Common properties (STIX 2.1 §3.2) and the helper that merges them into a
 * type's own table. `type` and `id` are checked by the validator itself.
 */
import {
  boolean,
  type Category,
  type Constraint,
  closed,
  externalReference,
  granularMarking,
  integer,
  jsonObject,
  lang,
  list,
  opt,
  type Properties,
  ref,
  refs,
  req,
  type Shape,
  string,
  strings,
  type TypeSpec,
  timestampMillis,
} from './kinds.js'

/** spec_version: this node speaks STIX 2.1 only. */
export const specVersion = closed('spec-version', ['2.1'])

const markings: Properties = {
  object_marking_refs: opt(refs('marking-definition')),
  granular_markings: opt(list(granularMarking)),
  extensions: opt(jsonObject), // walked by the extensions check
}

/** SDOs, SROs, custom objects, language-content. */
export const DOMAIN_COMMON: Properties = {
  spec_version: req(specVersion),
  created_by_ref: opt(ref('identity')),
  created: req(timestampMillis),
  modified: req(timestampMillis),
  revoked: opt(boolean),
  labels: opt(strings),
  confidence: opt(integer(0, 100)),
  lang: opt(lang),
  external_references: opt(list(externalReference)),
  ...markings,
}

/** SCOs: no versioning, no authorship (§3.2 applicability table). */
export const OBSERVABLE_COMMON: Properties = {
  spec_version: opt(specVersion),
  defanged: opt(boolean),
  ...markings,
}

export const OBSERVABLE_FORBIDDEN = [
  'created_by_ref',
  'created',
  'modified',
  'revoked',
  'labels',
  'confidence',
  'lang',
  'external_references',
]

export interface TypeOptions {
  readonly constraints?: readonly Constraint[]
  readonly extensions?: Readonly<Record<string, Shape>>
  readonly forbidden?: readonly string[]
  readonly common?: Properties
}

export function defineType(
  category: Category,
  type: string,
  own: Properties,
  options: TypeOptions = {},
): TypeSpec {
  const common = options.common ?? (category === 'sco' ? OBSERVABLE_COMMON : DOMAIN_COMMON)
  const properties = { ...common, ...own }
  const forbidden = options.forbidden ?? (category === 'sco' ? OBSERVABLE_FORBIDDEN : [])
  return {
    type,
    category,
    properties,
    required: Object.keys(properties).filter((p) => properties[p]?.required === true),
    // §3.2: defanged MUST NOT be used on anything but SCOs, where it is a common property
    forbidden: new Set(category === 'sco' ? forbidden : [...forbidden, 'defanged']),
    extensions: options.extensions ?? {},
    ...(options.constraints === undefined ? {} : { constraints: options.constraints }),
  }
}

export { string }
