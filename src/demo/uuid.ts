import { createHash } from 'node:crypto'

/** Namespace of the fictional demo world's name-based ids (an arbitrary fixed UUID). */
export const DEMO_NAMESPACE = '5a1c3e00-d3e0-4b1d-9a7e-51d1ce0de000'

/** The namespace STIX 2.1 uses for deterministic SCO ids (section 2.9). */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7'

/** RFC 4122 version 5 UUID of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const h = hash.subarray(0, 16).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/** A stable id for a named demo object: `demoId('intrusion-set', 'red-heron')`. */
export function demoId(type: string, name: string): string {
  return `${type}--${uuidV5(DEMO_NAMESPACE, `${type}/${name}`)}`
}

/**
 * The STIX deterministic id of a cyber-observable whose id-contributing properties are a single
 * string `value` (ipv4-addr, domain-name, email-addr, ...).
 */
export function scoId(type: string, value: string): string {
  return `${type}--${uuidV5(STIX_SCO_NAMESPACE, JSON.stringify({ value }))}`
}
