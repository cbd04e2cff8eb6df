/** STIX Relationship Objects (STIX 2.1 §5). */
import { defineType } from './common.js'
import {
  boolean,
  formatted,
  integer,
  opt,
  order,
  refs,
  refTo,
  req,
  string,
  type TypeSpec,
  timestamp,
} from './kinds.js'

const RELATIONSHIP_TYPE = /^[a-z0-9-]+$/

export const SRO_TYPES: readonly TypeSpec[] = [
  defineType(
    'sro',
    'relationship',
    {
      relationship_type: req(formatted('relationship-type', (s) => RELATIONSHIP_TYPE.test(s))),
      description: opt(string),
      source_ref: req(refTo('sdo-or-sco')),
      target_ref: req(refTo('sdo-or-sco')),
      start_time: opt(timestamp),
      stop_time: opt(timestamp),
    },
    { constraints: [order('start_time', 'stop_time', true)] },
  ),
  defineType(
    'sro',
    'sighting',
    {
      description: opt(string),
      first_seen: opt(timestamp),
      last_seen: opt(timestamp),
      count: opt(integer(0, 999_999_999)),
      sighting_of_ref: req(refTo('sdo')),
      observed_data_refs: opt(refs('observed-data')),
      where_sighted_refs: opt(refs('identity', 'location')),
      summary: opt(boolean),
    },
    { constraints: [order('first_seen', 'last_seen')] },
  ),
]
