import type { ServerOptions } from 'node:https'
import { createSecureContext, type TLSSocket } from 'node:tls'
import { markUntrustedPeer } from '../auth/client-cert.js'
import { checkCaBundle, checkTlsPair, readTlsFile as read, TlsSetupError } from './tls-check.js'

export interface TlsSettings {
  /** PEM certificate chain of the listener. */
  certFile: string
  /** PEM private key of the listener. */
  keyFile: string
  /** Ask clients for a certificate (mutual TLS); a bound certificate then authenticates without an API key. */
  clientCertificates?: boolean
  /** PEM bundle of CAs a client certificate must chain to; implies clientCertificates. */
  clientCaFile?: string
}

/**
 * Options for `https.createServer`. Client certificates are requested but not
 * required at the handshake, so API-key clients still connect; a certificate
 * counts only when it is bound to a principal (and, with a CA, chains to it).
 */
export function tlsServerOptions(settings: TlsSettings): ServerOptions {
  const mutual = settings.clientCertificates === true || settings.clientCaFile !== undefined
  const cert = read(settings.certFile, 'TLS certificate')
  const key = read(settings.keyFile, 'TLS key')
  checkTlsPair(cert, settings.certFile, key, settings.keyFile)
  const ca = settings.clientCaFile ? read(settings.clientCaFile, 'client CA bundle') : undefined
  if (ca) checkCaBundle(ca, settings.clientCaFile!)
  try {
    // what the checks above do not cover (e.g. a key too weak for OpenSSL's security level)
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) })
  } catch (error) {
    throw new TlsSetupError(
      `the TLS files ${settings.certFile} and ${settings.keyFile} are refused: ${(error as Error).message}`,
    )
  }
  return {
    cert,
    key,
    minVersion: 'TLSv1.2',
    ...(mutual ? { requestCert: true, rejectUnauthorized: false } : {}),
    ...(ca ? { ca } : {}),
  }
}

/** With a client CA, a certificate that does not chain to it is ignored (the request needs an API key then). */
export function onSecureConnection(settings: TlsSettings) {
  return (socket: TLSSocket): void => {
    if (settings.clientCaFile && !socket.authorized) markUntrustedPeer(socket)
  }
}
