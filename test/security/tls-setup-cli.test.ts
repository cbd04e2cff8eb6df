import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../cli/run-cli.js'
import { makePki, type TestPki } from './certs.js'

/*
 * TLS files that cannot serve used to start a node nobody could reach (an Ed25519 certificate with an RSA
 * key: every handshake failed), print an OpenSSL stack trace (a key of another certificate, a garbage key,
 * certificate and key swapped), or pass unnoticed (a client CA file holding no certificate).
 */

let pki: TestPki
let dir: string
const file = (name: string) => join(dir, name)

beforeAll(() => {
  pki = makePki()
  dir = mkdtempSync(join(tmpdir(), 'sluice-tls-setup-'))
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed.key')
  openssl('req', '-x509', '-new', '-key', 'ed.key', '-subj', '/CN=127.0.0.1', '-days', '2', '-out', 'ed.pem')
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key')
  writeFileSync(file('garbage.key'), 'not a key\n')
})
afterAll(() => {
  pki.remove()
  rmSync(dir, { recursive: true, force: true })
})

/** `sluice serve` with TLS files; it must stop before listening. */
const serve = (...tls: string[]) =>
  runCli(['serve', '--port', '0', '--data', file('node'), ...tls], { env: { SLUICE_LOG_LEVEL: 'silent' } })

/** The node's good pair, with `ca` as the client CA file. */
const withCa = (ca: string) => [
  '--tls-cert',
  pki.files.serverCert,
  '--tls-key',
  pki.files.serverKey,
  '--tls-client-ca',
  ca,
]

describe('sluice serve with TLS files that cannot serve', () => {
  it.each([
    [
      'a certificate and a key of different types',
      () => ['--tls-cert', file('ed.pem'), '--tls-key', file('rsa.key')],
      () =>
        `the TLS key ${file('rsa.key')} (rsa) is not the key of the certificate ${file('ed.pem')} (ed25519)`,
    ],
    [
      'the key of another certificate of the same type',
      () => ['--tls-cert', pki.files.serverCert, '--tls-key', pki.files.clientKey],
      () =>
        `the TLS key ${pki.files.clientKey} (ec) is not the key of the certificate ${pki.files.serverCert} (ec)`,
    ],
    [
      'a key file that holds no key',
      () => ['--tls-cert', pki.files.serverCert, '--tls-key', file('garbage.key')],
      () => `the TLS key ${file('garbage.key')} is not an unencrypted PEM private key`,
    ],
    [
      'certificate and key swapped',
      () => ['--tls-cert', pki.files.serverKey, '--tls-key', pki.files.serverCert],
      () =>
        `the TLS certificate ${pki.files.serverKey} is not a PEM certificate (it holds a private key: are --tls-cert and --tls-key swapped?)`,
    ],
    [
      'a client CA file that holds no certificate',
      () => withCa(file('garbage.key')),
      () => `the client CA bundle ${file('garbage.key')} holds no PEM certificate`,
    ],
    [
      'a client CA file that holds a key',
      () => withCa(pki.files.serverKey),
      () =>
        `the client CA bundle ${pki.files.serverKey} holds something other than certificates (EC PRIVATE KEY)`,
    ],
  ])('refuses %s in one line naming the file (exit 2)', async (_, args, message) => {
    const r = await serve(...args())
    expect(r.stderr).toBe(`sluice: ${message()}\n`)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })
})
