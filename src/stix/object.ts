/**
 * The shape every STIX 2.1 object shares once it has passed validation.
 * Type-specific models live beside this file; code outside `src/stix` only
 * relies on these few properties and treats the rest as opaque JSON.
 */
export interface StixObject {
  type: string
  id: string
  spec_version?: string
  created?: string
  modified?: string
  revoked?: boolean
  labels?: string[]
  object_marking_refs?: string[]
  granular_markings?: { marking_ref?: string; lang?: string; selectors: string[] }[]
  [property: string]: unknown
}
