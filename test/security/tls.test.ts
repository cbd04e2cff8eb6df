import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bindCertificate, unbindCertificate } from '../../src/auth/client-cert.js'
import { createLogger } from '../../src/ops/logger.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { newNodeDir } from '../cli/node-dir.js'
import { runCli } from '../cli/run-cli.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'
import { httpsRequest, makePki, type TestPki } from './certs.js'

let pki: TestPki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => pki.remove())

const get = (node: TestNode, path: string, extra: { cert?: string; key?: string; auth?: string } = {}) =>
  httpsRequest(`${node.url}${path}`, {
    ca: pki.caCert,
    ...(extra.cert ? { cert: extra.cert, key: extra.key } : {}),
    headers: { Accept: TAXII, ...(extra.auth ? { Authorization: `Bearer ${extra.auth}` } : {}) },
  })

describe('TLS on the listener', () => {
  let node: TestNode
  beforeAll(async () => {
    node = await startTestNode({ tls: { certFile: pki.files.serverCert, keyFile: pki.files.serverKey } })
  })
  afterAll(() => node.stop())

  it('serves HTTPS and advertises https URLs', async () => {
    expect(node.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const res = await get(node, '/taxii2/', { auth: node.adminKey })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body).api_roots[0]).toMatch(/^https:\/\//)
  })

  it('refuses clients that do not trust the certificate, and plain HTTP', async () => {
    await expect(httpsRequest(`${node.url}/healthz`)).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    )
    await expect(fetch(`${node.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow()
  })

  it('refuses TLS below 1.2', async () => {
    await expect(
      httpsRequest(`${node.url}/healthz/live`, {
        ca: pki.caCert,
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
      }),
    ).rejects.toThrow()
  })

  it('does not ask for client certificates unless mutual TLS is on', async () => {
    const p = await createPrincipal(node.node.store, { name: 'Cert partner', role: 'admin' })
    await bindCertificate(node.node.store, p.principal.id, pki.client.cert, 'test')
    expect((await get(node, '/taxii2/', { cert: pki.client.cert, key: pki.client.key })).status).toBe(401)
  })
})

describe('mutual TLS binds a client certificate to a principal', () => {
  let node: TestNode
  const lines: string[] = []
  let partnerId: string
  beforeAll(async () => {
    node = await startTestNode({
      tls: { certFile: pki.files.serverCert, keyFile: pki.files.serverKey, clientCertificates: true },
      logger: createLogger({ write: (l) => lines.push(l) }),
    })
    await node.node.services.policy.addPartner(
      { id: 'harbour-police', name: 'Harbour Police (fictional)' },
      'test',
    )
    await createCollection(node.node.store, { apiRoot: 'intel', title: 'Routes', alias: 'routes' })
    const partner = await createPrincipal(node.node.store, {
      name: 'Harbour node',
      role: 'partner',
      partnerId: 'harbour-police',
    })
    partnerId = partner.principal.id
    await bindCertificate(node.node.store, partnerId, pki.client.cert, 'test')
  })
  afterAll(() => node.stop())

  it('authenticates a bound certificate without an API key', async () => {
    const requests = () => lines.filter((l) => JSON.parse(l).msg === 'request').length
    const before = requests()
    const res = await get(node, '/taxii2/', { cert: pki.client.cert, key: pki.client.key })
    expect(res.status).toBe(200)
    // its log line is written after the response
    await expect.poll(requests).toBe(before + 1)
    const entry = lines
      .map((l) => JSON.parse(l))
      .filter((e) => e.msg === 'request')
      .at(-1)
    expect(entry).toMatchObject({
      principal: partnerId,
      role: 'partner',
      via: 'client-certificate',
      status: 200,
    })
  })

  it('the principal keeps its role: a partner certificate cannot reach the admin API', async () => {
    const res = await get(node, '/admin/principals', { cert: pki.client.cert, key: pki.client.key })
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body).description).toBe('this needs the admin role')
  })

  it('refuses an unbound certificate and a request with no credential', async () => {
    expect((await get(node, '/taxii2/', { cert: pki.client2.cert, key: pki.client2.key })).status).toBe(401)
    expect((await get(node, '/taxii2/')).status).toBe(401)
  })

  it('an API key in the header wins over the certificate', async () => {
    const res = await get(node, '/admin/principals', {
      cert: pki.client.cert,
      key: pki.client.key,
      auth: node.adminKey,
    })
    expect(res.status).toBe(200)
  })

  it('without a client CA, a pinned self-signed certificate works; the handshake proves its key', async () => {
    const other = await createPrincipal(node.node.store, { name: 'Pinned', role: 'analyst' })
    await bindCertificate(node.node.store, other.principal.id, pki.stranger.cert, 'test')
    expect((await get(node, '/taxii2/', { cert: pki.stranger.cert, key: pki.stranger.key })).status).toBe(200)
    // the certificate alone, with some other key, does not complete the handshake
    await expect(get(node, '/taxii2/', { cert: pki.stranger.cert, key: pki.client.key })).rejects.toThrow()
  })

  it('unbinding or revoking the principal stops the certificate at once', async () => {
    const extra = await createPrincipal(node.node.store, { name: 'Short-lived', role: 'analyst' })
    await bindCertificate(node.node.store, extra.principal.id, pki.client2.cert, 'test')
    expect((await get(node, '/taxii2/', { cert: pki.client2.cert, key: pki.client2.key })).status).toBe(200)
    await node.node.store.revokePrincipal(extra.principal.id, new Date().toISOString())
    expect((await get(node, '/taxii2/', { cert: pki.client2.cert, key: pki.client2.key })).status).toBe(401)
    const fp = (await import('node:crypto')).X509Certificate
    expect(await unbindCertificate(node.node.store, new fp(pki.client2.cert).fingerprint256)).toBe(true)
  })

  it('binds through the admin API, and refuses binding one certificate to two principals', async () => {
    const analyst = await createPrincipal(node.node.store, { name: 'Analyst', role: 'analyst' })
    const post = (path: string, body: unknown) =>
      httpsRequest(`${node.url}${path}`, {
        method: 'POST',
        ca: pki.caCert,
        headers: { Authorization: `Bearer ${node.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    const clash = await post(`/admin/principals/${analyst.principal.id}/certificates`, {
      certificate: pki.client.cert,
    })
    expect(clash.status).toBe(400)
    expect(JSON.parse(clash.body).description).toMatch(/already bound/)
    expect(
      (
        await post(`/admin/principals/${analyst.principal.id}/certificates`, {
          certificate: 'not a certificate',
        })
      ).status,
    ).toBe(400)
    const list = await httpsRequest(`${node.url}/admin/certificates?principal=${partnerId}`, {
      ca: pki.caCert,
      headers: { Authorization: `Bearer ${node.adminKey}` },
    })
    expect(JSON.parse(list.body)).toEqual([
      expect.objectContaining({
        principal_id: partnerId,
        subject: expect.stringContaining('Partner node test client'),
      }),
    ])
  })
})

describe('mutual TLS with a client CA', () => {
  let node: TestNode
  beforeAll(async () => {
    node = await startTestNode({
      tls: { certFile: pki.files.serverCert, keyFile: pki.files.serverKey, clientCaFile: pki.files.caCert },
    })
  })
  afterAll(() => node.stop())

  it('accepts a bound certificate from the CA and ignores a bound one that does not chain to it', async () => {
    const a = await createPrincipal(node.node.store, { name: 'From the CA', role: 'analyst' })
    const b = await createPrincipal(node.node.store, { name: 'Stranger', role: 'analyst' })
    await bindCertificate(node.node.store, a.principal.id, pki.client.cert, 'test')
    await bindCertificate(node.node.store, b.principal.id, pki.stranger.cert, 'test')
    expect((await get(node, '/taxii2/', { cert: pki.client.cert, key: pki.client.key })).status).toBe(200)
    expect((await get(node, '/taxii2/', { cert: pki.stranger.cert, key: pki.stranger.key })).status).toBe(401)
    // the stranger can still use an API key
    expect(
      (await get(node, '/taxii2/', { cert: pki.stranger.cert, key: pki.stranger.key, auth: b.apiKey }))
        .status,
    ).toBe(200)
  })
})

describe('TLS setup errors', () => {
  it('names the unreadable file', async () => {
    await expect(
      startTestNode({ tls: { certFile: '/nonexistent/cert.pem', keyFile: pki.files.serverKey } }),
    ).rejects.toThrow('cannot read the TLS certificate /nonexistent/cert.pem: no such file')
  })
})

describe('feeds and ledger verify against a peer whose certificate is from a private CA', () => {
  let peer: TestNode
  let dir: string
  let collectionId: string
  const env = (extra: Record<string, string> = {}) => ({ SLUICE_DATA: dir, ...extra })
  beforeAll(async () => {
    // mutual TLS on, with a client CA: the feed still gets in with the API key alone
    peer = await startTestNode({
      tls: { certFile: pki.files.serverCert, keyFile: pki.files.serverKey, clientCaFile: pki.files.caCert },
    })
    collectionId = (
      await createCollection(peer.node.store, { apiRoot: 'intel', title: 'Routes', alias: 'routes' })
    ).id
    dir = await newNodeDir('sluice-tls-feed-')
    for (const args of [
      ['partners', 'add', '--id', 'peer', '--name', 'Peer police (fictional)', '--kind', 'police'],
      ['collections', 'create', '--title', 'Inbox', '--alias', 'inbox'],
      ['feeds', 'add', '--url', `${peer.url}/intel/`, '--collection', collectionId, '--key', peer.adminKey],
    ]) {
      const extra =
        args[0] === 'feeds' ? ['--into', 'inbox', '--partner', 'peer', '--id', 'peer', '--verify', 'off'] : []
      expect(await runCli([...args, ...extra], { env: env() })).toMatchObject({ code: 0 })
    }
  })
  afterAll(async () => {
    await peer.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('says to start the polling process with NODE_EXTRA_CA_CERTS, which then works without a client certificate', async () => {
    const untrusted = await runCli(['feeds', 'poll', 'peer'], { env: env() })
    expect(untrusted.code).toBe(1)
    expect(untrusted.stdout).toMatch(
      /cannot reach https:\/\/127\.0\.0\.1:\d+: [A-Z_]+; the peer's certificate is self-signed or from a CA this process does not trust: add the feed or push again with --ca ca\.pem \(ca in the API body\), or start the process that polls and pushes, sluice serve or the CLI, with NODE_EXTRA_CA_CERTS=ca\.pem/,
    )
    const trusted = await runCli(['feeds', 'poll', 'peer'], {
      env: env({ NODE_EXTRA_CA_CERTS: pki.files.caCert }),
    })
    expect([trusted.code, trusted.stdout]).toEqual([0, expect.stringMatching(/^OK /)])
  })

  it('a feed given the CA (and a client certificate) polls without NODE_EXTRA_CA_CERTS; list shows the files', async () => {
    const add = await runCli(
      [
        'feeds',
        'add',
        '--url',
        `${peer.url}/intel/`,
        '--collection',
        collectionId,
        '--key',
        peer.adminKey,
        '--into',
        'inbox',
        '--partner',
        'peer',
        '--id',
        'peer-ca',
        '--verify',
        'off',
        '--ca',
        'ca.pem',
        '--client-cert',
        'client.pem',
        '--client-key',
        'client.key',
      ],
      { env: env(), cwd: pki.dir },
    )
    expect(add).toMatchObject({ code: 0, stdout: 'peer-ca\n' })
    const polled = await runCli(['feeds', 'poll', 'peer-ca'], { env: env() })
    expect([polled.code, polled.stdout]).toEqual([0, expect.stringMatching(/^OK /)])
    const listed = JSON.parse((await runCli(['feeds', 'list', '--json'], { env: env() })).stdout) as {
      id: string
      tls?: unknown
    }[]
    // relative paths are kept absolute: the node that polls runs elsewhere than the shell that added it
    expect(listed.find((f) => f.id === 'peer-ca')?.tls).toEqual({
      clientCert: pki.files.clientCert,
      clientKey: pki.files.clientKey,
      ca: pki.files.caCert,
    })
    expect(await runCli(['feeds', 'list', '--ca', 'ca.pem'], { env: env() })).toMatchObject({ code: 2 })
  })

  it('gives ledger verify the same hint', async () => {
    const result = await runCli(
      [
        'ledger',
        'verify',
        '--url',
        peer.url,
        '--api-key',
        peer.adminKey,
        '--vkey',
        peer.node.services.ledger.key.vkey,
      ],
      { env: env() },
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^sluice: cannot reach https:\/\/127\.0\.0\.1:\d+: [^\n]+; the peer's certificate is self-signed or from a CA this process does not trust: start sluice ledger verify with NODE_EXTRA_CA_CERTS=ca\.pem[^\n]*\n$/,
    )
  })
})
