import { ownEntry } from '../own-entry.js'
import type {
  ComparisonExpression,
  Literal,
  ObjectPath,
  ObservationExpression,
  Pattern,
  Qualifier,
} from './ast.js'
import { parseNetwork } from './cidr.js'
import { type PatternError, patternError } from './errors.js'
import { parsePattern } from './parser.js'
import { translateRegex } from './regex.js'
import {
  COMMON_SCO_PROPERTIES,
  isCustomExtensionName,
  isCustomPropertyName,
  isCustomTypeName,
  type PropertySpec,
  type ScoTypeDefinition,
  STIX21_SCO_TYPES,
} from './sco-vocabulary.js'
import { compareInstants, parseTimestamp } from './timestamp.js'

export interface ValidateOptions {
  /**
   * Check object paths against the STIX 2.1 Cyber-observable vocabulary (default `true`): a known
   * SCO type may only use its own properties, `x_` custom properties, and its predefined or custom
   * extensions; an unknown type must be a well-formed custom type name. The OASIS reference
   * validator does not do this, so patterns it accepts (e.g. `[file:file_name = 'a']`) can fail here.
   */
  checkObjectPaths?: boolean
  /** Additional SCO types (or replacements for predefined ones), e.g. from extension definitions. */
  knownScoTypes?: Readonly<Record<string, ScoTypeDefinition>>
}

/**
 * Parses and checks a STIX 2.1 pattern. Returns `undefined` when it is valid, otherwise the first
 * problem (a syntax error, or the leftmost semantic error).
 *
 * @example
 * validatePattern("[file:hashes.'SHA-256' = 'f00']")
 * // → { kind: 'semantic', message: "'f00' is not a valid SHA-256 hash", column: 26, offset: 25 }
 */
export function validatePattern(text: string, options: ValidateOptions = {}): PatternError | undefined {
  const parsed = parsePattern(text)
  if (!parsed.ok) return parsed.error
  const issues = semanticIssues(parsed.ast, options)
  return issues[0]
}

/**
 * All semantic problems of a parsed pattern, leftmost first. `scope: 'evaluation'` keeps only those
 * that make a pattern impossible to evaluate (what the matcher rejects); the default `'full'` adds
 * the validator's stricter rules (hash formats, duplicate qualifiers, START before STOP, object paths).
 */
export function semanticIssues(
  pattern: Pattern,
  options: ValidateOptions & { scope?: 'full' | 'evaluation' } = {},
): PatternError[] {
  const full = options.scope !== 'evaluation'
  const issues: PatternError[] = []
  const types = { ...STIX21_SCO_TYPES, ...options.knownScoTypes }
  const checkPaths = full && options.checkObjectPaths !== false

  const visitObservation = (e: ObservationExpression): void => {
    switch (e.type) {
      case 'observation':
        visitComparison(e.comparison)
        return
      case 'observation-group':
        visitObservation(e.expression)
        return
      case 'observation-operator':
        visitObservation(e.left)
        visitObservation(e.right)
        return
      case 'qualified': {
        checkQualifier(e.qualifier, full, issues)
        if (full) checkDuplicateQualifiers(e, issues)
        // skip the rest of this chain for duplicate checks: walk down to its base
        let base: ObservationExpression = e.expression
        while (base.type === 'qualified') {
          checkQualifier(base.qualifier, full, issues)
          base = base.expression
        }
        visitObservation(base)
        return
      }
    }
  }

  const visitComparison = (c: ComparisonExpression): void => {
    switch (c.type) {
      case 'comparison-group':
        visitComparison(c.expression)
        return
      case 'boolean':
        visitComparison(c.left)
        visitComparison(c.right)
        return
      case 'exists':
        if (checkPaths) checkObjectPath(c.path, types, issues)
        return
      case 'comparison': {
        if (checkPaths) checkObjectPath(c.path, types, issues)
        const values = c.value.type === 'set' ? c.value.values : [c.value]
        if (c.value.type === 'set') checkSetTypes(c.value.values, issues)
        if (c.operator === 'MATCHES' && c.value.type === 'string') {
          const r = translateRegex(c.value.value)
          if (!r.ok)
            issues.push(
              patternError('semantic', `invalid regular expression: ${r.message}`, c.value.pos.start),
            )
        }
        if ((c.operator === 'ISSUBSET' || c.operator === 'ISSUPERSET') && c.value.type === 'string') {
          if (parseNetwork(c.value.value) === undefined) {
            issues.push(
              patternError(
                'semantic',
                `'${c.value.value}' is not an IPv4/IPv6 address or CIDR block`,
                c.value.pos.start,
              ),
            )
          }
        }
        if (full && (c.operator === '=' || c.operator === '!=' || c.operator === 'IN')) {
          checkHashValues(c.path, values, issues)
        }
        return
      }
    }
  }

  visitObservation(pattern)
  return issues.sort((a, b) => a.offset - b.offset)
}

function checkQualifier(q: Qualifier, full: boolean, issues: PatternError[]): void {
  if (q.type === 'within' && !(q.seconds > 0)) {
    issues.push(patternError('semantic', 'WITHIN requires a positive number of seconds', q.pos.start))
  } else if (q.type === 'repeats' && !(q.times > 0)) {
    issues.push(patternError('semantic', 'REPEATS requires a positive count', q.pos.start))
  } else if (full && q.type === 'start-stop') {
    const start = parseTimestamp(q.start)
    const stop = parseTimestamp(q.stop)
    if (start !== undefined && stop !== undefined && compareInstants(start, stop) >= 0) {
      issues.push(patternError('semantic', 'START must be earlier than STOP', q.pos.start))
    }
  }
}

const QUALIFIER_NAMES = { within: 'WITHIN', repeats: 'REPEATS', 'start-stop': 'STARTSTOP' } as const

/**
 * The same qualifier twice in one chain on a bracketed observation (`[a] WITHIN 1 SECONDS WITHIN 2
 * SECONDS`) is an error. A chain on a parenthesised expression is not: `([a]) WITHIN 1 SECONDS
 * WITHIN 2 SECONDS` and `([a] REPEATS 2 TIMES) REPEATS 2 TIMES` are valid for the OASIS validator.
 */
function checkDuplicateQualifiers(top: ObservationExpression, issues: PatternError[]): void {
  const chain: Qualifier[] = []
  let base = top
  while (base.type === 'qualified') {
    chain.unshift(base.qualifier)
    base = base.expression
  }
  if (base.type !== 'observation') return
  const seen = new Set<string>()
  for (const q of chain) {
    if (seen.has(q.type)) {
      issues.push(
        patternError(
          'semantic',
          `duplicate qualifier type on one observation: ${QUALIFIER_NAMES[q.type]}`,
          q.pos.start,
        ),
      )
      return
    }
    seen.add(q.type)
  }
}

function literalKind(l: Literal): string {
  return l.type === 'int' || l.type === 'float' ? 'number' : l.type
}

function checkSetTypes(values: Literal[], issues: PatternError[]): void {
  const first = values[0]
  if (first === undefined) return
  for (const v of values) {
    if (literalKind(v) !== literalKind(first)) {
      issues.push(
        patternError(
          'semantic',
          `set literal mixes ${literalKind(first)} and ${literalKind(v)} values`,
          v.pos.start,
        ),
      )
      return
    }
  }
}

// Lengths in hex digits, keyed by the algorithm name upper-cased without '-' or '_'.
const HASH_HEX_LENGTHS: Readonly<Record<string, number>> = {
  MD5: 32,
  SHA1: 40,
  SHA224: 56,
  SHA256: 64,
  SHA384: 96,
  SHA512: 128,
  SHA3224: 56,
  SHA3256: 64,
  SHA3384: 96,
  SHA3512: 128,
}

function checkHashValues(path: ObjectPath, values: Literal[], issues: PatternError[]): void {
  const n = path.steps.length
  const alg = path.steps[n - 1]
  const parent = path.steps[n - 2]
  if (alg?.type !== 'key' || parent?.type !== 'key' || !/hashes$/.test(parent.name)) return
  const norm = alg.name.toUpperCase().replace(/[-_]/g, '')
  const len = HASH_HEX_LENGTHS[norm]
  for (const v of values) {
    if (v.type !== 'string') continue
    const ok =
      len !== undefined
        ? v.value.length === len && /^[0-9a-fA-F]*$/.test(v.value)
        : norm === 'TLSH'
          ? /^(T1)?[0-9a-fA-F]{70}$/.test(v.value)
          : true
    if (!ok)
      issues.push(patternError('semantic', `'${v.value}' is not a valid ${alg.name} hash`, v.pos.start))
  }
}

type Shape = PropertySpec | { scoTypes: readonly string[] } | 'any'

function checkObjectPath(
  path: ObjectPath,
  types: Readonly<Record<string, ScoTypeDefinition>>,
  issues: PatternError[],
): void {
  const def = types[path.objectType]
  if (def === undefined) {
    if (!isCustomTypeName(path.objectType)) {
      issues.push(
        patternError(
          'semantic',
          `'${path.objectType}' is neither a STIX 2.1 Cyber-observable type nor a valid custom type name`,
          path.pos.start,
        ),
      )
    }
    return
  }
  let shape: Shape = { scoTypes: [path.objectType] }
  for (let i = 0; i < path.steps.length; i++) {
    const step = path.steps[i]!
    const problem = (message: string) => issues.push(patternError('semantic', message, step.pos.start))
    if (shape === 'any' || shape === 'dict') return
    if (step.type === 'index') {
      if (typeof shape === 'object' && 'list' in shape) {
        shape = shape.list
        continue
      }
      problem(`${describeStep(path, i)} is not a list`)
      return
    }
    const name = step.name
    if (typeof shape === 'object' && 'list' in shape) {
      problem(`${describeStep(path, i)} follows a list; index it with [n] or [*] first`)
      return
    }
    if (shape === 'value') {
      problem(`${describeStep(path, i)}: the preceding property holds a plain value`)
      return
    }
    let next: Shape | undefined
    if ('scoTypes' in shape || 'ref' in shape) {
      const targets = 'scoTypes' in shape ? shape.scoTypes : shape.ref
      const known = targets.map((t) => types[t]).filter((d) => d !== undefined)
      if (known.length === 0 || known.length < targets.length) return // custom or unconstrained target
      if (name === 'extensions') {
        next = extensionsShape(path, i, known, issues)
        if (next === undefined) return
        shape = next
        i++ // extensionsShape consumed the extension name step
        continue
      }
      for (const d of known) next ??= ownEntry(d.properties, name) ?? ownEntry(COMMON_SCO_PROPERTIES, name)
    } else if ('props' in shape) {
      next = ownEntry(shape.props, name)
    }
    if (next === undefined) {
      if (isCustomPropertyName(name)) return
      problem(
        `'${name}' is not a property of ${describeOwner(path, i, shape)} (custom properties must start with x_)`,
      )
      return
    }
    shape = next
  }
}

function extensionsShape(
  path: ObjectPath,
  i: number,
  defs: ScoTypeDefinition[],
  issues: PatternError[],
): Shape | undefined {
  const step = path.steps[i + 1]
  if (step === undefined) return undefined
  if (step.type !== 'key') {
    issues.push(
      patternError('semantic', "'extensions' is a dictionary keyed by extension name", step.pos.start),
    )
    return undefined
  }
  for (const d of defs) {
    const ext = d.extensions?.[step.name]
    if (ext !== undefined) return { props: ext }
  }
  if (isCustomExtensionName(step.name)) return 'any'
  issues.push(
    patternError(
      'semantic',
      `'${step.name}' is not a predefined extension of '${path.objectType}' (custom extensions use an extension-definition id or an x- prefix)`,
      step.pos.start,
    ),
  )
  return undefined
}

function describeStep(path: ObjectPath, i: number): string {
  const s = path.steps[i]!
  return s.type === 'key' ? `'${s.name}'` : `[${s.index}]`
}

function describeOwner(path: ObjectPath, i: number, shape: Shape): string {
  if (typeof shape === 'object' && 'scoTypes' in shape) return `'${path.objectType}'`
  if (typeof shape === 'object' && 'ref' in shape) return `the referenced ${shape.ref.join(' / ')}`
  for (let j = i - 1; j >= 0; j--) {
    const prev = path.steps[j]!
    if (prev.type === 'key') return `'${prev.name}'`
  }
  return `'${path.objectType}'`
}
