/**
 * A reference model of the sharing rules, written from docs/POLICY.md without looking at how src/policy does
 * it: no compilation, no indexes, no caching, linear scans everywhere. It answers straight from the full
 * history, so it also checks `policyAt`. Slow and simple on purpose; property tests compare it with `decide`.
 */

import type {
  Agreement,
  DecisionContext,
  ObjectVersion,
  PolicyHistory,
  Suspension,
} from '../../src/policy/types.js'
import type { StixObject } from '../../src/stix/object.js'

type Level = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red'
const ORDER: Level[] = ['clear', 'green', 'amber', 'amber+strict', 'red']
const rank = (l: Level): number => ORDER.indexOf(l)

const KNOWN_TLP: Record<string, Level> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'clear',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'green',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'amber',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'amber+strict',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'red',
  'marking-definition--826578e1-40ad-459f-bc73-ede076f81f37': 'amber+strict',
}
const KNOWN_HANDLING = [
  'marking-definition--37ababc5-d0b9-59c4-8352-a5ba4fa3ea82',
  'marking-definition--f1d9c592-8fb8-5ebc-9efc-60f82eb3ffa1',
  'marking-definition--d4b3d411-97cc-5933-be2b-9f99493a67c2',
  'marking-definition--96468d86-f874-5fa7-9772-72d23496b32c',
]

function levelOf(text: unknown): Level | undefined {
  if (typeof text !== 'string') return undefined
  let s = text.toLowerCase().trim()
  if (s.startsWith('tlp:')) s = s.slice(4).trim()
  if (s === 'white') return 'clear'
  if (s === 'amber strict' || s === 'amber_strict') s = 'amber+strict'
  return ORDER.find((l) => l === s)
}

/** `null`: unknown marking. Otherwise the TLP it implies (or undefined for none). */
function lookup(id: string, markings: StixObject[]): { tlp: Level | undefined } | null {
  if (KNOWN_TLP[id] !== undefined) return { tlp: KNOWN_TLP[id] }
  if (KNOWN_HANDLING.includes(id)) return { tlp: undefined }
  const copies = markings.filter((x) => x.type === 'marking-definition' && x.id === id)
  const m = copies[0]
  if (m === undefined) return null
  // copies that disagree: which one an object meant cannot be known, so the strictest reading
  const sorted = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sorted)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sorted((x as Record<string, unknown>)[k])]),
          )
        : x
  if (new Set(copies.map((c) => JSON.stringify(sorted(c)))).size > 1) return { tlp: 'red' }
  const ext = (m.extensions ?? {}) as Record<string, Record<string, unknown>>
  const t2 = ext['extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d']
  if (t2 && levelOf(t2.tlp_2_0)) return { tlp: levelOf(t2.tlp_2_0) }
  const iep = ext['extension-definition--762e2e97-ee51-43e5-a9ea-165fbb862c4a']
  if (iep) return { tlp: iep.tlp === undefined ? undefined : (levelOf(iep.tlp) ?? 'red') }
  if (ext['extension-definition--43d3240f-0e74-5647-9bf8-5930b4c0a07e']) return { tlp: undefined }
  if (String(m.definition_type).toLowerCase() === 'tlp') {
    const def = (m.definition ?? {}) as Record<string, unknown>
    return { tlp: levelOf(def.tlp ?? def.TLP) ?? 'red' }
  }
  return { tlp: undefined }
}

function worst(levels: (Level | undefined)[]): Level | undefined {
  let w: Level | undefined
  for (const l of levels) if (l !== undefined && (w === undefined || rank(l) > rank(w))) w = l
  return w
}

const REQUIRED: Record<string, string[]> = {
  '*': ['type', 'id', 'spec_version', 'created', 'modified', 'object_marking_refs', 'granular_markings'],
  'attack-pattern': ['name'],
  campaign: ['name'],
  'course-of-action': ['name'],
  grouping: ['context', 'object_refs'],
  identity: ['name'],
  incident: ['name'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  infrastructure: ['name'],
  'intrusion-set': ['name'],
  malware: ['is_family'],
  'malware-analysis': ['product'],
  note: ['content', 'object_refs'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed'],
  opinion: ['opinion', 'object_refs'],
  report: ['name', 'published', 'object_refs'],
  'threat-actor': ['name'],
  tool: ['name'],
  vulnerability: ['name'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
}

const time = (s: string): number => Date.parse(s)

export interface ModelDecision {
  effect: 'allow' | 'redact' | 'deny'
  agreement?: string
  caveats: string[]
  redactions: string[]
  /** `kind|id` of every reason, sorted. */
  reasons: string[]
}

export function agreementsInForce(history: PolicyHistory, partnerId: string, at: number): Agreement[] {
  return history.agreements.filter(
    (a) =>
      a.partner_id === partnerId &&
      time(a.effective_from) <= at &&
      !a.withdrawn &&
      !history.agreements.some((b) => b.id === a.id && b.version > a.version && time(b.effective_from) <= at),
  )
}

export function suspensionsActive(history: PolicyHistory, partnerId: string, at: number): Suspension[] {
  const out: Suspension[] = []
  for (const o of history.orders) {
    if (o.kind !== 'suspension' || o.partner_id !== partnerId || time(o.effective_from) > at) continue
    const lifted = history.orders.some(
      (r) => r.kind === 'resumption' && r.lifts === o.id && time(r.effective_from) <= at,
    )
    if (!lifted) out.push(o)
  }
  return out
}

const under = (sel: string, anc: string): boolean => sel === anc || sel.startsWith(`${anc}.`)

function gradeOk(
  a: unknown,
  b: unknown,
  okA: readonly unknown[] | undefined,
  okB: readonly unknown[] | undefined,
  ungraded: string | undefined,
): boolean {
  if (a === undefined && b === undefined) return ungraded !== 'deny'
  if (okA) {
    if (a === undefined && ungraded === 'deny') return false
    if (a !== undefined && !okA.includes(a)) return false
  }
  if (okB) {
    if (b === undefined && ungraded === 'deny') return false
    if (b !== undefined && !okB.includes(b)) return false
  }
  return true
}

function grades(object: StixObject) {
  const e = ((object.extensions ?? {}) as Record<string, Record<string, unknown>>)[
    'extension-definition--c515d3e2-4f6d-580f-a747-378101648903'
  ]
  if (!e) return { rel: undefined, cred: undefined, src: undefined, info: undefined }
  // a grade that is there but is no grade of its scale: no filter can admit it
  const readable = (v: unknown, scale: readonly (string | number)[]) =>
    v === undefined ||
    scale.includes(v as string | number) ||
    (typeof v === 'string' && /^[0-9]$/.test(v) && scale.includes(Number(v)))
  const unreadable =
    typeof e !== 'object' ||
    !readable(e.admiralty_source_reliability, ['A', 'B', 'C', 'D', 'E', 'F']) ||
    !readable(e.admiralty_information_credibility, [1, 2, 3, 4, 5, 6]) ||
    !readable(e.source_evaluation_4x4, ['A', 'B', 'C', 'X']) ||
    !readable(e.information_evaluation_4x4, [1, 2, 3, 4])
  if (unreadable) return { rel: undefined, cred: undefined, src: undefined, info: undefined, unreadable }
  const rel = ['A', 'B', 'C', 'D', 'E', 'F'].includes(e.admiralty_source_reliability as string)
    ? (e.admiralty_source_reliability as string)
    : undefined
  const cred = [1, 2, 3, 4, 5, 6].includes(Number(e.admiralty_information_credibility))
    ? Number(e.admiralty_information_credibility)
    : undefined
  let src = ['A', 'B', 'C', 'X'].includes(e.source_evaluation_4x4 as string)
    ? (e.source_evaluation_4x4 as string)
    : undefined
  let info = [1, 2, 3, 4].includes(Number(e.information_evaluation_4x4))
    ? Number(e.information_evaluation_4x4)
    : undefined
  if (src === undefined && info === undefined) {
    if (rel !== undefined) src = { A: 'A', B: 'B', C: 'C', D: 'C', E: 'C', F: 'X' }[rel]
    if (cred !== undefined) info = Math.min(cred, 4)
  }
  return { rel, cred, src, info }
}

export function modelDecide(
  history: PolicyHistory,
  partnerId: string,
  version: ObjectVersion,
  instant: string,
  context?: DecisionContext,
  depth = 0,
): ModelDecision {
  const at = time(instant)
  const markings = [...(history.markings ?? [])]
  const deny = (reasons: string[]): ModelDecision => ({
    effect: 'deny',
    caveats: [],
    redactions: [],
    reasons: reasons.sort(),
  })
  if (!history.partners.some((p) => p.id === partnerId)) return deny([`unknown-partner|${partnerId}`])
  const o = version.object
  const objectRefs = o.object_marking_refs ?? []
  const labels = o.labels ?? []
  const reasons: string[] = []

  for (const id of objectRefs) if (lookup(id, markings) === null) reasons.push(`marking|${id}`)
  const objTlp = worst(objectRefs.map((id) => lookup(id, markings)?.tlp))

  // Marked properties, in order of first appearance.
  const selectors: string[] = []
  for (const g of o.granular_markings ?? []) {
    if (g.marking_ref === undefined) continue
    for (const s of g.selectors) if (!selectors.includes(s)) selectors.push(s)
  }
  const marksOn = (sel: string): string[] => {
    const ids: string[] = []
    for (const g of o.granular_markings ?? []) {
      if (
        g.marking_ref !== undefined &&
        g.selectors.some((s) => under(sel, s)) &&
        !ids.includes(g.marking_ref)
      ) {
        ids.push(g.marking_ref)
      }
    }
    return ids
  }

  // Redactions that do not depend on the agreement: unknown granular markings, property-level orders.
  const shared = new Map<string, string[]>()
  const add = (m: Map<string, string[]>, sel: string, r: string) => m.set(sel, [...(m.get(sel) ?? []), r])
  for (const sel of selectors)
    for (const id of marksOn(sel)) if (lookup(id, markings) === null) add(shared, sel, `marking|${id}`)

  for (const s of suspensionsActive(history, partnerId, at)) {
    const sc = s.scope ?? {}
    const basic =
      (!sc.collections || sc.collections.includes(version.collectionId)) &&
      (!sc.object_types || sc.object_types.includes(o.type)) &&
      (!sc.labels || labels.some((l) => sc.labels!.includes(l)))
    if (!basic) continue
    const objectLevel =
      (!sc.markings || objectRefs.some((m) => sc.markings!.includes(m))) &&
      (!sc.above_tlp || rank(objTlp ?? 'amber') > rank(sc.above_tlp))
    if (objectLevel) {
      reasons.push(`order|${s.id}`)
      continue
    }
    if (!sc.markings && !sc.above_tlp) continue
    for (const sel of selectors) {
      const ids = [...objectRefs, ...marksOn(sel)]
      const lvl = worst([objTlp ?? 'amber', ...marksOn(sel).map((id) => lookup(id, markings)?.tlp)])!
      const m = !sc.markings || ids.some((id) => sc.markings!.includes(id))
      const l = !sc.above_tlp || rank(lvl) > rank(sc.above_tlp)
      if (m && l) add(shared, sel, `order|${s.id}`)
    }
  }

  const agreements = agreementsInForce(history, partnerId, at).sort((x, y) =>
    x.id < y.id ? -1 : x.id > y.id ? 1 : 0,
  )
  const agreementReasons: string[] = []
  if (agreements.length === 0) agreementReasons.push(`no-agreement|${partnerId}`)
  let chosen: { a: Agreement; removed: Map<string, string[]> } | undefined
  for (const a of agreements) {
    const rs: string[] = []
    if (a.valid_from && at < time(a.valid_from)) rs.push(`validity|${a.id}`)
    else if (a.valid_until && at >= time(a.valid_until)) rs.push(`validity|${a.id}`)
    if (a.collections !== '*' && !a.collections.includes(version.collectionId)) rs.push(`collection|${a.id}`)
    if (a.object_types !== '*' && !a.object_types.includes(o.type)) rs.push(`type|${a.id}`)
    const eff = objTlp ?? a.default_tlp ?? 'amber'
    if (rank(eff) > rank(a.max_tlp)) rs.push(`tlp|${a.id}`)
    if ((a.required_markings ?? []).some((m) => !objectRefs.includes(m))) rs.push(`marking|${a.id}`)
    if (objectRefs.some((m) => (a.forbidden_markings ?? []).includes(m))) rs.push(`marking|${a.id}`)
    if ((a.required_labels ?? []).some((l) => !labels.includes(l))) rs.push(`label|${a.id}`)
    if (labels.some((l) => (a.forbidden_labels ?? []).includes(l))) rs.push(`label|${a.id}`)
    const g = grades(o)
    if ('unreadable' in g && (a.admiralty || a.evaluation_4x4)) rs.push(`grading|${a.id}`)
    else if (
      a.admiralty &&
      !gradeOk(g.rel, g.cred, a.admiralty.reliability, a.admiralty.credibility, a.admiralty.ungraded)
    ) {
      rs.push(`grading|${a.id}`)
    }
    if (
      !('unreadable' in g) &&
      a.evaluation_4x4 &&
      !gradeOk(
        g.src,
        g.info,
        a.evaluation_4x4.source,
        a.evaluation_4x4.information,
        a.evaluation_4x4.ungraded,
      )
    ) {
      rs.push(`grading|${a.id}`)
    }
    for (const c of new Set(a.caveats ?? [])) if (lookup(c, markings) === null) rs.push(`caveat|${c}`)
    if (rs.length > 0) {
      agreementReasons.push(...rs)
      continue
    }
    const removed = new Map<string, string[]>()
    for (const sel of selectors) {
      for (const r of shared.get(sel) ?? []) add(removed, sel, r)
      const lvl = worst([eff, ...marksOn(sel).map((id) => lookup(id, markings)?.tlp)])!
      if (rank(lvl) > rank(a.max_tlp)) add(removed, sel, `tlp|${a.id}`)
      if (marksOn(sel).some((m) => (a.forbidden_markings ?? []).includes(m)))
        add(removed, sel, `marking|${a.id}`)
    }
    const required = [...REQUIRED['*']!, ...(REQUIRED[o.type] ?? [])]
    const fatal = [...removed.entries()].filter(([sel]) => required.includes(sel.split('.')[0]!))
    if (fatal.length > 0) {
      for (const [, rs2] of fatal) agreementReasons.push(...rs2)
      continue
    }
    if (chosen === undefined || removed.size < chosen.removed.size) chosen = { a, removed }
  }
  if (chosen === undefined) reasons.push(...agreementReasons)

  if (o.type === 'relationship' || o.type === 'sighting') {
    const needed =
      o.type === 'relationship'
        ? ['source_ref', 'target_ref']
        : ['sighting_of_ref', 'where_sighted_refs', 'observed_data_refs']
    const refs: string[] = []
    for (const p of needed) {
      const v = o[p]
      if (typeof v === 'string') refs.push(v)
      else if (Array.isArray(v)) refs.push(...v.filter((x): x is string => typeof x === 'string'))
      else if (p !== 'where_sighted_refs' && p !== 'observed_data_refs') reasons.push('endpoint|undefined')
    }
    for (const ref of [...new Set(refs)]) {
      const versions = context?.endpoints?.get(ref) ?? []
      const seen =
        depth < 4 &&
        versions.some(
          (v) => modelDecide(history, partnerId, v, instant, context, depth + 1).effect !== 'deny',
        )
      if (!seen) reasons.push(`endpoint|${ref}`)
    }
  }

  if (reasons.length > 0 || chosen === undefined) return deny(reasons)
  const redactions = selectors.filter((s) => chosen!.removed.has(s))
  const allReasons = redactions.flatMap((s) => chosen!.removed.get(s)!).sort()
  return {
    effect: redactions.length > 0 ? 'redact' : 'allow',
    agreement: chosen.a.id,
    caveats: [...new Set(chosen.a.caveats ?? [])],
    redactions,
    reasons: allReasons,
  }
}

const GONE = Symbol('gone')

/**
 * The model's redaction: replace every selected value by a tombstone, rebuild the granular markings by
 * walking the original object and counting surviving list elements, then drop the tombstones.
 */
export function modelRedact(object: StixObject, d: ModelDecision): StixObject {
  const copy = JSON.parse(JSON.stringify(object)) as Record<string, unknown>
  if (d.redactions.length === 0) {
    const refs = [...((copy.object_marking_refs as string[] | undefined) ?? [])]
    for (const c of d.caveats) if (c !== object.id && !refs.includes(c)) refs.push(c)
    if (refs.length > 0) copy.object_marking_refs = refs
    return copy as StixObject
  }
  const steps = (sel: string): (string | number)[] =>
    sel.split('.').map((p) => (p.startsWith('[') ? Number(p.slice(1, -1)) : p))
  const get = (root: unknown, path: (string | number)[]): unknown => {
    let cur: unknown = root
    for (const k of path) {
      if (cur === null || typeof cur !== 'object') return undefined
      if (typeof k === 'number' ? !Array.isArray(cur) : Array.isArray(cur) || !Object.hasOwn(cur, k))
        return undefined
      cur = (cur as Record<string | number, unknown>)[k]
    }
    return cur
  }
  for (const sel of d.redactions) {
    const path = steps(sel)
    const parent = get(copy, path.slice(0, -1))
    const last = path[path.length - 1]!
    if (parent === null || typeof parent !== 'object') continue
    if (
      typeof last === 'number'
        ? Array.isArray(parent) && last < parent.length
        : !Array.isArray(parent) && Object.hasOwn(parent, last)
    ) {
      ;(parent as Record<string | number, unknown>)[last] = GONE
    }
  }
  // New selector for an old one, or undefined if it no longer exists.
  const translate = (sel: string): string | undefined => {
    const path = steps(sel)
    let cur: unknown = copy
    const out: string[] = []
    for (const k of path) {
      if (cur === GONE || cur === null || typeof cur !== 'object') return undefined
      if (typeof k === 'number') {
        if (!Array.isArray(cur) || k >= cur.length || cur[k] === GONE) return undefined
        out.push(`[${cur.slice(0, k).filter((x) => x !== GONE).length}]`)
        cur = cur[k]
      } else {
        if (Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined
        cur = (cur as Record<string, unknown>)[k]
        if (cur === GONE) return undefined
        out.push(k)
      }
    }
    return out.join('.')
  }
  const newGranular: { marking_ref?: string; lang?: string; selectors: string[] }[] = []
  for (const g of object.granular_markings ?? []) {
    const sels = g.selectors.map(translate).filter((s): s is string => s !== undefined)
    if (sels.length > 0) newGranular.push({ ...g, selectors: sels })
  }
  const purge = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter((x) => x !== GONE).map(purge)
    if (v !== null && typeof v === 'object') {
      const r: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        if (x === GONE) continue
        // A list that lost every element to redaction goes too.
        if (Array.isArray(x) && x.length > 0 && x.every((y) => y === GONE)) continue
        r[k] = purge(x)
      }
      return r
    }
    return v
  }
  const out = purge(copy) as Record<string, unknown>
  // Selectors into a list that disappeared entirely.
  const finalGranular = newGranular
    .map((g) => ({ ...g, selectors: g.selectors.filter((s) => get(out, steps(s)) !== undefined) }))
    .filter((g) => g.selectors.length > 0)
  if (object.granular_markings !== undefined) {
    if (finalGranular.length > 0) out.granular_markings = finalGranular
    else delete out.granular_markings
  }
  const refs = [...((out.object_marking_refs as string[] | undefined) ?? [])]
  for (const c of d.caveats) if (c !== object.id && !refs.includes(c)) refs.push(c)
  if (refs.length > 0 || out.object_marking_refs !== undefined) out.object_marking_refs = refs
  return out as StixObject
}
