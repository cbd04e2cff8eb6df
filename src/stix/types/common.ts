/** Data types and common properties of STIX 2.1 (§2, §3.2). */
import type { StixObject } from '../object.js'
import type { HASH_ALGORITHM_OV, OpenVocab } from '../vocabularies.js'

/** RFC 3339 UTC timestamp, e.g. "2024-03-01T10:00:00.000Z". */
export type Timestamp = string
/** `type--UUID`; the type parameter documents the allowed target types. */
export type Identifier<T extends string = string> = `${T}--${string}`
export type Hashes = { [algorithm in OpenVocab<typeof HASH_ALGORITHM_OV>]?: string }
export type Dictionary<V = unknown> = Record<string, V>

export interface KillChainPhase {
  kill_chain_name: string
  phase_name: string
}

export interface ExternalReference {
  source_name: string
  description?: string
  url?: string
  hashes?: Hashes
  external_id?: string
}

export type GranularMarking = { selectors: string[] } & (
  | { marking_ref: Identifier<'marking-definition'>; lang?: never }
  | { lang: string; marking_ref?: never }
)

export interface ExtensionDefinitionEntry {
  extension_type: 'new-sdo' | 'new-sco' | 'new-sro' | 'property-extension' | 'toplevel-property-extension'
  [property: string]: unknown
}

export type Extensions = Record<string, ExtensionDefinitionEntry | Dictionary>

/** Properties every SDO, SRO and custom domain object carries. */
export interface DomainCommon<T extends string> extends StixObject {
  type: T
  id: Identifier<T>
  spec_version: '2.1'
  created: Timestamp
  modified: Timestamp
  created_by_ref?: Identifier<'identity'>
  revoked?: boolean
  labels?: string[]
  confidence?: number
  lang?: string
  external_references?: ExternalReference[]
  object_marking_refs?: Identifier<'marking-definition'>[]
  granular_markings?: GranularMarking[]
  extensions?: Extensions
}

/** Properties every SCO carries; SCOs are not versioned and have no author. */
export interface ObservableCommon<T extends string> extends StixObject {
  type: T
  id: Identifier<T>
  spec_version?: '2.1'
  object_marking_refs?: Identifier<'marking-definition'>[]
  granular_markings?: GranularMarking[]
  defanged?: boolean
  extensions?: Extensions
  created?: never
  modified?: never
}
