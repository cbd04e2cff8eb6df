/**
 * What to tell a user whose feed or push cannot work as defined, in terms of what to change. The remote's
 * own answers ("not found", a TLS code) are true but do not say that the URL or the trust store is wrong.
 */

/** A URL path that names TAXII's discovery resource, which the specification puts at /taxii2/. */
export function isDiscoveryPath(url: URL): boolean {
  return /(^|\/)taxii2\/?$/.test(url.pathname)
}

/** An API root to suggest beside a discovery URL: the first the server lists, else Sluice's default beside it. */
export function suggestedApiRoot(discovery: URL, listed: unknown[] = []): string {
  const given = listed.find((root): root is string => typeof root === 'string')
  if (given) return given
  const base = discovery.href.endsWith('/') ? discovery.href : `${discovery.href}/`
  return new URL('../intel/', base).href
}

export function discoveryUrlRefusal(discovery: URL, apiRoot: string, change: string): string {
  return `${discovery.href} is the TAXII discovery URL, not an API root; ${change} the API root, e.g. ${apiRoot}`
}

/** Node's codes for a certificate chain the process does not trust (self-signed, or from a private CA). */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
])

/**
 * What to do about a TLS failure with this code, or undefined when it is not one of trust. `who` is the
 * process to start with the CA; Node reads NODE_EXTRA_CA_CERTS only when a process starts.
 */
export function tlsTrustHint(code: string | undefined, who: string, instead?: string): string | undefined {
  if (code === undefined || !UNTRUSTED.has(code)) return undefined
  return `the peer's certificate is self-signed or from a CA this process does not trust: ${instead ? `${instead}, or ` : ''}start ${who} with NODE_EXTRA_CA_CERTS=ca.pem, the file of that CA or certificate (restart a running one: Node reads it only at start)`
}

/** The same for a feed or push, which can also be given the CA itself; undefined when it is not about trust. */
export function remoteTrustHint(code: string | undefined, caFile: string | undefined): string | undefined {
  if (caFile !== undefined)
    return code !== undefined && UNTRUSTED.has(code)
      ? `the peer's certificate does not chain to ${caFile}, the CA bundle this feed or push trusts`
      : undefined
  return tlsTrustHint(
    code,
    FEDERATION_PROCESS,
    'add the feed or push again with --ca ca.pem (ca in the API body)',
  )
}

/** Who fetches for feeds and pushes: the node's scheduler, or the CLI's `feeds poll` and `pushes run`. */
export const FEDERATION_PROCESS = 'the process that polls and pushes, sluice serve or the CLI,'
