import { checkCaBundle, checkTlsPair, readTlsFile } from '../ops/tls-check.js'
import type { RemoteTls } from './types.js'

/** What a TLS connection to a peer presents (certificate and key) and trusts (CAs), as bytes. */
export interface TlsMaterial {
  cert?: Buffer
  key?: Buffer
  ca?: Buffer
}

/**
 * Reads and checks a feed's or push's TLS files. Throws `TlsSetupError` naming the file and what is wrong
 * with it: a pair that does not belong together would otherwise fail only at the handshake, as an
 * OpenSSL error that names neither file.
 */
export function readRemoteTls(tls: RemoteTls): TlsMaterial {
  const material: TlsMaterial = {}
  if (tls.certFile !== undefined && tls.keyFile !== undefined) {
    const cert = readTlsFile(tls.certFile, 'client certificate')
    const key = readTlsFile(tls.keyFile, 'client key')
    checkTlsPair(cert, tls.certFile, key, tls.keyFile, ['--client-cert', '--client-key'])
    material.cert = cert
    material.key = key
  }
  if (tls.caFile !== undefined) {
    const ca = readTlsFile(tls.caFile, 'CA bundle')
    checkCaBundle(ca, tls.caFile, 'CA bundle')
    material.ca = ca
  }
  return material
}
