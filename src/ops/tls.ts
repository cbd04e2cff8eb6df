import type { ServerOptions } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { markUntrustedPeer } from '../auth/client-cert.js'
import { fileErrorWords, readSmallFile } from './named-file.js'

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

export class TlsSetupError extends Error {}

function read(path: string, what: string): Buffer {
  try {
    return readSmallFile(path)
  } catch (error) {
    throw new TlsSetupError(`cannot read the ${what} ${path}: ${fileErrorWords(error)}`)
  }
}

/**
 * Options for `https.createServer`. Client certificates are requested but not
 * required at the handshake, so API-key clients still connect; a certificate
 * counts only when it is bound to a principal (and, with a CA, chains to it).
 */
export function tlsServerOptions(settings: TlsSettings): ServerOptions {
  const mutual = settings.clientCertificates === true || settings.clientCaFile !== undefined
  return {
    cert: read(settings.certFile, 'TLS certificate'),
    key: read(settings.keyFile, 'TLS key'),
    minVersion: 'TLSv1.2',
    ...(mutual ? { requestCert: true, rejectUnauthorized: false } : {}),
    ...(settings.clientCaFile ? { ca: read(settings.clientCaFile, 'client CA bundle') } : {}),
  }
}

/** With a client CA, a certificate that does not chain to it is ignored (the request needs an API key then). */
export function onSecureConnection(settings: TlsSettings) {
  return (socket: TLSSocket): void => {
    if (settings.clientCaFile && !socket.authorized) markUntrustedPeer(socket)
  }
}
