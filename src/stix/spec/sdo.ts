/** STIX Domain Objects (STIX 2.1 §4). */

import { report, type Sink } from '../issue.js'
import * as V from '../vocabularies.js'
import { defineType } from './common.js'
import { categoryOf } from './index.js'
import {
  atLeastOne,
  boolean,
  type Constraint,
  closed,
  integer,
  killChainPhase,
  list,
  number,
  opt,
  order,
  ov,
  ref,
  refs,
  refTo,
  req,
  requires,
  string,
  strings,
  type TypeSpec,
  timestamp,
} from './kinds.js'

/**
 * §4.14.1: object_refs MUST hold at least one SCO. A custom type may be an SCO, so only a list naming
 * nothing but predefined SROs is refused.
 */
function checkObservedRefs(obj: Record<string, unknown>, path: string, sink: Sink): void {
  const refs = obj.object_refs
  if (!Array.isArray(refs) || refs.length === 0) return
  const categories = refs.map((r) => (typeof r === 'string' ? categoryOf(r.split('--')[0]!) : 'sro'))
  if (categories.every((c) => c === 'sro'))
    report(sink, `${path}.object_refs`, 'reference-type', 'object_refs must reference at least one SCO')
}

const killChainPhases = list(killChainPhase)
const anyRefs = list(refTo('any'))
const seen: Constraint = order('first_seen', 'last_seen')

export const SDO_TYPES: readonly TypeSpec[] = [
  defineType('sdo', 'attack-pattern', {
    name: req(string),
    description: opt(string),
    aliases: opt(strings),
    kill_chain_phases: opt(killChainPhases),
  }),
  defineType(
    'sdo',
    'campaign',
    {
      name: req(string),
      description: opt(string),
      aliases: opt(strings),
      first_seen: opt(timestamp),
      last_seen: opt(timestamp),
      objective: opt(string),
    },
    { constraints: [seen] },
  ),
  defineType('sdo', 'course-of-action', { name: req(string), description: opt(string) }),
  defineType('sdo', 'grouping', {
    name: opt(string),
    description: opt(string),
    context: req(ov('grouping-context-ov')),
    object_refs: req(anyRefs),
  }),
  defineType('sdo', 'identity', {
    name: req(string),
    description: opt(string),
    roles: opt(strings),
    identity_class: opt(ov('identity-class-ov')),
    sectors: opt(list(ov('industry-sector-ov'))),
    contact_information: opt(string),
  }),
  defineType('sdo', 'incident', {
    name: req(string),
    description: opt(string),
    kill_chain_phases: opt(killChainPhases),
  }),
  defineType(
    'sdo',
    'indicator',
    {
      name: opt(string),
      description: opt(string),
      indicator_types: opt(list(ov('indicator-type-ov'))),
      pattern: req(string),
      pattern_type: req(ov('pattern-type-ov')),
      pattern_version: opt(string),
      valid_from: req(timestamp),
      valid_until: opt(timestamp),
      kill_chain_phases: opt(killChainPhases),
    },
    {
      constraints: [
        order('valid_from', 'valid_until', true),
        {
          kind: 'check',
          check(obj, path, sink) {
            if (
              sink.patternChecker === undefined ||
              obj.pattern_type !== 'stix' ||
              typeof obj.pattern !== 'string'
            )
              return
            const problem = sink.patternChecker(obj.pattern)
            if (problem !== undefined) report(sink, `${path}.pattern`, 'pattern-syntax', problem)
          },
        },
      ],
    },
  ),
  defineType(
    'sdo',
    'infrastructure',
    {
      name: req(string),
      description: opt(string),
      infrastructure_types: opt(list(ov('infrastructure-type-ov'))),
      aliases: opt(strings),
      kill_chain_phases: opt(killChainPhases),
      first_seen: opt(timestamp),
      last_seen: opt(timestamp),
    },
    { constraints: [seen] },
  ),
  defineType(
    'sdo',
    'intrusion-set',
    {
      name: req(string),
      description: opt(string),
      aliases: opt(strings),
      first_seen: opt(timestamp),
      last_seen: opt(timestamp),
      goals: opt(strings),
      resource_level: opt(ov('attack-resource-level-ov')),
      primary_motivation: opt(ov('attack-motivation-ov')),
      secondary_motivations: opt(list(ov('attack-motivation-ov'))),
    },
    { constraints: [seen] },
  ),
  defineType(
    'sdo',
    'location',
    {
      name: opt(string),
      description: opt(string),
      latitude: opt(number(-90, 90)),
      longitude: opt(number(-180, 180)),
      precision: opt(number(0)),
      region: opt(ov('region-ov')),
      country: opt(string),
      administrative_area: opt(string),
      city: opt(string),
      street_address: opt(string),
      postal_code: opt(string),
    },
    {
      constraints: [
        requires('latitude', 'longitude'),
        requires('longitude', 'latitude'),
        requires('precision', 'latitude', 'longitude'),
        atLeastOne('region', 'country', 'latitude'),
      ],
    },
  ),
  defineType(
    'sdo',
    'malware',
    {
      name: opt(string),
      description: opt(string),
      malware_types: opt(list(ov('malware-type-ov'))),
      is_family: req(boolean),
      aliases: opt(strings),
      kill_chain_phases: opt(killChainPhases),
      first_seen: opt(timestamp),
      last_seen: opt(timestamp),
      operating_system_refs: opt(refs('software')),
      architecture_execution_envs: opt(list(ov('processor-architecture-ov'))),
      implementation_languages: opt(list(ov('implementation-language-ov'))),
      capabilities: opt(list(ov('malware-capabilities-ov'))),
      sample_refs: opt(refs('file', 'artifact')),
    },
    {
      constraints: [
        seen,
        {
          kind: 'check',
          check(obj, path, sink) {
            if (obj.is_family === true && obj.name === undefined) {
              report(
                sink,
                `${path}.name`,
                'required-property',
                'a malware family (is_family: true) must have a name',
              )
            }
          },
        },
      ],
    },
  ),
  defineType(
    'sdo',
    'malware-analysis',
    {
      product: req(string),
      version: opt(string),
      host_vm_ref: opt(ref('software')),
      operating_system_ref: opt(ref('software')),
      installed_software_refs: opt(refs('software')),
      configuration_version: opt(string),
      modules: opt(strings),
      analysis_engine_version: opt(string),
      analysis_definition_version: opt(string),
      submitted: opt(timestamp),
      analysis_started: opt(timestamp),
      analysis_ended: opt(timestamp),
      result_name: opt(string),
      result: opt(ov('malware-result-ov')),
      analysis_sco_refs: opt(list(refTo('sco'))),
      sample_ref: opt(ref('file', 'network-traffic', 'artifact')),
    },
    { constraints: [atLeastOne('result', 'analysis_sco_refs')] },
  ),
  defineType('sdo', 'note', {
    abstract: opt(string),
    content: req(string),
    authors: opt(strings),
    object_refs: req(anyRefs),
  }),
  defineType(
    'sdo',
    'observed-data',
    {
      first_observed: req(timestamp),
      last_observed: req(timestamp),
      number_observed: req(integer(1, 999_999_999)),
      objects: opt({ kind: 'observable-container' }),
      object_refs: opt(list(refTo('sco-or-sro'))),
    },
    {
      constraints: [
        order('first_observed', 'last_observed'),
        atLeastOne('objects', 'object_refs'),
        { kind: 'mutually-exclusive', props: ['objects', 'object_refs'] },
        { kind: 'check', check: checkObservedRefs },
      ],
    },
  ),
  defineType('sdo', 'opinion', {
    explanation: opt(string),
    authors: opt(strings),
    opinion: req(closed('opinion-enum', V.OPINION_ENUM)),
    object_refs: req(anyRefs),
  }),
  defineType('sdo', 'report', {
    name: req(string),
    description: opt(string),
    report_types: opt(list(ov('report-type-ov'))),
    published: req(timestamp),
    object_refs: req(anyRefs),
  }),
  defineType(
    'sdo',
    'threat-actor',
    {
      name: req(string),
      description: opt(string),
      threat_actor_types: opt(list(ov('threat-actor-type-ov'))),
      aliases: opt(strings),
      first_seen: opt(timestamp),
      last_seen: opt(timestamp),
      roles: opt(list(ov('threat-actor-role-ov'))),
      goals: opt(strings),
      sophistication: opt(ov('threat-actor-sophistication-ov')),
      resource_level: opt(ov('attack-resource-level-ov')),
      primary_motivation: opt(ov('attack-motivation-ov')),
      secondary_motivations: opt(list(ov('attack-motivation-ov'))),
      personal_motivations: opt(list(ov('attack-motivation-ov'))),
    },
    { constraints: [seen] },
  ),
  defineType('sdo', 'tool', {
    name: req(string),
    description: opt(string),
    tool_types: opt(list(ov('tool-type-ov'))),
    aliases: opt(strings),
    kill_chain_phases: opt(killChainPhases),
    tool_version: opt(string),
  }),
  defineType('sdo', 'vulnerability', { name: req(string), description: opt(string) }),
]
