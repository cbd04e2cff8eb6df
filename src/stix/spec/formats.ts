/** String formats the SCO tables use; every pattern is compiled once, here. */
import { isIPv4, isIPv6 } from 'node:net'

function withPrefix(value: string, isAddress: (s: string) => boolean, maxPrefix: number): boolean {
  const slash = value.indexOf('/')
  if (slash < 0) return isAddress(value)
  const prefix = value.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxPrefix) return false
  return isAddress(value.slice(0, slash))
}

/** Dotted quad, optionally CIDR (`/0`-`/32`). */
export function isIpv4Value(value: string): boolean {
  return withPrefix(value, isIPv4, 32)
}

/** RFC 4291 text form, optionally CIDR (`/0`-`/128`). */
export function isIpv6Value(value: string): boolean {
  return withPrefix(value, isIPv6, 128)
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/
/** Lowercase, colon-delimited MAC-48 with leading zeros (§6.9). */
export function isMacValue(value: string): boolean {
  return MAC.test(value)
}

const EMAIL = /^[^\s@]+@[^\s@]+$/
/** An RFC 5322 addr-spec, checked loosely: local@domain without whitespace. */
export function isEmailValue(value: string): boolean {
  return EMAIL.test(value)
}

const CHARSET = /^[a-zA-Z0-9/.+_:-]{2,250}$/
/** IANA character set names (path_enc, name_enc). */
export function isCharsetName(value: string): boolean {
  return CHARSET.test(value)
}

const ABBREVIATED_HIVE = /^(?:hklm|hkcc|hkcr|hkcu|hku)(?:\\|$)/i
/** Registry keys use full hive names (HKEY_LOCAL_MACHINE), never abbreviations. */
export function isRegistryKey(value: string): boolean {
  return !ABBREVIATED_HIVE.test(value)
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/
export function isBase64(value: string): boolean {
  return BASE64.test(value)
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/
export function isHex(value: string): boolean {
  return HEX.test(value)
}

const URL_SHAPE = /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s\u0000-\u001f\u007f]*$/
/** An absolute URL (RFC 3986): a scheme, then no whitespace or control characters. */
export function isUrl(value: string): boolean {
  return URL_SHAPE.test(value)
}

const LANG = /^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$/
/** RFC 5646 language tag, syntactically. */
export function isLanguageTag(value: string): boolean {
  return LANG.test(value)
}
