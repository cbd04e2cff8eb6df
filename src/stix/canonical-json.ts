/**
 * RFC 8785 (JCS) canonical JSON for the JSON values STIX carries:
 * object keys sorted by UTF-16 code units, no whitespace, ECMAScript
 * number and string serialisation (which JSON.stringify already gives).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`
}
