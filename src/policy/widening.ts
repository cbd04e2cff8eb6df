import { parseInstant } from './time.js'
import { tlpRank } from './tlp.js'
import type { AdmiraltyFilter, Agreement, AllOr, EvaluationFilter } from './types.js'

/** What an agreement lets through; the rest of a version (who recorded it, when) widens nothing. */
type Terms = Omit<
  Agreement,
  'id' | 'version' | 'partner_id' | 'effective_from' | 'recorded_at' | 'recorded_by'
>

/** What `decide` assumes for an object without TLP when the agreement names no default (docs/POLICY.md). */
const DEFAULT_TLP = 'amber'

const grew = (before: AllOr<string>, after: AllOr<string>) =>
  after === '*' ? before !== '*' : before !== '*' && after.some((x) => !before.includes(x))

const dropped = (before: readonly string[] | undefined, after: readonly string[] | undefined) =>
  (before ?? []).some((x) => !(after ?? []).includes(x))

/** A grade list allows every grade when absent. */
const gradesGrew = (before: readonly string[] | undefined, after: readonly string[] | undefined) =>
  before !== undefined && (after === undefined || after.some((g) => !before.includes(g)))

function filterWidened<F extends AdmiraltyFilter | EvaluationFilter>(
  before: F | undefined,
  after: F | undefined,
  axes: readonly (keyof F)[],
): boolean {
  if (before === undefined) return false
  if (after === undefined) return true
  if (
    axes.some((axis) => gradesGrew(before[axis] as string[] | undefined, after[axis] as string[] | undefined))
  )
    return true
  return before.ungraded === 'deny' && after.ungraded !== 'deny'
}

const instant = (text: string | undefined, absent: number) =>
  text === undefined ? absent : parseInstant(text)!

/**
 * One rule per term, and the compiler holds the table to every term an agreement has: a term added later
 * cannot be forgotten here, where forgetting it lets one officer widen sharing alone under four-eyes.
 */
const WIDENS: { [K in keyof Terms]-?: (before: Agreement, after: Agreement) => boolean } = {
  collections: (b, a) => grew(b.collections, a.collections),
  object_types: (b, a) => grew(b.object_types, a.object_types),
  max_tlp: (b, a) => tlpRank(a.max_tlp) > tlpRank(b.max_tlp),
  // a lower TLP assumed for unmarked objects lets more of them through
  default_tlp: (b, a) => tlpRank(a.default_tlp ?? DEFAULT_TLP) < tlpRank(b.default_tlp ?? DEFAULT_TLP),
  required_markings: (b, a) => dropped(b.required_markings, a.required_markings),
  forbidden_markings: (b, a) => dropped(b.forbidden_markings, a.forbidden_markings),
  required_labels: (b, a) => dropped(b.required_labels, a.required_labels),
  forbidden_labels: (b, a) => dropped(b.forbidden_labels, a.forbidden_labels),
  caveats: (b, a) => dropped(b.caveats, a.caveats),
  admiralty: (b, a) => filterWidened(b.admiralty, a.admiralty, ['reliability', 'credibility']),
  evaluation_4x4: (b, a) => filterWidened(b.evaluation_4x4, a.evaluation_4x4, ['source', 'information']),
  valid_from: (b, a) =>
    instant(a.valid_from, Number.NEGATIVE_INFINITY) < instant(b.valid_from, Number.NEGATIVE_INFINITY),
  valid_until: (b, a) =>
    instant(a.valid_until, Number.POSITIVE_INFINITY) > instant(b.valid_until, Number.POSITIVE_INFINITY),
  withdrawn: (b, a) => b.withdrawn === true && a.withdrawn !== true,
}

/**
 * Whether `after` lets through something `before` does not (any agreement does, where there was none).
 * A withdrawal never widens; reinstating a withdrawn agreement always does.
 */
export function widens(before: Agreement | undefined, after: Agreement): boolean {
  if (after.withdrawn) return false
  if (before === undefined || before.withdrawn) return true
  return Object.values(WIDENS).some((rule) => rule(before, after))
}
