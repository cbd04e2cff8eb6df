/** STIX Relationship Objects (§5). */
import type { DomainCommon, Identifier, Timestamp } from './common.js'

export interface Relationship extends DomainCommon<'relationship'> {
  relationship_type: string
  description?: string
  source_ref: Identifier
  target_ref: Identifier
  start_time?: Timestamp
  stop_time?: Timestamp
}

export interface Sighting extends DomainCommon<'sighting'> {
  description?: string
  first_seen?: Timestamp
  last_seen?: Timestamp
  count?: number
  sighting_of_ref: Identifier
  observed_data_refs?: Identifier<'observed-data'>[]
  where_sighted_refs?: Identifier<'identity' | 'location'>[]
  summary?: boolean
}

export type RelationshipObject = Relationship | Sighting
