import type { ComparisonExpression, ObjectPath, ObservationExpression, PathStep, Pattern } from './ast.js'
import { binaryEncodingOf, compileComparison, type ValuePredicate } from './compare.js'
import { PatternMatchError } from './errors.js'
import { type ParseOptions, parsePattern } from './parser.js'
import { compareInstants, type Instant, parseTimestamp, secondsBetween } from './timestamp.js'
import { semanticIssues } from './validate.js'

type JsonObject = Readonly<Record<string, unknown>>

/**
 * One item to match against: an observed-data object (STIX 2.1 with `object_refs`, or STIX 2.0
 * with an embedded `objects` dictionary), or a bundle holding observed-data and the objects they
 * reference (each observed-data in it is one observation).
 */
export type ObservedDataInput = JsonObject

/** Where 2.1 `object_refs` and `*_ref(s)` are looked up (after the enclosing bundle, if any). */
export type ObjectLookup =
  | ReadonlyMap<string, JsonObject>
  | Iterable<JsonObject>
  | ((id: string) => JsonObject | undefined)

export interface MatchOptions extends ParseOptions {
  objects?: ObjectLookup
  /**
   * Candidate bindings the search may consider before it gives up with a {@link PatternMatchError}
   * (default {@link MAX_MATCH_STEPS}). Binding observations to a chain of expressions is combinatorial: a
   * short pattern over a few hundred observations could otherwise hold the process for hours.
   */
  maxSteps?: number
}

/** About a second of search on one core; patterns the oracles and real detection rules use need far fewer. */
export const MAX_MATCH_STEPS = 1_000_000

/** An observed-data that took part in the match. */
export interface MatchedObservation {
  /** index into the `observations` argument (the bundle, for bundle inputs) */
  input: number
  observedData: JsonObject
}

export interface MatchResult {
  matched: boolean
  /** The observations of the first binding found, in time order; present when `matched`. */
  bindings?: MatchedObservation[]
}

interface Observation {
  input: number
  observedData: JsonObject
  first: Instant | undefined
  last: Instant | undefined
  count: number
  roots: JsonObject[]
  resolve: (ref: string) => JsonObject | undefined
}

type ObjectTest = (root: JsonObject, obs: Observation) => boolean

type Node =
  | { kind: 'leaf'; id: number; test: ObjectTest; types: Set<string> }
  | { kind: 'and' | 'or' | 'followedby'; left: Node; right: Node }
  | { kind: 'within'; seconds: number; inner: Node }
  | { kind: 'startstop'; start: Instant; stop: Instant; inner: Node }
  | { kind: 'repeats'; times: number; inner: Node }

/** A set of observation units (sorted ids); a unit is one of an observed-data's `number_observed`. */
type Binding = readonly number[]
type Feasible = (b: Binding) => boolean

/**
 * A pattern prepared for repeated matching. Compiling checks what would make evaluation
 * impossible (syntax, `WITHIN 0 SECONDS`, mixed set literals, bad regexes or CIDRs) and throws
 * {@link PatternMatchError} for it; object paths are not checked against the SCO vocabulary.
 */
export class CompiledPattern {
  readonly #root: Node
  readonly #leafCount: number
  readonly #maxUnits: number

  constructor(pattern: Pattern) {
    const issue = semanticIssues(pattern, { scope: 'evaluation' })[0]
    if (issue !== undefined) throw new PatternMatchError(issue.message, { patternError: issue })
    let leaves = 0
    this.#root = compileObservation(pattern, () => leaves++)
    this.#leafCount = leaves
    this.#maxUnits = maxUnits(this.#root)
  }

  match(observations: readonly ObservedDataInput[], options: MatchOptions = {}): MatchResult {
    const obs = collectObservations(observations, options.objects)
    const root = this.#root
    if (root.kind === 'leaf') {
      // a single observation expression needs no binding search
      const hit = obs.find((o) =>
        o.roots.some((r) => typeof r.type === 'string' && root.types.has(r.type) && root.test(r, o)),
      )
      return hit === undefined
        ? { matched: false }
        : { matched: true, bindings: [{ input: hit.input, observedData: hit.observedData }] }
    }
    const ctx = new Evaluation(obs, this.#leafCount, this.#maxUnits, options.maxSteps ?? MAX_MATCH_STEPS)
    const first = ctx.bindings(this.#root, () => true).next()
    if (first.done) return { matched: false }
    const seen = new Set<number>()
    const bound: Observation[] = []
    for (const u of first.value) {
      const o = ctx.unitObs[u]!
      if (!seen.has(o)) {
        seen.add(o)
        bound.push(obs[o]!)
      }
    }
    bound.sort((a, b) => (a.first && b.first ? compareInstants(a.first, b.first) : 0))
    return { matched: true, bindings: bound.map((o) => ({ input: o.input, observedData: o.observedData })) }
  }
}

const cache = new Map<string, CompiledPattern>()
const CACHE_LIMIT = 256

/** Parses (if given text) and compiles a pattern; throws {@link PatternMatchError} if it cannot be evaluated. */
export function compilePattern(pattern: Pattern | string, options: ParseOptions = {}): CompiledPattern {
  if (typeof pattern !== 'string') return new CompiledPattern(pattern)
  const key = `${options.stixVersion ?? '2.1'}\u0000${pattern}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const parsed = parsePattern(pattern, options)
  if (!parsed.ok) {
    throw new PatternMatchError(
      `pattern does not parse: ${parsed.error.message} (column ${parsed.error.column})`,
      {
        patternError: parsed.error,
      },
    )
  }
  const compiled = new CompiledPattern(parsed.ast)
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(key, compiled)
  return compiled
}

/**
 * Evaluates a STIX pattern against observations. Observation expressions bind to distinct
 * observations (an observed-data counts `number_observed` times); AND, OR and FOLLOWEDBY combine
 * them, and WITHIN, START/STOP and REPEATS constrain them using `first_observed` / `last_observed`.
 * Throws {@link PatternMatchError} when the pattern cannot be evaluated (see {@link CompiledPattern}).
 *
 * @example
 * matchPattern("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", [observedData], { objects: bundle.objects })
 * // → { matched: true, bindings: [{ input: 0, observedData }] }
 */
export function matchPattern(
  pattern: Pattern | string | CompiledPattern,
  observations: readonly ObservedDataInput[],
  options: MatchOptions = {},
): MatchResult {
  const compiled = pattern instanceof CompiledPattern ? pattern : compilePattern(pattern, options)
  return compiled.match(observations, options)
}

//// Compilation

function compileObservation(e: ObservationExpression, nextLeaf: () => number): Node {
  switch (e.type) {
    case 'observation': {
      const types = new Set<string>()
      const test = compileComparisonExpression(e.comparison, types)
      return { kind: 'leaf', id: nextLeaf(), test, types }
    }
    case 'observation-group':
      return compileObservation(e.expression, nextLeaf)
    case 'observation-operator': {
      const kind = e.operator === 'AND' ? 'and' : e.operator === 'OR' ? 'or' : 'followedby'
      return {
        kind,
        left: compileObservation(e.left, nextLeaf),
        right: compileObservation(e.right, nextLeaf),
      }
    }
    case 'qualified': {
      const inner = compileObservation(e.expression, nextLeaf)
      const q = e.qualifier
      if (q.type === 'within') return { kind: 'within', seconds: q.seconds, inner }
      if (q.type === 'repeats') return { kind: 'repeats', times: q.times, inner }
      const start = parseTimestamp(q.start)
      const stop = parseTimestamp(q.stop)
      if (start === undefined || stop === undefined)
        throw new PatternMatchError('invalid START/STOP timestamp')
      return { kind: 'startstop', start, stop, inner }
    }
  }
}

function compileComparisonExpression(c: ComparisonExpression, types: Set<string>): ObjectTest {
  switch (c.type) {
    case 'comparison-group':
      return compileComparisonExpression(c.expression, types)
    case 'boolean': {
      const l = compileComparisonExpression(c.left, types)
      const r = compileComparisonExpression(c.right, types)
      return c.operator === 'AND' ? (o, obs) => l(o, obs) && r(o, obs) : (o, obs) => l(o, obs) || r(o, obs)
    }
    case 'exists': {
      types.add(c.path.objectType)
      const { objectType, steps } = c.path
      const negated = c.negated
      return (o, obs) => o.type === objectType && selectValues(o, steps, obs) !== negated
    }
    case 'comparison': {
      types.add(c.path.objectType)
      const { objectType, steps } = c.path
      const predicate: ValuePredicate = compileComparison(c, binaryEncodingOf(lastKey(c.path)))
      return (o, obs) => o.type === objectType && anyValue(o, steps, obs, predicate)
    }
  }
}

function lastKey(path: ObjectPath): string | undefined {
  for (let i = path.steps.length - 1; i >= 0; i--) {
    const s = path.steps[i]!
    if (s.type === 'key') return s.name
  }
  return undefined
}

/** Upper bound on how many units of one observed-data a binding can use. */
function maxUnits(n: Node): number {
  switch (n.kind) {
    case 'leaf':
      return 1
    case 'and':
    case 'followedby':
      return maxUnits(n.left) + maxUnits(n.right)
    case 'or':
      return Math.max(maxUnits(n.left), maxUnits(n.right))
    case 'repeats':
      return Math.min(n.times * maxUnits(n.inner), 1 << 20)
    case 'within':
    case 'startstop':
      return maxUnits(n.inner)
  }
}

//// Object paths

const isRefName = (name: string): boolean => name.endsWith('_ref') || name.endsWith('_refs')

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Walks a path from a root object and calls `visit` for each selected value, stopping early when it
 * returns true. A key step after a `*_ref` / `*_refs` value first dereferences the id.
 */
function walk(
  value: unknown,
  isRef: boolean,
  steps: readonly PathStep[],
  i: number,
  obs: Observation,
  visit: (v: unknown) => boolean,
): boolean {
  if (i === steps.length) return visit(value)
  const step = steps[i]!
  if (step.type === 'key') {
    let target = value
    if (isRef) {
      if (typeof value !== 'string') return false
      target = obs.resolve(value)
    }
    if (!isPlainObject(target) || !Object.hasOwn(target, step.name)) return false
    return walk(target[step.name], isRefName(step.name), steps, i + 1, obs, visit)
  }
  if (!Array.isArray(value)) return false
  if (step.index === '*') {
    for (const item of value) if (walk(item, isRef, steps, i + 1, obs, visit)) return true
    return false
  }
  const idx = step.index < 0 ? value.length + step.index : step.index
  if (idx < 0 || idx >= value.length) return false
  return walk(value[idx], isRef, steps, i + 1, obs, visit)
}

function anyValue(
  root: JsonObject,
  steps: readonly PathStep[],
  obs: Observation,
  p: ValuePredicate,
): boolean {
  return walk(root, false, steps, 0, obs, p)
}

function selectValues(root: JsonObject, steps: readonly PathStep[], obs: Observation): boolean {
  return walk(root, false, steps, 0, obs, () => true)
}

//// Observations

function lookupFunction(lookup: ObjectLookup | undefined): (id: string) => JsonObject | undefined {
  if (lookup === undefined) return () => undefined
  if (typeof lookup === 'function') return lookup
  if (lookup instanceof Map) return (id) => lookup.get(id)
  const map = new Map<string, JsonObject>()
  for (const o of lookup as Iterable<JsonObject>) if (typeof o.id === 'string') map.set(o.id, o)
  return (id) => map.get(id)
}

function timestampOf(od: JsonObject, field: string): Instant | undefined {
  const v = od[field]
  if (v === undefined) return undefined
  const t = typeof v === 'string' ? parseTimestamp(v) : undefined
  if (t === undefined)
    throw new PatternMatchError(`observed-data ${String(od.id ?? '')} has an invalid ${field}`)
  return t
}

function observation(
  input: number,
  od: JsonObject,
  outer: (id: string) => JsonObject | undefined,
): Observation {
  const count =
    typeof od.number_observed === 'number' && od.number_observed >= 1 ? Math.floor(od.number_observed) : 1
  let roots: JsonObject[]
  let resolve: (ref: string) => JsonObject | undefined
  if (Array.isArray(od.object_refs)) {
    roots = []
    for (const ref of od.object_refs) {
      const o = typeof ref === 'string' ? outer(ref) : undefined
      if (o !== undefined) roots.push(o)
    }
    resolve = outer
  } else {
    const embedded = isPlainObject(od.objects) ? od.objects : {}
    roots = Object.values(embedded).filter(isPlainObject)
    resolve = (key) =>
      Object.hasOwn(embedded, key) && isPlainObject(embedded[key]) ? embedded[key] : undefined
  }
  // Timestamps are parsed on first use: patterns without temporal constraints never need them.
  let first: Instant | undefined | null = null
  let last: Instant | undefined | null = null
  return {
    input,
    observedData: od,
    count,
    roots,
    resolve,
    get first() {
      if (first === null) first = timestampOf(od, 'first_observed')
      return first
    },
    get last() {
      if (last === null) last = timestampOf(od, 'last_observed')
      return last
    },
  }
}

function collectObservations(
  inputs: readonly ObservedDataInput[],
  lookup: ObjectLookup | undefined,
): Observation[] {
  const global = lookupFunction(lookup)
  const out: Observation[] = []
  inputs.forEach((item, input) => {
    if (item.type === 'bundle' && Array.isArray(item.objects)) {
      const local = new Map<string, JsonObject>()
      for (const o of item.objects) if (isPlainObject(o) && typeof o.id === 'string') local.set(o.id, o)
      const resolve = (id: string) => local.get(id) ?? global(id)
      for (const o of item.objects) {
        if (isPlainObject(o) && o.type === 'observed-data') out.push(observation(input, o, resolve))
      }
    } else {
      out.push(observation(input, item, global))
    }
  })
  return out
}

//// Binding search

class Evaluation {
  /** observation index of each unit */
  readonly unitObs: number[] = []
  readonly #units: number[][] = []
  readonly #leafMatches: (number[] | undefined)[]
  #stepsLeft: number

  constructor(
    readonly observations: Observation[],
    leafCount: number,
    maxUnitsPerObservation: number,
    maxSteps: number,
  ) {
    this.#stepsLeft = maxSteps
    this.#leafMatches = new Array(leafCount)
    observations.forEach((o, i) => {
      const units: number[] = []
      for (let k = 0; k < Math.min(o.count, maxUnitsPerObservation); k++) {
        units.push(this.unitObs.length)
        this.unitObs.push(i)
      }
      this.#units.push(units)
    })
  }

  #matchingObservations(leaf: Extract<Node, { kind: 'leaf' }>): number[] {
    let m = this.#leafMatches[leaf.id]
    if (m === undefined) {
      m = []
      this.observations.forEach((o, i) => {
        for (const root of o.roots) {
          if (typeof root.type === 'string' && leaf.types.has(root.type) && leaf.test(root, o)) {
            m!.push(i)
            return
          }
        }
      })
      this.#leafMatches[leaf.id] = m
    }
    return m
  }

  #step(): void {
    if (--this.#stepsLeft < 0)
      throw new PatternMatchError(
        'matching needs too many combinations of these observations; use fewer observation expressions, or narrow them with WITHIN or START/STOP',
      )
  }

  #first(u: number): Instant {
    const o = this.observations[this.unitObs[u]!]!
    if (o.first === undefined)
      throw new PatternMatchError('observed-data without first_observed used in a temporal comparison')
    return o.first
  }

  #last(u: number): Instant {
    const o = this.observations[this.unitObs[u]!]!
    if (o.last === undefined)
      throw new PatternMatchError('observed-data without last_observed used in a temporal comparison')
    return o.last
  }

  /** Seconds from the earliest `last_observed` to the latest `first_observed` of a binding. */
  #span(b: Binding): number {
    let maxFirst = this.#first(b[0]!)
    let minLast = this.#last(b[0]!)
    for (const u of b) {
      const f = this.#first(u)
      const l = this.#last(u)
      if (compareInstants(f, maxFirst) > 0) maxFirst = f
      if (compareInstants(l, minLast) < 0) minLast = l
    }
    return secondsBetween(minLast, maxFirst)
  }

  /** Distinct bindings (as unit sets) that satisfy `n`, restricted to those `feasible` accepts. */
  *bindings(n: Node, feasible: Feasible): Generator<Binding> {
    switch (n.kind) {
      case 'leaf':
        for (const o of this.#matchingObservations(n)) {
          for (const u of this.#units[o]!) {
            this.#step()
            const b = [u]
            if (feasible(b)) yield b
          }
        }
        return
      case 'or': {
        const seen = new Set<string>()
        for (const side of [n.left, n.right]) {
          for (const b of this.bindings(side, feasible)) {
            const key = b.join()
            if (!seen.has(key)) {
              seen.add(key)
              yield b
            }
          }
        }
        return
      }
      case 'and':
      case 'followedby': {
        const rights = [...this.bindings(n.right, feasible)]
        if (rights.length === 0) return
        const seen = new Set<string>()
        const ordered = n.kind === 'followedby'
        for (const l of this.bindings(n.left, feasible)) {
          const lastOfLeft = ordered ? this.#maxLast(l) : undefined
          for (const r of rights) {
            this.#step()
            if (!disjoint(l, r)) continue
            if (lastOfLeft !== undefined && compareInstants(lastOfLeft, this.#minFirst(r)) > 0) continue
            const u = union(l, r)
            const key = u.join()
            if (seen.has(key) || !feasible(u)) continue
            seen.add(key)
            yield u
          }
        }
        return
      }
      case 'within': {
        const limit = n.seconds
        yield* this.bindings(n.inner, (b) => feasible(b) && this.#span(b) <= limit)
        return
      }
      case 'startstop': {
        const { start, stop } = n
        const inRange = (u: number) =>
          compareInstants(this.#first(u), start) >= 0 && compareInstants(this.#last(u), stop) < 0
        yield* this.bindings(n.inner, (b) => feasible(b) && b.every(inRange))
        return
      }
      case 'repeats':
        yield* this.#repeats(n.times, [...this.bindings(n.inner, feasible)], feasible)
        return
    }
  }

  /** Unions of `times` pairwise-disjoint items (chosen in index order), pruned by `feasible`. */
  *#repeats(times: number, items: Binding[], feasible: Feasible): Generator<Binding> {
    if (items.length < times) return
    const seen = new Set<string>()
    const stack: { next: number; acc: Binding }[] = [{ next: 0, acc: [] }]
    // depth-first; stack[d] is the state after choosing d items
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const depth = stack.length - 1
      if (depth === times) {
        stack.pop()
        const key = top.acc.join()
        if (!seen.has(key)) {
          seen.add(key)
          yield top.acc
        }
        continue
      }
      let advanced = false
      while (top.next <= items.length - (times - depth)) {
        const item = items[top.next++]!
        this.#step()
        if (!disjoint(top.acc, item)) continue
        const acc = union(top.acc, item)
        if (!feasible(acc)) continue
        stack.push({ next: top.next, acc })
        advanced = true
        break
      }
      if (!advanced) stack.pop()
    }
  }

  #maxLast(b: Binding): Instant {
    let m = this.#last(b[0]!)
    for (const u of b) {
      const l = this.#last(u)
      if (compareInstants(l, m) > 0) m = l
    }
    return m
  }

  #minFirst(b: Binding): Instant {
    let m = this.#first(b[0]!)
    for (const u of b) {
      const f = this.#first(u)
      if (compareInstants(f, m) < 0) m = f
    }
    return m
  }
}

function disjoint(a: Binding, b: Binding): boolean {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) return false
    if (a[i]! < b[j]!) i++
    else j++
  }
  return true
}

function union(a: Binding, b: Binding): Binding {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!)
    else out.push(b[j++]!)
  }
  return out
}
