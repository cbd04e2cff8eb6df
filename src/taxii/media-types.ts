/** TAXII 2.1 media types (spec §1.6.8) and the negotiation rules the server applies. */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'
export { STIX_MEDIA_TYPE } from '../stix/media-type.js'

interface MediaRange {
  type: string
  subtype: string
  version: string | undefined
  q: number
}

function parseMediaRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [essence = '', ...params] = part.split(';').map((s) => s.trim())
      const [type = '', subtype = ''] = essence.toLowerCase().split('/')
      let version: string | undefined
      let q = 1
      for (const param of params) {
        const [name = '', value = ''] = param.split('=').map((s) => s.trim())
        if (name.toLowerCase() === 'version') version = value.replace(/^"|"$/g, '')
        // an unreadable weight counts as a refusal, not as the default 1
        if (name.toLowerCase() === 'q') q = Number(value) || 0
      }
      return { type, subtype, version, q }
    })
    .filter((r) => r.type !== '')
}

/** How specifically a range names TAXII 2.1 JSON (RFC 9110 §12.5.1), or undefined when it does not. */
function taxiiSpecificity(r: MediaRange): number | undefined {
  if (r.type === 'application' && r.subtype === 'taxii+json') {
    if (r.version === '2.1') return 3
    return r.version === undefined ? 2 : undefined
  }
  if (r.type === 'application' && r.subtype === '*') return 1
  return r.type === '*' && r.subtype === '*' ? 0 : undefined
}

/**
 * True when the client accepts TAXII 2.1 JSON. A missing Accept header means "anything" (RFC 9110
 * §12.5.1); wildcards are honoured; the most specific range that names it decides, so
 * `application/taxii+json;q=0, *\/*` refuses it; an explicit `application/taxii+json` with another version
 * is not acceptable.
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  let best: { specificity: number; q: number } | undefined
  for (const range of parseMediaRanges(accept)) {
    const specificity = taxiiSpecificity(range)
    if (specificity === undefined) continue
    if (!best || specificity > best.specificity) best = { specificity, q: range.q }
    else if (specificity === best.specificity) best.q = Math.max(best.q, range.q)
  }
  return best !== undefined && best.q > 0
}

/** True when a request body is declared as TAXII 2.1 JSON (a missing version means the latest, 2.1). */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (!contentType) return false
  const [range] = parseMediaRanges(contentType)
  return (
    range !== undefined &&
    range.type === 'application' &&
    range.subtype === 'taxii+json' &&
    (range.version === undefined || range.version === '2.1')
  )
}
