/**
 * The predefined marking definitions: TLP 1.0 (STIX 2.1 §7.2.1.4) and TLP 2.0
 * (the OASIS extension extension-definition--60a3c5c5-…). Their ids are fixed;
 * an object that reuses one of these ids with other content is rejected.
 */
import { child, report, type Sink } from './issue.js'
import { TLP_2_0_ENUM } from './vocabularies.js'

export const TLP_1_CREATED = '2017-01-20T00:00:00.000Z'

export const TLP_1_MARKINGS: Readonly<Record<string, { id: string; name: string }>> = {
  white: { id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', name: 'TLP:WHITE' },
  green: { id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', name: 'TLP:GREEN' },
  amber: { id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', name: 'TLP:AMBER' },
  red: { id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', name: 'TLP:RED' },
}

export const TLP_2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'

export const TLP_2_MARKINGS: Readonly<Record<(typeof TLP_2_0_ENUM)[number], { id: string; name: string }>> = {
  clear: { id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', name: 'TLP:CLEAR' },
  green: { id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', name: 'TLP:GREEN' },
  amber: { id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', name: 'TLP:AMBER' },
  'amber+strict': {
    id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
    name: 'TLP:AMBER+STRICT',
  },
  red: { id: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', name: 'TLP:RED' },
}

const TLP_1_BY_ID = new Map(Object.entries(TLP_1_MARKINGS).map(([level, m]) => [m.id, { level, ...m }]))
const TLP_2_BY_ID = new Map(Object.entries(TLP_2_MARKINGS).map(([level, m]) => [m.id, { level, ...m }]))
const TLP_1_PROPERTIES = new Set([
  'type',
  'spec_version',
  'id',
  'created',
  'name',
  'definition_type',
  'definition',
])
const TLP_2_LEVELS: ReadonlySet<string> = new Set(TLP_2_0_ENUM)

export const IEP_EXTENSION_ID = 'extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a'

/**
 * The closed vocabularies of the OASIS IEP 2.0 marking extension. IEP 2.0 keeps TLP 1.0's colours. A value
 * outside them is refused rather than dropped: policy reads `tlp` and `permitted_actions`, and a misspelt
 * "RED" or "NONE" read as absent would relax what the provider asked for.
 */
export const IEP_VOCABULARIES = {
  encrypt_in_transit: ['must', 'may'],
  permitted_actions: [
    'none',
    'contact-for-instruction',
    'internally-visible-actions',
    'externally-visible-indirect-actions',
    'externally-visible-direct-actions',
  ],
  affected_party_notifications: ['may', 'must-not'],
  tlp: ['red', 'amber', 'green', 'white'],
  provider_attribution: ['may', 'must', 'must-not'],
  unmodified_resale: ['may', 'must-not'],
} as const

function checkIepExtension(body: unknown, path: string, sink: Sink): void {
  if (!isRecord(body)) {
    report(sink, path, 'iep-marking', 'the IEP 2.0 extension is an object')
    return
  }
  // a missing extension_type is the generic rule's to report
  if (body.extension_type !== undefined && body.extension_type !== 'property-extension')
    report(sink, `${path}.extension_type`, 'iep-marking', 'the IEP 2.0 extension is a property-extension')
  for (const [name, allowed] of Object.entries(IEP_VOCABULARIES)) {
    const value = body[name]
    if (value !== undefined && !(typeof value === 'string' && (allowed as readonly string[]).includes(value)))
      report(sink, `${path}.${name}`, 'closed-vocabulary', `${name} must be one of ${allowed.join(', ')}`)
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Rules of marking-definition beyond its property table. */
export function checkMarkingDefinition(obj: Record<string, unknown>, path: string, sink: Sink): void {
  const id = typeof obj.id === 'string' ? obj.id : ''
  if (Array.isArray(obj.object_marking_refs) && obj.object_marking_refs.includes(id))
    report(
      sink,
      `${path}.object_marking_refs`,
      'reference-type',
      'a marking definition cannot be marked by itself (STIX 2.1 §3.2)',
    )
  const extensions = isRecord(obj.extensions) ? obj.extensions : undefined
  const definitionType = obj.definition_type
  const definition = obj.definition

  if (extensions === undefined) {
    if (definitionType === undefined)
      report(
        sink,
        `${path}.definition_type`,
        'required-property',
        'definition_type is required when there are no extensions',
      )
    if (definition === undefined)
      report(
        sink,
        `${path}.definition`,
        'required-property',
        'definition is required when there are no extensions',
      )
  }

  if (definitionType === 'statement' && isRecord(definition) && typeof definition.statement !== 'string') {
    report(
      sink,
      `${path}.definition.statement`,
      'required-property',
      'a statement marking carries definition.statement (a string)',
    )
  }

  const tlp1 = TLP_1_BY_ID.get(id)
  if (definitionType === 'tlp' || tlp1 !== undefined) {
    const level = isRecord(definition) ? definition.tlp : undefined
    const expected = typeof level === 'string' ? TLP_1_MARKINGS[level] : undefined
    const ok =
      expected !== undefined &&
      tlp1 !== undefined &&
      expected.id === id &&
      definitionType === 'tlp' &&
      obj.name === expected.name &&
      obj.created === TLP_1_CREATED &&
      isRecord(definition) &&
      Object.keys(definition).length === 1 &&
      Object.keys(obj).every((k) => TLP_1_PROPERTIES.has(k))
    if (!ok) {
      report(
        sink,
        path,
        'tlp-marking',
        'TLP 1.0 markings must be exactly one of the four predefined marking-definition objects (§7.2.1.4)',
      )
    }
  }

  if (extensions?.[IEP_EXTENSION_ID] !== undefined)
    checkIepExtension(extensions[IEP_EXTENSION_ID], child(`${path}.extensions`, IEP_EXTENSION_ID), sink)

  const tlp2Body = extensions?.[TLP_2_EXTENSION_ID]
  const tlp2 = TLP_2_BY_ID.get(id)
  if (tlp2Body !== undefined || tlp2 !== undefined) {
    const extPath = child(`${path}.extensions`, TLP_2_EXTENSION_ID)
    const level = isRecord(tlp2Body) ? tlp2Body.tlp_2_0 : undefined
    if (tlp2Body === undefined) {
      report(sink, path, 'tlp-marking', `${id} is a TLP 2.0 marking id and must carry the TLP 2.0 extension`)
    } else if (typeof level !== 'string' || !TLP_2_LEVELS.has(level)) {
      report(
        sink,
        `${extPath}.tlp_2_0`,
        'closed-vocabulary',
        `tlp_2_0 must be one of ${TLP_2_0_ENUM.join(', ')}`,
      )
    } else {
      const expected = TLP_2_MARKINGS[level as (typeof TLP_2_0_ENUM)[number]]
      if (expected.id !== id)
        report(sink, `${path}.id`, 'tlp-marking', `TLP 2.0 ${level} must use id ${expected.id}`)
      if (obj.name !== undefined && obj.name !== expected.name)
        report(sink, `${path}.name`, 'tlp-marking', `TLP 2.0 ${level} is named ${expected.name}`)
      if (isRecord(tlp2Body) && tlp2Body.extension_type !== 'property-extension') {
        report(
          sink,
          `${extPath}.extension_type`,
          'tlp-marking',
          'the TLP 2.0 extension is a property-extension',
        )
      }
    }
  }
}
