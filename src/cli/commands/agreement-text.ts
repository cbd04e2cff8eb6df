import type { Agreement } from '../../policy/types.js'

/**
 * One agreement version as `agreements list` prints it: the line that identifies it, then each term it sets
 * beyond the defaults, so what the partner may receive can be read without --json.
 */
export function agreementText(a: Agreement, aliases: ReadonlyMap<string, string>): string {
  const cols = a.collections === '*' ? '*' : a.collections.map((c) => aliases.get(c) ?? c).join(',')
  const head = `${a.id} v${a.version}  ${a.partner_id}  collections=${cols}  max_tlp=${a.max_tlp}  from ${a.effective_from}${a.withdrawn ? '  WITHDRAWN' : ''}`
  const terms = termsOf(a)
  return terms.length === 0 ? head : `${head}\n${terms.map((t) => `    ${t}`).join('\n')}`
}

function termsOf(a: Agreement): string[] {
  const list = (name: string, values: readonly string[] | undefined) =>
    values?.length ? [`${name}=${values.join(',')}`] : []
  const grades = (
    name: string,
    filter: { ungraded?: string } | undefined,
    parts: [string, readonly (string | number)[] | undefined][],
  ) => {
    if (!filter) return []
    const given = parts.filter(([, v]) => v?.length).map(([k, v]) => `${k} ${v!.join(',')}`)
    if (filter.ungraded) given.push(`ungraded ${filter.ungraded}`)
    return given.length ? [`${name}: ${given.join('; ')}`] : []
  }
  const validity =
    a.valid_from || a.valid_until
      ? [`valid ${a.valid_from ?? 'always'} – ${a.valid_until ?? 'open-ended'}`]
      : []
  return [
    ...(a.object_types === '*' ? [] : list('types', a.object_types)),
    ...(a.default_tlp ? [`default_tlp=${a.default_tlp}`] : []),
    ...list('required_labels', a.required_labels),
    ...list('forbidden_labels', a.forbidden_labels),
    ...list('required_markings', a.required_markings),
    ...list('forbidden_markings', a.forbidden_markings),
    ...list('caveats', a.caveats),
    ...grades('admiralty', a.admiralty, [
      ['reliability', a.admiralty?.reliability],
      ['credibility', a.admiralty?.credibility],
    ]),
    ...grades('4x4', a.evaluation_4x4, [
      ['source', a.evaluation_4x4?.source],
      ['information', a.evaluation_4x4?.information],
    ]),
    ...validity,
  ]
}
