import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { fileErrorWords, readSmallFile } from './named-file.js'

/*
 * Node accepts a certificate and a key that do not belong together, or a client CA file holding no
 * certificate, and fails only at the first handshake (or with an OpenSSL stack trace): checked before the
 * node listens, so a misconfigured node says which file is wrong instead of serving nobody.
 */

/** A TLS file that cannot serve as given; the message names the file and the problem. */
export class TlsSetupError extends Error {}

/** A certificate, key or CA file's bytes; `what` names it in the refusal ("TLS key", "client CA bundle"). */
export function readTlsFile(path: string, what: string): Buffer {
  try {
    return readSmallFile(path)
  } catch (error) {
    throw new TlsSetupError(`cannot read the ${what} ${path}: ${fileErrorWords(error)}`)
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/** The PEM blocks' labels (`CERTIFICATE`, `PRIVATE KEY`, …) in a file, in order. */
const labels = (pem: Buffer): string[] => [...pem.toString('latin1').matchAll(PEM_BLOCK)].map((m) => m[1]!)

const keyType = (key: KeyObject): string => key.asymmetricKeyType ?? key.type

/**
 * Checks that `cert` (a PEM chain, leaf first) and `key` are a certificate and the private key of its leaf.
 * `flags` are the options that named the two files, for the hint when they look swapped.
 */
export function checkTlsPair(
  cert: Buffer,
  certFile: string,
  key: Buffer,
  keyFile: string,
  flags: readonly [string, string] = ['--tls-cert', '--tls-key'],
): void {
  const swappedHint = `are ${flags[0]} and ${flags[1]} swapped?`
  let leaf: X509Certificate
  try {
    if (labels(cert)[0] !== 'CERTIFICATE') throw new Error()
    leaf = new X509Certificate(cert)
  } catch {
    const swapped = labels(cert).some((l) => l.endsWith('PRIVATE KEY'))
    throw new TlsSetupError(
      `the TLS certificate ${certFile} is not a PEM certificate${swapped ? ` (it holds a private key: ${swappedHint})` : ''}`,
    )
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(key)
  } catch {
    const swapped = labels(key).includes('CERTIFICATE')
    throw new TlsSetupError(
      `the TLS key ${keyFile} is not an unencrypted PEM private key${swapped ? ` (it holds a certificate: ${swappedHint})` : ''}`,
    )
  }
  if (!leaf.checkPrivateKey(privateKey))
    throw new TlsSetupError(
      `the TLS key ${keyFile} (${keyType(privateKey)}) is not the key of the certificate ${certFile} (${keyType(leaf.publicKey)})`,
    )
}

/** Checks that a client CA bundle is one or more PEM certificates, and nothing else. */
export function checkCaBundle(bundle: Buffer, file: string, what = 'client CA bundle'): void {
  const found = labels(bundle)
  if (found.length === 0) throw new TlsSetupError(`the ${what} ${file} holds no PEM certificate`)
  const other = found.find((l) => l !== 'CERTIFICATE')
  if (other !== undefined)
    throw new TlsSetupError(`the ${what} ${file} holds something other than certificates (${other})`)
  for (const [i, block] of [...bundle.toString('latin1').matchAll(PEM_BLOCK)].entries()) {
    try {
      new X509Certificate(block[0])
    } catch {
      throw new TlsSetupError(`certificate ${i + 1} of the ${what} ${file} does not parse`)
    }
  }
}
