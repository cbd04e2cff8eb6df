/** STIX Domain Objects (§4). */
import type * as V from '../vocabularies.js'
import type { OpenVocab } from '../vocabularies.js'
import type { DomainCommon, Identifier, KillChainPhase, Timestamp } from './common.js'
import type { Observable } from './sco.js'

interface Seen {
  first_seen?: Timestamp
  last_seen?: Timestamp
}

export interface AttackPattern extends DomainCommon<'attack-pattern'> {
  name: string
  description?: string
  aliases?: string[]
  kill_chain_phases?: KillChainPhase[]
}
export interface Campaign extends DomainCommon<'campaign'>, Seen {
  name: string
  description?: string
  aliases?: string[]
  objective?: string
}
export interface CourseOfAction extends DomainCommon<'course-of-action'> {
  name: string
  description?: string
}
export interface Grouping extends DomainCommon<'grouping'> {
  name?: string
  description?: string
  context: OpenVocab<typeof V.GROUPING_CONTEXT_OV>
  object_refs: Identifier[]
}
export interface Identity extends DomainCommon<'identity'> {
  name: string
  description?: string
  roles?: string[]
  identity_class?: OpenVocab<typeof V.IDENTITY_CLASS_OV>
  sectors?: OpenVocab<typeof V.INDUSTRY_SECTOR_OV>[]
  contact_information?: string
}
export interface Incident extends DomainCommon<'incident'> {
  name: string
  description?: string
  kill_chain_phases?: KillChainPhase[]
}
export interface Indicator extends DomainCommon<'indicator'> {
  name?: string
  description?: string
  indicator_types?: OpenVocab<typeof V.INDICATOR_TYPE_OV>[]
  pattern: string
  pattern_type: OpenVocab<typeof V.PATTERN_TYPE_OV>
  pattern_version?: string
  valid_from: Timestamp
  valid_until?: Timestamp
  kill_chain_phases?: KillChainPhase[]
}
export interface Infrastructure extends DomainCommon<'infrastructure'>, Seen {
  name: string
  description?: string
  infrastructure_types?: OpenVocab<typeof V.INFRASTRUCTURE_TYPE_OV>[]
  aliases?: string[]
  kill_chain_phases?: KillChainPhase[]
}
export interface IntrusionSet extends DomainCommon<'intrusion-set'>, Seen {
  name: string
  description?: string
  aliases?: string[]
  goals?: string[]
  resource_level?: OpenVocab<typeof V.ATTACK_RESOURCE_LEVEL_OV>
  primary_motivation?: OpenVocab<typeof V.ATTACK_MOTIVATION_OV>
  secondary_motivations?: OpenVocab<typeof V.ATTACK_MOTIVATION_OV>[]
}
export interface Location extends DomainCommon<'location'> {
  name?: string
  description?: string
  latitude?: number
  longitude?: number
  precision?: number
  region?: OpenVocab<typeof V.REGION_OV>
  country?: string
  administrative_area?: string
  city?: string
  street_address?: string
  postal_code?: string
}
export interface Malware extends DomainCommon<'malware'>, Seen {
  name?: string
  description?: string
  malware_types?: OpenVocab<typeof V.MALWARE_TYPE_OV>[]
  is_family: boolean
  aliases?: string[]
  kill_chain_phases?: KillChainPhase[]
  operating_system_refs?: Identifier<'software'>[]
  architecture_execution_envs?: OpenVocab<typeof V.PROCESSOR_ARCHITECTURE_OV>[]
  implementation_languages?: OpenVocab<typeof V.IMPLEMENTATION_LANGUAGE_OV>[]
  capabilities?: OpenVocab<typeof V.MALWARE_CAPABILITIES_OV>[]
  sample_refs?: Identifier<'file' | 'artifact'>[]
}
export interface MalwareAnalysis extends DomainCommon<'malware-analysis'> {
  product: string
  version?: string
  host_vm_ref?: Identifier<'software'>
  operating_system_ref?: Identifier<'software'>
  installed_software_refs?: Identifier<'software'>[]
  configuration_version?: string
  modules?: string[]
  analysis_engine_version?: string
  analysis_definition_version?: string
  submitted?: Timestamp
  analysis_started?: Timestamp
  analysis_ended?: Timestamp
  result_name?: string
  result?: OpenVocab<typeof V.MALWARE_RESULT_OV>
  analysis_sco_refs?: Identifier[]
  sample_ref?: Identifier<'file' | 'network-traffic' | 'artifact'>
}
export interface Note extends DomainCommon<'note'> {
  abstract?: string
  content: string
  authors?: string[]
  object_refs: Identifier[]
}
export interface ObservedData extends DomainCommon<'observed-data'> {
  first_observed: Timestamp
  last_observed: Timestamp
  number_observed: number
  /** Deprecated in 2.1; use object_refs. */
  objects?: Record<string, Observable>
  object_refs?: Identifier[]
}
export interface Opinion extends DomainCommon<'opinion'> {
  explanation?: string
  authors?: string[]
  opinion: (typeof V.OPINION_ENUM)[number]
  object_refs: Identifier[]
}
export interface Report extends DomainCommon<'report'> {
  name: string
  description?: string
  report_types?: OpenVocab<typeof V.REPORT_TYPE_OV>[]
  published: Timestamp
  object_refs: Identifier[]
}
export interface ThreatActor extends DomainCommon<'threat-actor'>, Seen {
  name: string
  description?: string
  threat_actor_types?: OpenVocab<typeof V.THREAT_ACTOR_TYPE_OV>[]
  aliases?: string[]
  roles?: OpenVocab<typeof V.THREAT_ACTOR_ROLE_OV>[]
  goals?: string[]
  sophistication?: OpenVocab<typeof V.THREAT_ACTOR_SOPHISTICATION_OV>
  resource_level?: OpenVocab<typeof V.ATTACK_RESOURCE_LEVEL_OV>
  primary_motivation?: OpenVocab<typeof V.ATTACK_MOTIVATION_OV>
  secondary_motivations?: OpenVocab<typeof V.ATTACK_MOTIVATION_OV>[]
  personal_motivations?: OpenVocab<typeof V.ATTACK_MOTIVATION_OV>[]
}
export interface Tool extends DomainCommon<'tool'> {
  name: string
  description?: string
  tool_types?: OpenVocab<typeof V.TOOL_TYPE_OV>[]
  aliases?: string[]
  kill_chain_phases?: KillChainPhase[]
  tool_version?: string
}
export interface Vulnerability extends DomainCommon<'vulnerability'> {
  name: string
  description?: string
}

export type DomainObject =
  | AttackPattern
  | Campaign
  | CourseOfAction
  | Grouping
  | Identity
  | Incident
  | Indicator
  | Infrastructure
  | IntrusionSet
  | Location
  | Malware
  | MalwareAnalysis
  | Note
  | ObservedData
  | Opinion
  | Report
  | ThreatActor
  | Tool
  | Vulnerability
