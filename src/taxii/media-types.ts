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
        if (name.toLowerCase() === 'q') q = Number(value)
      }
      return { type, subtype, version, q }
    })
    .filter((r) => r.type !== '' && r.q > 0)
}

/**
 * True when the client accepts TAXII 2.1 JSON. A missing Accept header means
 * "anything" (RFC 9110 §12.5.1); wildcards are honoured; an explicit
 * `application/taxii+json` with another version is not acceptable.
 */
export function acceptsTaxii(accept: string | undefined, alsoAccepted: readonly string[] = []): boolean {
  if (accept === undefined || accept.trim() === '') return true
  return parseMediaRanges(accept).some((r) => {
    if (r.type === '*' && r.subtype === '*') return true
    if (r.type === 'application' && r.subtype === '*') return true
    if (r.type === 'application' && r.subtype === 'taxii+json')
      return r.version === undefined || r.version === '2.1'
    return alsoAccepted.includes(`${r.type}/${r.subtype}`)
  })
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
