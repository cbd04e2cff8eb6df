import { createHash } from 'node:crypto'
import { canonicalJson } from './canonical-json.js'
import { ownEntry } from './own-entry.js'

/**
 * Deterministic SCO identifiers (STIX 2.1 §2.9): a UUIDv5 in the STIX
 * namespace over the canonical JSON of the type's id-contributing properties.
 */
export const STIX_UUID_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7'

/** Id-contributing properties per predefined SCO type (process has none: always UUIDv4). */
export const ID_CONTRIBUTING_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  artifact: ['hashes', 'payload_bin'],
  'autonomous-system': ['number'],
  directory: ['path'],
  'domain-name': ['value'],
  'email-addr': ['value'],
  'email-message': ['from_ref', 'subject', 'body'],
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'],
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'mac-addr': ['value'],
  mutex: ['name'],
  'network-traffic': [
    'start',
    'end',
    'src_ref',
    'dst_ref',
    'src_port',
    'dst_port',
    'protocols',
    'extensions',
  ],
  process: [],
  software: ['name', 'cpe', 'swid', 'vendor', 'version'],
  url: ['value'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  'x509-certificate': ['hashes', 'serial_number'],
}

/** When `hashes` contributes, a single hash is used, picked in this order, else the first key. */
const HASH_PREFERENCE = ['MD5', 'SHA-1', 'SHA-256', 'SHA-512']

const NAMESPACE_BYTES = Buffer.from(STIX_UUID_NAMESPACE.replaceAll('-', ''), 'hex')

export function uuidV5(name: string, namespace: Buffer = NAMESPACE_BYTES): string {
  const digest = createHash('sha1').update(namespace).update(name, 'utf8').digest()
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80
  const hex = digest.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function hashChoices(hashes: unknown): string[] {
  if (hashes === null || typeof hashes !== 'object' || Array.isArray(hashes)) return []
  const keys = Object.keys(hashes)
  const preferred = HASH_PREFERENCE.filter((k) => keys.includes(k))
  return [...preferred, ...keys.filter((k) => !preferred.includes(k))]
}

function contributingObject(
  obj: Record<string, unknown>,
  props: readonly string[],
  hashKey: string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of props) {
    const v = obj[p]
    if (v === undefined) continue
    if (p === 'hashes') {
      if (hashKey === undefined) continue
      out.hashes = { [hashKey]: (v as Record<string, unknown>)[hashKey] }
    } else {
      out[p] = v
    }
  }
  return out
}

/**
 * Every id a conforming producer could have derived for `obj`. The first one is
 * the id this module produces; the others differ only in which hash was picked,
 * a choice the specification leaves to preference (SHOULD).
 */
export function scoIdCandidates(obj: Record<string, unknown>): string[] {
  const type = obj.type
  if (typeof type !== 'string') return []
  const props = ownEntry(ID_CONTRIBUTING_PROPERTIES, type)
  if (props === undefined || props.length === 0) return []
  const hashKeys = props.includes('hashes') ? hashChoices(obj.hashes) : []
  const choices: (string | undefined)[] = hashKeys.length > 0 ? hashKeys : [undefined]
  const ids: string[] = []
  for (const hashKey of choices) {
    const contributing = contributingObject(obj, props, hashKey)
    if (Object.keys(contributing).length === 0) continue
    const id = `${type}--${uuidV5(canonicalJson(contributing))}`
    if (!ids.includes(id)) ids.push(id)
  }
  return ids
}

/**
 * The deterministic id of a predefined SCO, or undefined when the type has no
 * id-contributing properties (process, custom SCOs) or none of them is present
 * (the producer then uses a UUIDv4).
 */
export function deterministicScoId(obj: unknown): string | undefined {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined
  return scoIdCandidates(obj as Record<string, unknown>)[0]
}
