import type { PartnerPage } from '../../../src/services/console-types.js'

/**
 * Why objects are withheld, in words: the policy keys a count by reason kind and the id it is about
 * (`order:order--…`, `tlp:agreement--…`), which is exact but unreadable. The officer reading the partner page
 * knows the orders and agreements by what they say, so they are named that way; the key stays as the title.
 */
const KINDS: Record<string, string> = {
  order: 'Suspension order',
  agreement: 'Outside the agreement',
  'no-agreement': 'No agreement in force',
  validity: 'Agreement not valid at this time',
  collection: 'Collection not covered by the agreement',
  type: 'Object type not covered by the agreement',
  tlp: 'TLP above what the agreement allows',
  marking: 'A marking the agreement requires or forbids',
  label: 'A label the agreement requires or forbids',
  grading: 'Source or information grading not accepted',
  caveat: 'A caveat forbids passing it on',
  endpoint: 'A relationship whose end is withheld',
  federation: 'Federation rules (received from this partner, or withdrawn)',
  version: 'A newer version is withheld',
  unknown: 'Unknown reason',
}

export function withheldReasonText(key: string, page: Pick<PartnerPage, 'orders' | 'agreements'>): string {
  const at = key.indexOf(':')
  const kind = at < 0 ? key : key.slice(0, at)
  const id = at < 0 ? undefined : key.slice(at + 1)
  const what = KINDS[kind] ?? kind
  if (id === undefined) return what
  const order = page.orders.find((o) => o.id === id)
  if (order) return `${what}: ${order.scope}, issued by ${order.issuer}`
  const versions = page.agreements.filter((a) => a.id === id)
  if (versions.length > 0) {
    const a = versions.find((v) => v.inForce) ?? versions.at(-1)!
    return `${what} (agreement version ${a.version}, up to TLP:${a.max_tlp.toUpperCase()})`
  }
  return `${what}: ${id}`
}
