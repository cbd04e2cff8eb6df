/** Meta objects (§7) and the bundle (§8). */
import type { StixObject } from '../object.js'
import type * as V from '../vocabularies.js'
import type {
  Dictionary,
  DomainCommon,
  Extensions,
  ExternalReference,
  GranularMarking,
  Identifier,
  Timestamp,
} from './common.js'
import type { Observable } from './sco.js'
import type { DomainObject } from './sdo.js'
import type { RelationshipObject } from './sro.js'

export interface LanguageContent extends DomainCommon<'language-content'> {
  /** Not applicable: a language-content object carries several languages. */
  lang?: never
  object_ref: Identifier
  object_modified?: Timestamp
  /** language tag → property name → translated value */
  contents: Dictionary<Dictionary>
}

/** Marking definitions are not versioned: no modified, no revoked. */
export interface MarkingDefinition extends StixObject {
  type: 'marking-definition'
  id: Identifier<'marking-definition'>
  spec_version: '2.1'
  created: Timestamp
  created_by_ref?: Identifier<'identity'>
  external_references?: ExternalReference[]
  object_marking_refs?: Identifier<'marking-definition'>[]
  granular_markings?: GranularMarking[]
  extensions?: Extensions
  name?: string
  definition_type?: 'statement' | 'tlp' | (string & {})
  definition?: Dictionary
}

export interface StatementMarking extends MarkingDefinition {
  definition_type: 'statement'
  definition: { statement: string }
}

/** TLP 1.0: only the four predefined objects are valid. */
export interface Tlp1Marking extends MarkingDefinition {
  definition_type: 'tlp'
  name: 'TLP:WHITE' | 'TLP:GREEN' | 'TLP:AMBER' | 'TLP:RED'
  definition: { tlp: 'white' | 'green' | 'amber' | 'red' }
}

/** TLP 2.0, through extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d. */
export interface Tlp2Marking extends MarkingDefinition {
  extensions: {
    'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
      extension_type: 'property-extension'
      tlp_2_0: (typeof V.TLP_2_0_ENUM)[number]
    }
  }
}

export interface ExtensionDefinition extends DomainCommon<'extension-definition'> {
  created_by_ref: Identifier<'identity'>
  name: string
  description?: string
  schema: string
  version: string
  extension_types: (typeof V.EXTENSION_TYPE_ENUM)[number][]
  extension_properties?: string[]
}

export type MetaObject = LanguageContent | MarkingDefinition | ExtensionDefinition

/** Any custom object (type not predefined), e.g. the x-mitre-* types. */
export interface CustomObject extends DomainCommon<string> {}

export type KnownStixObject = DomainObject | RelationshipObject | Observable | MetaObject

export interface Bundle {
  type: 'bundle'
  id: Identifier<'bundle'>
  objects?: (KnownStixObject | CustomObject | StixObject)[]
}
