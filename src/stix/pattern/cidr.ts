/** IPv4 / IPv6 addresses and CIDR blocks, for ISSUBSET and ISSUPERSET. */

export interface IpNetwork {
  version: 4 | 6
  /** first address of the block (host bits cleared) */
  base: bigint
  prefix: number
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let v = 0n
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined
    v = (v << 8n) | BigInt(Number(p))
  }
  return v
}

function parseIpv6(text: string): bigint | undefined {
  let head = text
  // embedded IPv4 in the last 32 bits, e.g. ::ffff:192.0.2.1
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    head = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = head.split('::')
  if (halves.length > 2) return undefined
  const groups = (s: string) => (s === '' ? [] : s.split(':'))
  const left = groups(halves[0]!)
  const right = halves.length === 2 ? groups(halves[1]!) : []
  const missing = 8 - left.length - right.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]
  let v = 0n
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
    v = (v << 16n) | BigInt(Number.parseInt(g, 16))
  }
  return v
}

/** Parses `addr` or `addr/prefix`; a bare address is a single-address block. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/')
  const addr = slash < 0 ? text : text.slice(0, slash)
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1)
  const v4 = parseIpv4(addr)
  const version: 4 | 6 | undefined = v4 !== undefined ? 4 : addr.includes(':') ? 6 : undefined
  if (version === undefined) return undefined
  const value = v4 ?? parseIpv6(addr)
  if (value === undefined) return undefined
  const bits = version === 4 ? 32 : 128
  let prefix = bits
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined
    prefix = Number(prefixText)
  }
  const hostBits = BigInt(bits - prefix)
  const base = (value >> hostBits) << hostBits
  return { version, base, prefix }
}

/** Whether every address of `inner` lies in `outer`. */
export function isSubnetOf(inner: IpNetwork, outer: IpNetwork): boolean {
  if (inner.version !== outer.version || inner.prefix < outer.prefix) return false
  const bits = inner.version === 4 ? 32 : 128
  const hostBits = BigInt(bits - outer.prefix)
  return inner.base >> hostBits === outer.base >> hostBits
}
