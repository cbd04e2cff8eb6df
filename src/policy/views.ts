/**
 * Read-only views built on the decision function: collection listing, explanations and previews.
 */
import { compiled, decideCompiled } from './decide.js'
import { requireInstant } from './time.js'
import type { Decision, DecisionContext, ObjectVersion, PolicySnapshot, Reason } from './types.js'

/**
 * Collections `partnerId` may list at `instant`: those some agreement in force (and inside its validity window)
 * covers, minus those a suspension blocks whole (a whole-partner suspension blocks all; one narrowed only by
 * collections blocks those). Narrower suspensions (by type, marking, label or TLP) leave the collection listed;
 * `decide` filters its objects.
 *
 * `'*'` means every collection. When an agreement covers `'*'` but an order blocks some collections, the
 * result is expanded using `knownCollections` (or the snapshot's `collections`); if neither is given it stays
 * `'*'`: the blocked collection is then listed, though `decide` still withholds everything in it.
 */
export function collectionsVisibleTo(
  snapshot: PolicySnapshot,
  partnerId: string,
  instant: string,
  knownCollections?: Iterable<string>,
): Set<string> | '*' {
  const policy = compiled(snapshot)
  const t = requireInstant(instant, 'instant')
  const partner = policy.partners.get(partnerId)
  if (partner === undefined || t < policy.at || t >= policy.staleAt) return new Set()
  const blocked = new Set<string>()
  for (const s of partner.suspensions) {
    if (!s.wholeCollections) continue
    if (s.collections === undefined) return new Set()
    for (const c of s.collections) blocked.add(c)
  }
  let all = false
  const visible = new Set<string>()
  for (const a of partner.agreements) {
    if (t < a.validFrom || t >= a.validUntil) continue
    if (a.collections === '*') all = true
    else for (const c of a.collections) visible.add(c)
  }
  if (all) {
    if (blocked.size === 0) return '*'
    const universe = knownCollections ?? snapshot.collections
    if (universe === undefined) return '*'
    for (const c of universe) visible.add(c)
  }
  for (const c of blocked) visible.delete(c)
  return visible
}

export interface Explanation {
  decision: Decision
  /** One line per fact, for the console and `sluice policy explain`. */
  lines: string[]
  text: string
}

function reasonLine(r: Reason): string {
  return `  - [${r.kind}${r.id === undefined ? '' : ` ${r.id}`}] ${r.message}`
}

/**
 * A rule outside the sharing policy that withholds what the policy allows (the federation rules: nothing goes
 * back to where it came from, withdrawals), for a version the policy has not denied.
 */
export type AfterPolicy = (version: ObjectVersion, context?: DecisionContext) => Reason | undefined

/** What the partner gets: the policy's decision, unless a rule after it withholds what the policy allowed. */
function finalDecision(
  policyDecision: Decision,
  version: ObjectVersion,
  after?: AfterPolicy,
  context?: DecisionContext,
): Decision {
  if (policyDecision.effect === 'deny' || after === undefined) return policyDecision
  const reason = after(version, context)
  return reason === undefined ? policyDecision : { effect: 'deny', deniedBy: [reason] }
}

/**
 * Orders among `reasons` recorded after `instant` (issued with an earlier effective time): the policy as
 * recorded now applies them then, but the node's reads at that instant did not know them, so the ledger may
 * show disclosures the explanation calls withheld.
 */
function recordedLater(snapshot: PolicySnapshot, reasons: readonly Reason[], instant: string): string[] {
  const t = Date.parse(instant)
  return reasons.flatMap((r) => {
    if (r.kind !== 'order') return []
    const order = snapshot.suspensions.find((o) => o.id === r.id)
    if (order === undefined || !(Date.parse(order.recorded_at) > t)) return []
    return [
      `    (order ${order.id} was recorded at ${order.recorded_at}, after this instant, effective from ${order.effective_from}: reads at ${instant} did not yet apply it)`,
    ]
  })
}

/** {@link decide}, then the rules `after` it, plus a plain-language account of the decision. */
export function explain(
  snapshot: PolicySnapshot,
  partnerId: string,
  version: ObjectVersion,
  instant: string,
  context?: DecisionContext,
  after?: AfterPolicy,
): Explanation {
  const byPolicy = decideCompiled(compiled(snapshot), partnerId, version, instant, context)
  const decision = finalDecision(byPolicy, version, after, context)
  const partner = snapshot.partners.get(partnerId)
  const who = partner === undefined ? partnerId : `${partner.name} (${partnerId})`
  const what = `${version.object.id} in collection ${version.collectionId}`
  const lines: string[] = []
  if (decision.effect === 'deny') {
    lines.push(`${what} is WITHHELD from ${who} at ${instant}, because:`)
    lines.push(...decision.deniedBy.map(reasonLine))
    lines.push(...recordedLater(snapshot, decision.deniedBy, instant))
    if (byPolicy.effect !== 'deny')
      lines.push(`  (the sharing policy alone would share it: ${byPolicy.allowedBy.message})`)
  } else {
    const verb = decision.effect === 'allow' ? 'is SHARED with' : 'is SHARED REDACTED with'
    lines.push(`${what} ${verb} ${who} at ${instant}: ${decision.allowedBy.message}.`)
    if (decision.effect === 'redact') {
      lines.push(`Removed properties: ${decision.redactions.join(', ')}, because:`)
      lines.push(...decision.deniedBy.map(reasonLine))
    }
    if (decision.caveats.length > 0) lines.push(`Caveats attached: ${decision.caveats.join(', ')}.`)
  }
  return { decision, lines, text: lines.join('\n') }
}

export interface EffectCounts {
  allowed: number
  redacted: number
  denied: number
}

export interface PreviewCounts extends EffectCounts {
  total: number
  /**
   * `kind` or `kind:id` of a reason → how many withheld objects it is the first reason of. Each withheld object
   * counts once, so these add up to `denied`.
   */
  deniedByReason: Record<string, number>
  /** `kind` or `kind:id` of a reason → how many redacted objects it took properties from (several per object). */
  redactedByReason: Record<string, number>
  /** Agreement id → how many objects it let through (whole or redacted). */
  allowedByAgreement: Record<string, number>
  byCollection: Record<string, EffectCounts>
}

function reasonKey(r: Reason): string {
  return r.id === undefined ? r.kind : `${r.kind}:${r.id}`
}

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1
}

/**
 * What a partner would receive from `versions` at `instant`, as counts (for `sluice policy preview` and the
 * console). A withheld object is counted under its first reason only: `decide` lists orders before agreement
 * reasons and an SRO's own reasons before its ends', and a count per reason would make one relationship whose
 * two ends are withheld count twice. Redaction reasons count once per object each.
 */
export function previewCounts(
  snapshot: PolicySnapshot,
  partnerId: string,
  instant: string,
  versions: Iterable<ObjectVersion>,
  contextFor?: (version: ObjectVersion) => DecisionContext | undefined,
  after?: AfterPolicy,
): PreviewCounts {
  const policy = compiled(snapshot)
  const out: PreviewCounts = {
    total: 0,
    allowed: 0,
    redacted: 0,
    denied: 0,
    deniedByReason: {},
    redactedByReason: {},
    allowedByAgreement: {},
    byCollection: {},
  }
  for (const v of versions) {
    const context = contextFor?.(v)
    const d = finalDecision(decideCompiled(policy, partnerId, v, instant, context), v, after, context)
    out.total++
    out.byCollection[v.collectionId] ??= { allowed: 0, redacted: 0, denied: 0 }
    const col = out.byCollection[v.collectionId]
    if (d.effect === 'deny') {
      out.denied++
      col.denied++
      bump(out.deniedByReason, d.deniedBy[0] === undefined ? 'unknown' : reasonKey(d.deniedBy[0]))
      continue
    }
    bump(out.allowedByAgreement, d.allowedBy.id ?? '?')
    if (d.effect === 'allow') {
      out.allowed++
      col.allowed++
    } else {
      out.redacted++
      col.redacted++
      for (const k of new Set(d.deniedBy.map(reasonKey))) bump(out.redactedByReason, k)
    }
  }
  return out
}
