import { X509Certificate } from 'node:crypto'
import type { Store } from '../store/types.js'
import { CredentialError } from './credential-error.js'
import { knownPrincipal } from './known-principal.js'

/**
 * Mutual TLS as a credential: a client certificate is bound to a principal by
 * its SHA-256 fingerprint. The TLS handshake proves the client holds the
 * certificate's private key; the binding says whose it is. Bindings live in
 * the store's named state, one per fingerprint.
 */
export interface CertificateBinding {
  fingerprint: string
  principalId: string
  subject: string
  notAfter?: string
  boundAt: string
  boundBy: string
}

const PREFIX = 'mtls:'

export class CertificateError extends CredentialError {}

/** A fingerprint that is not one in form: the caller's mistake in writing it, not a refusal of what it names. */
export class FingerprintFormError extends CertificateError {}

/** `AB:CD:…` or `abcd…` → 64 lowercase hex digits, or undefined. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.replace(/:/g, '').toLowerCase()
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined
}

export function certificateFromPem(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem)
  } catch {
    throw new CertificateError('not a PEM or DER X.509 certificate')
  }
}

export async function bindCertificate(
  store: Store,
  principalId: string,
  pem: string,
  by: string,
  now = new Date().toISOString(),
): Promise<CertificateBinding> {
  const principal = await store.getPrincipal(principalId)
  if (!principal || principal.revokedAt)
    throw new CertificateError(`no active principal "${principalId}"`, true)
  const cert = certificateFromPem(pem)
  const fingerprint = normalizeFingerprint(cert.fingerprint256)!
  const existing = await certificateBinding(store, fingerprint)
  if (existing && existing.principalId !== principalId)
    throw new CertificateError(
      `this certificate is already bound to ${existing.principalId}; unbind it first`,
    )
  const binding: CertificateBinding = {
    fingerprint,
    principalId,
    subject: cert.subject.replace(/\n/g, ', '),
    notAfter: new Date(cert.validTo).toISOString(),
    boundAt: now,
    boundBy: by,
  }
  await store.putState(`${PREFIX}${fingerprint}`, JSON.stringify(binding))
  return binding
}

export async function unbindCertificate(store: Store, fingerprint: string): Promise<boolean> {
  const hex = normalizeFingerprint(fingerprint)
  if (!hex) throw new FingerprintFormError('a fingerprint is 32 bytes of hex (colons allowed)')
  if (!(await store.getState(`${PREFIX}${hex}`))) return false
  await store.deleteState(`${PREFIX}${hex}`)
  return true
}

export async function certificateBinding(
  store: Store,
  fingerprint: string,
): Promise<CertificateBinding | undefined> {
  const hex = normalizeFingerprint(fingerprint)
  if (!hex) return undefined
  const text = await store.getState(`${PREFIX}${hex}`)
  return text ? (JSON.parse(text) as CertificateBinding) : undefined
}

export async function listCertificateBindings(
  store: Store,
  principalId?: string,
): Promise<CertificateBinding[]> {
  if (principalId !== undefined) await knownPrincipal(store, principalId)
  const all = (await store.listState(PREFIX)).map((s) => JSON.parse(s.value) as CertificateBinding)
  return principalId ? all.filter((b) => b.principalId === principalId) : all
}

const untrusted = new WeakSet<object>()

/** The TLS layer marks connections whose certificate chain failed verification against a configured client CA. */
export function markUntrustedPeer(socket: object): void {
  untrusted.add(socket)
}

/** The SHA-256 fingerprint of the client certificate on this connection, if it presented one the TLS layer accepts. */
export function peerFingerprint(socket: unknown): string | undefined {
  if (!socket || typeof socket !== 'object' || !('getPeerCertificate' in socket) || untrusted.has(socket))
    return undefined
  const cert = (socket as { getPeerCertificate(): { fingerprint256?: string } }).getPeerCertificate()
  return cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : undefined
}
