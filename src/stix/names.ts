/**
 * Naming rules of STIX 2.1 §3.1 (type names, property names) and the
 * dictionary key rule of §2.8.
 */

/** 3-250 chars of a-z, 0-9 and hyphen; starts with a letter; no trailing or doubled hyphen. */
export function isTypeName(name: string): boolean {
  const n = name.length
  if (n < 3 || n > 250) return false
  const first = name.charCodeAt(0)
  if (first < 97 || first > 122) return false
  let previousHyphen = false
  for (let i = 1; i < n; i++) {
    const c = name.charCodeAt(i)
    if (c === 45) {
      if (previousHyphen) return false
      previousHyphen = true
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      previousHyphen = false
    } else {
      return false
    }
  }
  return !previousHyphen
}

/** Property names: 3-250 chars of a-z, 0-9 and underscore, starting with a letter. */
export function isPropertyName(name: string): boolean {
  const n = name.length
  if (n < 3 || n > 250) return false
  const first = name.charCodeAt(0)
  if (first < 97 || first > 122) return false
  for (let i = 1; i < n; i++) {
    const c = name.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false
  }
  return true
}

/** Dictionary keys: 1-250 chars of a-z, A-Z, 0-9, hyphen and underscore. */
export function isDictionaryKey(key: string, minLength = 1): boolean {
  const n = key.length
  if (n < minLength || n > 250) return false
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95))
      return false
  }
  return true
}

/** Names the 2.1 specification reserves for future use; they must not appear. */
export const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  'severity',
  'action',
  'username',
  'phone_numbers',
])
