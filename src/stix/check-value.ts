/**
 * Walks a value against a `Kind` from the type tables, reporting into a sink.
 * No regular expression is built here; formats live in spec/formats.ts.
 */
import { parseIdentifier } from './identifier.js'
import { at, child, type Rule, report, type Sink } from './issue.js'
import { isDictionaryKey, isPropertyName } from './names.js'
import { ownEntry } from './own-entry.js'
import * as F from './spec/formats.js'
import { categoryOf } from './spec/index.js'
import type { Constraint, Kind, Properties, RefTarget, Shape } from './spec/kinds.js'
import { compareTimestamps, timestampProblem } from './timestamp.js'
import { HASH_ALGORITHM_OV } from './vocabularies.js'

/** A sink that can also validate nested observables (observed-data.objects). */
export interface WalkSink extends Sink {
  readonly observable: (value: Record<string, unknown>, path: string) => void
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function describeJson(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

function wrongType(sink: Sink, path: string, expected: string, v: unknown): void {
  report(sink, path, 'property-type', `expected ${expected}, got ${describeJson(v)}`)
}

const HASH_HEX_LENGTH: Readonly<Record<string, number>> = {
  MD5: 32,
  'SHA-1': 40,
  'SHA-256': 64,
  'SHA-512': 128,
  'SHA3-256': 64,
  'SHA3-512': 128,
}
const HASH_ALGORITHMS: ReadonlySet<string> = new Set(HASH_ALGORITHM_OV)

function isHexOfLength(s: string, length: number): boolean {
  return s.length === length && F.isHex(s)
}

function describeTargets(targets: RefTarget): string {
  if (Array.isArray(targets)) return targets.join(' or ')
  switch (targets) {
    case 'sdo':
      return 'an SDO'
    case 'sco':
      return 'an SCO'
    case 'sdo-or-sco':
      return 'an SDO or SCO'
    case 'sco-or-sro':
      return 'an SCO or SRO'
    default:
      return 'a STIX object'
  }
}

/** Unknown (custom) types are accepted wherever their category could fit. */
export function targetAllowed(type: string, targets: RefTarget): boolean {
  if (Array.isArray(targets)) return targets.includes(type)
  const category = categoryOf(type)
  switch (targets) {
    case 'any':
      return category !== 'bundle'
    case 'sdo':
      return category === 'sdo' || category === undefined
    case 'sco':
      return category === 'sco' || category === undefined
    case 'sdo-or-sco':
      return category === 'sdo' || category === 'sco' || category === undefined
    case 'sco-or-sro':
      return category === 'sco' || category === 'sro' || category === undefined
    case 'not-bundle-or-language-content':
      return type !== 'bundle' && type !== 'language-content'
    default:
      return false
  }
}

function checkIdentifier(v: string, targets: RefTarget, path: string, sink: Sink): void {
  const parsed = parseIdentifier(v)
  if (parsed === undefined) {
    report(sink, path, 'identifier-form', `"${v}" is not a STIX identifier (type--UUID)`)
  } else if (!targetAllowed(parsed.type, targets)) {
    report(sink, path, 'reference-type', `must reference ${describeTargets(targets)}, not ${parsed.type}`)
  }
}

function checkHashes(v: Record<string, unknown>, vocabularyOnly: boolean, path: string, sink: Sink): void {
  let n = 0
  for (const key in v) {
    n++
    const value = v[key]
    const p = child(path, key)
    if (HASH_ALGORITHMS.has(key)) {
      if (typeof value !== 'string') {
        wrongType(sink, p, 'a string', value)
        continue
      }
      const length = HASH_HEX_LENGTH[key]
      if (length !== undefined && !isHexOfLength(value, length)) {
        report(sink, p, 'hash-value', `${key} must be ${length} hexadecimal characters`)
      }
    } else if (vocabularyOnly) {
      report(sink, p, 'hashes-key', `"${key}" is not in hash-algorithm-ov`)
    } else if (!isDictionaryKey(key, 3)) {
      report(sink, p, 'hashes-key', `"${key}" is not a valid hash name (3-250 of a-z A-Z 0-9 - _)`)
    } else if (typeof value !== 'string') {
      wrongType(sink, p, 'a string', value)
    }
  }
  if (n === 0) report(sink, path, 'empty-dictionary', 'hashes must have at least one entry')
}

/** Any JSON value in an open slot (custom property, untyped dictionary value). */
export function checkOpenValue(v: unknown, path: string, sink: Sink): void {
  if (v === null) report(sink, path, 'null-value', 'null is not a STIX value; omit the property instead')
  else if (Array.isArray(v) && v.length === 0)
    report(sink, path, 'empty-list', 'lists must not be empty; omit the property instead')
}

/** A property that is not in the table: a custom property (§11.1). */
export function checkCustomProperty(key: string, v: unknown, parentPath: string, sink: Sink): void {
  const path = child(parentPath, key)
  if (!isPropertyName(key)) {
    report(
      sink,
      path,
      'custom-property-name',
      `"${key}" is not a valid property name (3-250 of a-z 0-9 _, starting with a letter)`,
    )
  }
  checkOpenValue(v, path, sink)
  // The suffixes name the type (§2.1, §2.6): _hex holds hexadecimal, _bin holds base64.
  if (key.endsWith('_hex') && !(typeof v === 'string' && F.isHex(v))) {
    report(sink, path, 'hex-format', 'properties ending in _hex hold a hexadecimal string')
  }
  if (key.endsWith('_bin') && !(typeof v === 'string' && F.isBase64(v))) {
    report(sink, path, 'binary-format', 'properties ending in _bin hold a base64 string')
  }
}

const requiredCache = new WeakMap<Properties, readonly string[]>()
function requiredOf(properties: Properties): readonly string[] {
  let r = requiredCache.get(properties)
  if (r === undefined) {
    r = Object.keys(properties).filter((p) => properties[p]?.required === true)
    requiredCache.set(properties, r)
  }
  return r
}

/** Checks the properties of `obj` against `properties`; unknown ones go to `onUnknown`. */
export function checkProperties(
  obj: Record<string, unknown>,
  properties: Properties,
  path: string,
  sink: WalkSink,
  onUnknown: (key: string) => void,
  required: readonly string[] = requiredOf(properties),
): void {
  for (const key in obj) {
    const value = obj[key]
    if (value === undefined) continue // not JSON; treated as absent
    const spec = ownEntry(properties, key)
    if (spec !== undefined) checkValue(value, spec.kind, child(path, key), sink)
    else onUnknown(key)
  }
  for (const key of required) {
    if (obj[key] === undefined) report(sink, child(path, key), 'required-property', `${key} is required`)
  }
}

export function checkConstraints(
  obj: Record<string, unknown>,
  constraints: readonly Constraint[],
  path: string,
  sink: Sink,
): void {
  for (const c of constraints) {
    switch (c.kind) {
      case 'at-least-one':
        if (!c.props.some((p) => obj[p] !== undefined)) {
          report(sink, path, 'at-least-one-property', `at least one of ${c.props.join(', ')} must be present`)
        }
        break
      case 'mutually-exclusive': {
        const present = c.props.filter((p) => obj[p] !== undefined)
        if (present.length > 1) {
          report(
            sink,
            child(path, present[1] as string),
            'mutually-exclusive-properties',
            `${present.join(' and ')} must not appear together`,
          )
        }
        break
      }
      case 'requires':
        if (obj[c.prop] !== undefined) {
          for (const r of c.requires) {
            if (obj[r] === undefined)
              report(sink, child(path, r), 'dependent-property', `${r} is required when ${c.prop} is present`)
          }
        }
        break
      case 'order': {
        const a = obj[c.earlier]
        const b = obj[c.later]
        if (typeof a !== 'string' || typeof b !== 'string') break
        if (timestampProblem(a) !== undefined || timestampProblem(b) !== undefined) break
        const cmp = compareTimestamps(b, a)
        if (cmp < 0 || (c.strict && cmp === 0)) {
          report(
            sink,
            child(path, c.later),
            'timestamp-order',
            `${c.later} must be ${c.strict ? 'later than' : 'at or after'} ${c.earlier}`,
          )
        }
        break
      }
      case 'check':
        c.check(obj, path, sink)
        break
    }
  }
}

export function checkShape(obj: Record<string, unknown>, shape: Shape, path: string, sink: WalkSink): void {
  checkProperties(obj, shape.properties, path, sink, (key) => checkCustomProperty(key, obj[key], path, sink))
  if (shape.constraints !== undefined) checkConstraints(obj, shape.constraints, path, sink)
}

const KILL_CHAIN_PHASE: Shape = {
  properties: {
    kill_chain_name: { kind: { kind: 'string' }, required: true },
    phase_name: { kind: { kind: 'string' }, required: true },
  },
}

const CVE = /^CVE-\d{4}-(?:0\d{3}|[1-9]\d{3,})$/
const CAPEC = /^CAPEC-\d+$/

const EXTERNAL_REFERENCE: Shape = {
  properties: {
    source_name: { kind: { kind: 'string' }, required: true },
    description: { kind: { kind: 'string' }, required: false },
    url: { kind: { kind: 'url' }, required: false },
    hashes: { kind: { kind: 'hashes', vocabularyOnly: true }, required: false },
    external_id: { kind: { kind: 'string' }, required: false },
  },
  constraints: [
    { kind: 'at-least-one', props: ['description', 'url', 'external_id'] },
    {
      kind: 'check',
      check(obj, path, sink) {
        const pattern = obj.source_name === 'cve' ? CVE : obj.source_name === 'capec' ? CAPEC : undefined
        if (pattern === undefined) return
        const id = obj.external_id
        if (id === undefined)
          report(
            sink,
            `${path}.external_id`,
            'required-property',
            `a ${obj.source_name} reference needs external_id`,
          )
        else if (typeof id === 'string' && !pattern.test(id)) {
          report(
            sink,
            `${path}.external_id`,
            'external-id-format',
            `"${id}" is not a ${String(obj.source_name).toUpperCase()} identifier`,
          )
        }
      },
    },
  ],
}

const SELECTOR_SEGMENT = /^(?:\[\d+\]|[A-Za-z0-9_-]+)$/
const INDEX_SEGMENT = /^\[\d+\]$/

export function selectorSyntaxOk(selector: string): boolean {
  const segments = selector.split('.')
  if (INDEX_SEGMENT.test(segments[0] ?? '')) return false
  return segments.every((s) => SELECTOR_SEGMENT.test(s))
}

/** Whether `selector` points at something populated in `root` (§7.2.3.1). */
export function selectorResolves(root: Record<string, unknown>, selector: string): boolean {
  let current: unknown = root
  for (const segment of selector.split('.')) {
    if (segment.startsWith('[')) {
      const index = Number(segment.slice(1, -1))
      if (!Array.isArray(current) || index >= current.length) return false
      current = current[index]
    } else {
      if (!isRecord(current) || !Object.hasOwn(current, segment)) return false
      current = current[segment]
    }
  }
  return true
}

const GRANULAR_MARKING: Shape = {
  properties: {
    selectors: { kind: { kind: 'list', of: { kind: 'string' } }, required: true },
    marking_ref: { kind: { kind: 'identifier', targets: ['marking-definition'] }, required: false },
    lang: { kind: { kind: 'lang' }, required: false },
  },
  constraints: [
    {
      kind: 'check',
      check(obj, path, sink) {
        const hasRef = obj.marking_ref !== undefined
        const hasLang = obj.lang !== undefined
        if (hasRef === hasLang) {
          report(
            sink,
            path,
            'granular-marking-target',
            'a granular marking has exactly one of marking_ref and lang',
          )
        }
        const selectors = obj.selectors
        if (!Array.isArray(selectors)) return
        selectors.forEach((s, i) => {
          if (typeof s === 'string' && !selectorSyntaxOk(s)) {
            report(
              sink,
              at(`${path}.selectors`, i),
              'selector-syntax',
              `"${s}" is not a selector (e.g. "description", "labels.[0]")`,
            )
          }
        })
      },
    },
  ],
}

function formatRule(kind: 'binary' | 'hex' | 'url' | 'lang'): Rule {
  return kind === 'binary'
    ? 'binary-format'
    : kind === 'hex'
      ? 'hex-format'
      : kind === 'url'
        ? 'url-format'
        : 'lang-format'
}
const FORMAT_TEST = { binary: F.isBase64, hex: F.isHex, url: F.isUrl, lang: F.isLanguageTag }

export function checkValue(v: unknown, kind: Kind, path: string, sink: WalkSink): void {
  if (v === null) {
    report(sink, path, 'null-value', 'null is not a STIX value; omit the property instead')
    return
  }
  switch (kind.kind) {
    case 'string':
      if (typeof v !== 'string') wrongType(sink, path, 'a string', v)
      else if (kind.format !== undefined && !kind.format.test(v))
        report(sink, path, 'value-format', `"${v}" is not a valid ${kind.format.name}`)
      return
    case 'open-vocab':
      if (typeof v !== 'string') wrongType(sink, path, `a string (${kind.vocabulary})`, v)
      return
    case 'enum':
      if (typeof v !== 'string') wrongType(sink, path, 'a string', v)
      else if (!kind.values.has(v)) {
        const rule: Rule = kind.vocabulary === 'spec-version' ? 'spec-version' : 'closed-vocabulary'
        // the rule already names the spec-version vocabulary; the message names any other
        const vocabulary = rule === 'spec-version' ? '' : ` (${kind.vocabulary})`
        report(sink, path, rule, `"${v}" is not one of ${[...kind.values].join(', ')}${vocabulary}`)
      }
      return
    case 'boolean':
      if (typeof v !== 'boolean') wrongType(sink, path, 'a boolean', v)
      return
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) wrongType(sink, path, 'an integer', v)
      else if ((kind.min !== undefined && v < kind.min) || (kind.max !== undefined && v > kind.max)) {
        report(sink, path, 'integer-range', `${v} is outside ${kind.min ?? '-∞'}..${kind.max ?? '∞'}`)
      }
      return
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) wrongType(sink, path, 'a number', v)
      else if ((kind.min !== undefined && v < kind.min) || (kind.max !== undefined && v > kind.max)) {
        report(sink, path, 'number-range', `${v} is outside ${kind.min ?? '-∞'}..${kind.max ?? '∞'}`)
      }
      return
    case 'timestamp': {
      if (typeof v !== 'string') {
        wrongType(sink, path, 'a timestamp string', v)
        return
      }
      const problem = timestampProblem(v, kind.precision)
      if (problem === 'format')
        report(
          sink,
          path,
          'timestamp-format',
          `"${v}" is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:mm:ss[.s+]Z)`,
        )
      else if (problem === 'precision') {
        report(
          sink,
          path,
          'timestamp-precision',
          kind.precision === 'millisecond'
            ? 'must be precise to at least the millisecond'
            : 'must be precise to the second (no fraction)',
        )
      }
      return
    }
    case 'identifier':
      if (typeof v !== 'string') wrongType(sink, path, 'an identifier string', v)
      else checkIdentifier(v, kind.targets, path, sink)
      return
    case 'list':
      if (!Array.isArray(v)) {
        wrongType(sink, path, 'a list', v)
        return
      }
      if (v.length === 0)
        report(sink, path, 'empty-list', 'lists must not be empty; omit the property instead')
      for (let i = 0; i < v.length; i++) checkValue(v[i], kind.of, at(path, i), sink)
      return
    case 'dictionary': {
      if (!isRecord(v)) {
        wrongType(sink, path, 'a dictionary', v)
        return
      }
      let n = 0
      for (const key in v) {
        n++
        const p = child(path, key)
        if (!isDictionaryKey(key))
          report(sink, p, 'dictionary-key', `"${key}" is not a dictionary key (1-250 of a-z A-Z 0-9 - _)`)
        if (kind.values !== undefined) checkValue(v[key], kind.values, p, sink)
        else checkOpenValue(v[key], p, sink)
      }
      if (n === 0) report(sink, path, 'empty-dictionary', 'dictionaries must have at least one entry')
      return
    }
    case 'hashes':
      if (!isRecord(v)) wrongType(sink, path, 'a hashes dictionary', v)
      else checkHashes(v, kind.vocabularyOnly, path, sink)
      return
    case 'binary':
    case 'hex':
    case 'url':
    case 'lang':
      if (typeof v !== 'string') wrongType(sink, path, 'a string', v)
      else if (!FORMAT_TEST[kind.kind](v))
        report(
          sink,
          path,
          formatRule(kind.kind),
          `"${v.length > 80 ? `${v.slice(0, 80)}…` : v}" is not valid ${kind.kind}`,
        )
      return
    case 'object':
      if (!isRecord(v)) wrongType(sink, path, 'an object', v)
      else checkShape(v, kind.shape, path, sink)
      return
    case 'json-object':
      if (!isRecord(v)) wrongType(sink, path, 'an object', v)
      return
    case 'kill-chain-phase':
    case 'external-reference':
    case 'granular-marking': {
      if (!isRecord(v)) {
        wrongType(sink, path, `a ${kind.kind}`, v)
        return
      }
      const shape =
        kind.kind === 'kill-chain-phase'
          ? KILL_CHAIN_PHASE
          : kind.kind === 'external-reference'
            ? EXTERNAL_REFERENCE
            : GRANULAR_MARKING
      checkShape(v, shape, path, sink)
      return
    }
    case 'one-of': {
      for (const k of kind.kinds) {
        const scratch: WalkSink = { issues: [], patternChecker: undefined, observable: () => {} }
        checkValue(v, k, path, scratch)
        if (scratch.issues.length === 0) return
      }
      wrongType(sink, path, kind.kinds.map((k) => k.kind).join(' or '), v)
      return
    }
    case 'observable-container': {
      if (!isRecord(v)) {
        wrongType(sink, path, 'a dictionary of observables', v)
        return
      }
      let n = 0
      for (const key in v) {
        n++
        const entry = v[key]
        const p = child(path, key)
        if (isRecord(entry)) sink.observable(entry, p)
        else wrongType(sink, p, 'an observable object', entry)
      }
      if (n === 0) report(sink, path, 'empty-dictionary', 'objects must have at least one entry')
      return
    }
  }
}
