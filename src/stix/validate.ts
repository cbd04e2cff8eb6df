/**
 * STIX 2.1 validation. Every problem is returned as a `ValidationIssue` with a
 * JSON path and a stable rule id; an empty list means the value is valid.
 *
 * Where the specification text and the OASIS JSON schemas disagree, this
 * module follows the specification (see test/stix for the cases).
 */
import {
  checkConstraints,
  checkCustomProperty,
  checkProperties,
  checkValue,
  isRecord,
  selectorResolves,
  selectorSyntaxOk,
  type WalkSink,
} from './check-value.js'
import { parseIdentifier } from './identifier.js'
import { at, child, report, type ValidationIssue } from './issue.js'
import { isPropertyName, isTypeName, RESERVED_PROPERTIES } from './names.js'
import { ownEntry } from './own-entry.js'
import { scoIdCandidates } from './sco-id.js'
import { CUSTOM_DOMAIN_SPEC, CUSTOM_OBSERVABLE_SPEC, TYPE_SPECS, type TypeSpec } from './spec/index.js'
import { compareTimestamps, timestampProblem } from './timestamp.js'
import { EXTENSION_TYPE_ENUM } from './vocabularies.js'

export type { Rule, ValidationIssue } from './issue.js'
export { deterministicScoId } from './sco-id.js'

export interface ValidateOptions {
  /** JSON path of the value being validated; defaults to "$". */
  path?: string
  /** Returns an error message for a bad STIX pattern (indicator with pattern_type "stix"). */
  patternChecker?: (pattern: string) => string | undefined
}

const EXTENSION_TYPES: ReadonlySet<string> = new Set(EXTENSION_TYPE_ENUM)

function makeSink(options: ValidateOptions | undefined): WalkSink {
  const sink: WalkSink = {
    issues: [],
    patternChecker: options?.patternChecker,
    observable: (value, path) => checkObject(value, path, sink, true),
  }
  return sink
}

/**
 * Validates one STIX object. A bundle is not one (STIX 2.1 §1.3): stored as an object, its members would
 * escape marking resolution and policy, so it is refused; `validateBundle` validates a bundle.
 */
export function validateObject(value: unknown, options?: ValidateOptions): ValidationIssue[] {
  const sink = makeSink(options)
  const path = options?.path ?? '$'
  if (!isRecord(value)) report(sink, path, 'not-an-object', 'a STIX object is a JSON object')
  else if (value.type === 'bundle')
    report(
      sink,
      `${path}.type`,
      'type-name',
      'a bundle is not a STIX object: send the objects it holds instead',
    )
  else checkObject(value, path, sink, false)
  return sink.issues
}

/** Validates a bundle: its own properties, then every member at `$.objects[i]`. */
export function validateBundle(value: unknown, options?: ValidateOptions): ValidationIssue[] {
  const sink = makeSink(options)
  const path = options?.path ?? '$'
  if (!isRecord(value)) report(sink, path, 'not-an-object', 'a bundle is a JSON object')
  else checkBundle(value, path, sink)
  return sink.issues
}

function checkBundle(obj: Record<string, unknown>, path: string, sink: WalkSink): void {
  if (obj.type !== 'bundle') report(sink, `${path}.type`, 'type-name', 'a bundle has type "bundle"')
  checkId(obj.id, 'bundle', path, sink)
  const objects = obj.objects
  if (objects === undefined) return
  const objectsPath = `${path}.objects`
  if (!Array.isArray(objects)) {
    report(sink, objectsPath, 'property-type', 'objects is a list of STIX objects')
    return
  }
  if (objects.length === 0)
    report(sink, objectsPath, 'empty-list', 'lists must not be empty; omit objects instead')
  for (let i = 0; i < objects.length; i++) {
    const member = objects[i]
    const p = at(objectsPath, i)
    if (!isRecord(member)) report(sink, p, 'not-an-object', 'a STIX object is a JSON object')
    else if (member.type === 'bundle') report(sink, `${p}.type`, 'type-name', 'bundles do not nest')
    else checkObject(member, p, sink, false)
  }
}

function checkId(id: unknown, type: string, path: string, sink: WalkSink): void {
  const p = `${path}.id`
  if (id === undefined) report(sink, p, 'required-property', 'id is required')
  else if (typeof id !== 'string') report(sink, p, 'property-type', 'id is a string')
  else {
    const parsed = parseIdentifier(id)
    if (parsed === undefined)
      report(sink, p, 'identifier-form', `"${id}" is not a STIX identifier (type--UUID, RFC 4122)`)
    else if (parsed.type !== type)
      report(
        sink,
        p,
        'identifier-type-mismatch',
        `the id prefix "${parsed.type}" must equal the type "${type}"`,
      )
  }
}

/** A custom object declaring itself an SCO through a new-sco extension definition. */
function declaresNewSco(obj: Record<string, unknown>): boolean {
  const extensions = obj.extensions
  if (!isRecord(extensions)) return false
  for (const key in extensions) {
    const body = extensions[key]
    if (isRecord(body) && body.extension_type === 'new-sco') return true
  }
  return false
}

function checkObject(
  obj: Record<string, unknown>,
  path: string,
  sink: WalkSink,
  observableOnly: boolean,
): void {
  const type = obj.type
  if (type === undefined) {
    report(sink, `${path}.type`, 'required-property', 'type is required')
    return
  }
  if (typeof type !== 'string') {
    report(sink, `${path}.type`, 'property-type', 'type is a string')
    return
  }
  if (!isTypeName(type)) {
    report(
      sink,
      `${path}.type`,
      'type-name',
      `"${type}" is not a valid type name (3-250 of a-z 0-9 -, starting with a letter, no -- or trailing -)`,
    )
    return
  }
  const spec = TYPE_SPECS.get(type) ?? (declaresNewSco(obj) ? CUSTOM_OBSERVABLE_SPEC : CUSTOM_DOMAIN_SPEC)
  if (observableOnly && spec.category !== 'sco') {
    report(sink, `${path}.type`, 'observable-type', `${type} is not a cyber-observable type`)
  }
  checkId(obj.id, type, path, sink)

  checkProperties(
    obj,
    spec.properties,
    path,
    sink,
    (key) => {
      if (key === 'type' || key === 'id') return
      if (spec.forbidden.has(key))
        report(sink, child(path, key), 'forbidden-property', `${key} does not apply to ${type}`)
      else if (RESERVED_PROPERTIES.has(key) && type !== 'marking-definition') {
        report(
          sink,
          child(path, key),
          'reserved-property',
          `${key} is reserved by STIX 2.1 and must not be used`,
        )
      } else checkCustomProperty(key, obj[key], path, sink)
    },
    spec.required,
  )

  const created = obj.created
  const modified = obj.modified
  if (
    typeof created === 'string' &&
    typeof modified === 'string' &&
    timestampProblem(created) === undefined &&
    timestampProblem(modified) === undefined &&
    compareTimestamps(modified, created) < 0
  ) {
    report(sink, `${path}.modified`, 'modified-before-created', 'modified must be at or after created')
  }

  if (obj.extensions !== undefined) checkExtensions(obj.extensions, spec, `${path}.extensions`, sink)
  if (Array.isArray(obj.granular_markings)) checkSelectorsResolve(obj, path, sink)
  if (spec.constraints !== undefined) checkConstraints(obj, spec.constraints, path, sink)
  if (spec.category === 'sco' && spec !== CUSTOM_OBSERVABLE_SPEC) checkScoId(obj, path, sink)
}

/** Each predefined extension name and the types that define it: no other type may use the name. */
const PREDEFINED_EXTENSION_OWNERS: ReadonlyMap<string, string[]> = (() => {
  const owners = new Map<string, string[]>()
  for (const spec of TYPE_SPECS.values())
    for (const name of Object.keys(spec.extensions))
      owners.set(name, [...(owners.get(name) ?? []), spec.type])
  return owners
})()

function checkExtensions(value: unknown, spec: TypeSpec, path: string, sink: WalkSink): void {
  if (!isRecord(value)) {
    report(sink, path, 'property-type', 'extensions is a dictionary')
    return
  }
  let n = 0
  for (const key in value) {
    n++
    const body = value[key]
    const p = child(path, key)
    if (key.startsWith('extension-definition--')) {
      const parsed = parseIdentifier(key)
      if (parsed === undefined || parsed.type !== 'extension-definition') {
        report(sink, p, 'extension-key', `"${key}" is not an extension-definition identifier`)
      }
      if (!isRecord(body)) {
        report(sink, p, 'property-type', 'an extension is an object')
        continue
      }
      const extensionType = body.extension_type
      if (extensionType === undefined)
        report(sink, `${p}.extension_type`, 'required-property', 'extension_type is required')
      else if (typeof extensionType !== 'string' || !EXTENSION_TYPES.has(extensionType)) {
        report(
          sink,
          `${p}.extension_type`,
          'closed-vocabulary',
          `extension_type must be one of ${EXTENSION_TYPE_ENUM.join(', ')}`,
        )
      }
      for (const k in body) if (k !== 'extension_type') checkCustomProperty(k, body[k], p, sink)
      continue
    }
    const shape = ownEntry(spec.extensions, key)
    if (shape !== undefined) {
      if (!isRecord(body)) report(sink, p, 'property-type', 'an extension is an object')
      else checkValue(body, { kind: 'object', shape }, p, sink)
      continue
    }
    const owners = PREDEFINED_EXTENSION_OWNERS.get(key)
    if (owners !== undefined) {
      report(
        sink,
        p,
        'extension-key',
        `"${key}" is an extension of ${owners.join(' and ')}, not of ${spec.type}`,
      )
      continue
    }
    // a custom type might be an observable in the deprecated custom-object style: given the benefit of the doubt
    if (key.endsWith('-ext') && isTypeName(key) && spec.category !== 'sco' && spec !== CUSTOM_DOMAIN_SPEC) {
      report(
        sink,
        p,
        'extension-key',
        `custom extensions named "…-ext" apply to SCOs only (§11.3); give ${spec.type} an extension-definition`,
      )
      continue
    }
    if (key.endsWith('-ext') && isTypeName(key)) {
      // A custom extension in the deprecated 2.1 style (§11.3).
      if (!isRecord(body)) report(sink, p, 'property-type', 'an extension is an object')
      else {
        let m = 0
        for (const k in body) {
          m++
          checkCustomProperty(k, body[k], p, sink)
        }
        if (m === 0) report(sink, p, 'empty-dictionary', 'an extension must have at least one property')
      }
      continue
    }
    report(
      sink,
      p,
      'extension-key',
      `"${key}" is neither an extension-definition id nor a predefined extension of ${spec.type}`,
    )
  }
  if (n === 0) report(sink, path, 'empty-dictionary', 'extensions must have at least one entry')
}

function checkSelectorsResolve(obj: Record<string, unknown>, path: string, sink: WalkSink): void {
  const markings = obj.granular_markings as unknown[]
  for (let i = 0; i < markings.length; i++) {
    const marking = markings[i]
    if (!isRecord(marking) || !Array.isArray(marking.selectors)) continue
    const selectors = marking.selectors as unknown[]
    for (let j = 0; j < selectors.length; j++) {
      const s = selectors[j]
      if (typeof s === 'string' && selectorSyntaxOk(s) && !selectorResolves(obj, s)) {
        report(
          sink,
          at(`${path}.granular_markings[${i}].selectors`, j),
          'selector-unresolved',
          `"${s}" selects nothing in this object`,
        )
      }
    }
  }
}

/**
 * Decision: an SCO whose id is a UUIDv5 must carry the id derived from its
 * id-contributing properties (any one of the hashes may be the one picked).
 * UUIDv4 (and other versions) remain allowed, as the specification permits.
 */
function checkScoId(obj: Record<string, unknown>, path: string, sink: WalkSink): void {
  if (typeof obj.id !== 'string') return
  const parsed = parseIdentifier(obj.id)
  if (parsed === undefined || parsed.version !== 5) return
  const candidates = scoIdCandidates(obj)
  if (candidates.length === 0) return
  const id = `${parsed.type}--${parsed.uuid.toLowerCase()}`
  if (!candidates.includes(id)) {
    report(
      sink,
      `${path}.id`,
      'sco-id-deterministic',
      `a UUIDv5 id must be derived from the id-contributing properties; expected ${candidates[0]}`,
    )
  }
}

export { isPropertyName, isTypeName }
