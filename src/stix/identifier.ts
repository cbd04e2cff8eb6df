import { isTypeName } from './names.js'

/** RFC 4122 UUID (versions 1-5, RFC 4122 variant), either case. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/

export interface ParsedIdentifier {
  type: string
  uuid: string
  version: number
}

/** Splits `type--uuid`; undefined when the value is not a STIX identifier. */
export function parseIdentifier(value: string): ParsedIdentifier | undefined {
  const sep = value.indexOf('--')
  if (sep < 0) return undefined
  const type = value.slice(0, sep)
  const uuid = value.slice(sep + 2)
  if (!isTypeName(type) || !UUID.test(uuid)) return undefined
  return { type, uuid, version: uuid.charCodeAt(14) - 48 }
}

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && parseIdentifier(value) !== undefined
}
