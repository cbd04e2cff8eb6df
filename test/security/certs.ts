import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { type RequestOptions, request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** PEM files a test made with openssl: a CA, a server certificate for 127.0.0.1, client certificates. */
export interface TestPki {
  dir: string
  caCert: string
  serverCert: string
  serverKey: string
  /** Issued by the CA. */
  client: { cert: string; key: string }
  /** Also issued by the CA, for a second principal. */
  client2: { cert: string; key: string }
  /** Self-signed: chains to nothing the server trusts. */
  stranger: { cert: string; key: string }
  /** Paths of the same files, for the CLI. */
  files: { caCert: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string }
  remove(): void
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Everything fictional: subjects name test roles on loopback, keys are P-256 and live one test run. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pki-'))
  const key = (name: string) =>
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir)
  key('ca')
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=Sluice Test CA',
      '-out',
      'ca.pem',
    ],
    dir,
  )
  const issue = (name: string, subject: string, ext: string) => {
    key(name)
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir)
    writeFileSync(join(dir, `${name}.ext`), ext)
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-sha256',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      ],
      dir,
    )
  }
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  issue('client', '/CN=Partner node test client', 'extendedKeyUsage=clientAuth\n')
  issue('client2', '/CN=Second test client', 'extendedKeyUsage=clientAuth\n')
  key('stranger')
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'stranger.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=Stranger',
      '-addext',
      'extendedKeyUsage=clientAuth',
      '-out',
      'stranger.pem',
    ],
    dir,
  )
  const read = (f: string) => readFileSync(join(dir, f), 'utf8')
  return {
    dir,
    caCert: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    client: { cert: read('client.pem'), key: read('client.key') },
    client2: { cert: read('client2.pem'), key: read('client2.key') },
    stranger: { cert: read('stranger.pem'), key: read('stranger.key') },
    files: {
      caCert: join(dir, 'ca.pem'),
      serverCert: join(dir, 'server.pem'),
      serverKey: join(dir, 'server.key'),
      clientCert: join(dir, 'client.pem'),
      clientKey: join(dir, 'client.key'),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export interface HttpsAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One HTTPS request with explicit trust and an optional client certificate (fetch cannot present one). */
export function httpsRequest(
  url: string,
  options: RequestOptions & { body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}
