/** Byte-string helpers for `b'...'`, `h'...'` and `*_bin` / `*_hex` properties. */

const BASE64_LITERAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/
const HEX_LITERAL = /^(?:[0-9A-Fa-f]{2})*$/

/** The grammar's BinaryLiteral body: padded base64, at least one group. */
export function isBase64Literal(text: string): boolean {
  return BASE64_LITERAL.test(text)
}

/** The grammar's HexLiteral body: an even number of hex digits (possibly none). */
export function isHexLiteral(text: string): boolean {
  return HEX_LITERAL.test(text)
}

export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64_LITERAL.test(text) && text !== '') return undefined
  return new Uint8Array(Buffer.from(text, 'base64'))
}

export function decodeHex(text: string): Uint8Array | undefined {
  if (!HEX_LITERAL.test(text)) return undefined
  return new Uint8Array(Buffer.from(text, 'hex'))
}

/** Encodes a string one byte per code unit; `undefined` if any character is above U+00FF. */
export function latin1Bytes(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff) return undefined
    out[i] = c
  }
  return out
}

export function latin1String(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!)
  return s
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}
