/** Meta objects (STIX 2.1 §7): language-content, marking-definition, extension-definition. */
import { report } from '../issue.js'
import { checkMarkingDefinition } from '../markings.js'
import * as V from '../vocabularies.js'
import { DOMAIN_COMMON, defineType, specVersion } from './common.js'
import {
  closed,
  dictionary,
  externalReference,
  granularMarking,
  jsonObject,
  list,
  opt,
  ref,
  refs,
  refTo,
  req,
  string,
  strings,
  type TypeSpec,
  timestamp,
  timestampMillis,
} from './kinds.js'

// lang does not apply: a language-content object carries several languages (§7.1).
const { lang: _lang, ...LANGUAGE_CONTENT_COMMON } = DOMAIN_COMMON

export const META_TYPES: readonly TypeSpec[] = [
  defineType(
    'meta',
    'language-content',
    {
      object_ref: req(refTo('not-bundle-or-language-content')),
      object_modified: opt(timestamp),
      contents: req(dictionary(dictionary())),
    },
    { common: LANGUAGE_CONTENT_COMMON, forbidden: ['lang'] },
  ),
  defineType(
    'meta',
    'marking-definition',
    {
      name: opt(string),
      definition_type: opt(string),
      definition: opt(jsonObject),
    },
    {
      // Marking definitions are not versioned (§7.2.1): no modified, no revoked.
      common: {
        spec_version: req(specVersion),
        created_by_ref: opt(ref('identity')),
        created: req(timestampMillis),
        external_references: opt(list(externalReference)),
        object_marking_refs: opt(refs('marking-definition')),
        granular_markings: opt(list(granularMarking)),
        extensions: opt(jsonObject),
      },
      forbidden: ['modified', 'revoked', 'labels', 'confidence', 'lang'],
      constraints: [{ kind: 'check', check: checkMarkingDefinition }],
    },
  ),
  defineType(
    'meta',
    'extension-definition',
    {
      created_by_ref: req(ref('identity')),
      name: req(string),
      description: opt(string),
      schema: req(string),
      version: req(string),
      extension_types: req(list(closed('extension-type-enum', V.EXTENSION_TYPE_ENUM))),
      extension_properties: opt(strings),
    },
    {
      constraints: [
        {
          kind: 'check',
          check(obj, path, sink) {
            const types = obj.extension_types
            if (
              obj.extension_properties !== undefined &&
              !(Array.isArray(types) && types.includes('toplevel-property-extension'))
            ) {
              report(
                sink,
                `${path}.extension_properties`,
                'extension-properties',
                'extension_properties only applies to toplevel-property-extension definitions',
              )
            }
          },
        },
      ],
    },
  ),
]
