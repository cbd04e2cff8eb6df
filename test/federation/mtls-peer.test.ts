/**
 * Feeds and pushes to a peer behind a gateway that requires a client certificate at the handshake and
 * whose own certificate is from a private CA: the situation of an agency that exposes TAXII only over
 * mutual TLS. The gateway hands each request to a Sluice node, so its ledger is followed too.
 */
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineFeed, definePush, type FeedInput } from '../../src/federation/definitions.js'
import { FederationError } from '../../src/federation/errors.js'
import { pollFeed } from '../../src/federation/feed.js'
import { runPush } from '../../src/federation/push.js'
import { makePki, type TestPki } from '../security/certs.js'
import { type FedNode, fedNode, ind, put, share, versions } from './helpers.js'

let pki: TestPki
let alpha: FedNode
let bravo: FedNode
let gateway: Server
let gatewayUrl: string
let keyFromAlpha: string
const seen: { authorized: boolean; subject: unknown }[] = []
let handshakes = 0

beforeAll(async () => {
  pki = makePki()
  ;[alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
  gateway = createServer(
    { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const socket = req.socket as import('node:tls').TLSSocket
      seen.push({ authorized: socket.authorized, subject: socket.getPeerCertificate().subject?.CN })
      alpha.t.node.server.emit('request', req, res)
    },
  )
  gateway.on('secureConnection', () => handshakes++)
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve))
  gatewayUrl = `https://127.0.0.1:${(gateway.address() as AddressInfo).port}`
  keyFromAlpha = await share(alpha, bravo)
  await put(alpha, [ind(7401), ind(7402)])
  await bravo.t.node.services.policy.addPartner(
    { id: 'alpha', name: 'alpha police (fictional)', kind: 'police' },
    'test',
  )
})
afterAll(async () => {
  gateway?.close()
  await Promise.all([alpha?.t.stop(), bravo?.t.stop()])
  pki?.remove()
})

/** The certificate the gateway's CA issued, and that CA to trust the gateway by. */
const MUTUAL = () => ({
  clientCert: pki.files.clientCert,
  clientKey: pki.files.clientKey,
  ca: pki.files.caCert,
})

const feedInput = (id: string, extra: Partial<FeedInput> = {}): FeedInput => ({
  id,
  url: `${gatewayUrl}/intel/`,
  collection: alpha.collectionId,
  key: keyFromAlpha,
  into: bravo.collectionId,
  partner: 'alpha',
  ...extra,
})

const refusal = (input: FeedInput) =>
  defineFeed(bravo.ctx, input, 'test').then(
    () => 'accepted',
    (error: unknown) => (error instanceof FederationError ? error.message : String(error)),
  )

describe('a feed from a peer that requires a client certificate', () => {
  it('presents the certificate, trusts the peer by the CA given, and pulls with the ledger followed', async () => {
    const feed = await defineFeed(bravo.ctx, feedInput('mtls', MUTUAL()), 'test')
    handshakes = 0
    const state = await pollFeed(bravo.ctx, feed)
    expect(state.health).toMatchObject({ status: 'ok', consecutiveFailures: 0 })
    expect(state.health.counts.added).toBe(2)
    expect(state.ledger.status).toBe('consistent')
    expect((await versions(bravo)).sort()).toEqual((await versions(alpha)).sort())
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((s) => s.authorized && s.subject === 'Partner node test client')).toBe(true)
    // the poll's requests went over kept-alive connections, not one handshake each
    expect(seen.length).toBeGreaterThan(2)
    expect(handshakes).toBeLessThan(seen.length)
    expect(handshakes).toBeLessThanOrEqual(2)
  })

  it('without the certificate the handshake is refused and nothing arrives', async () => {
    const feed = await defineFeed(bravo.ctx, feedInput('no-cert', { ca: pki.files.caCert }), 'test')
    const before = await versions(bravo)
    const state = await pollFeed(bravo.ctx, feed)
    expect(state.health.consecutiveFailures).toBe(1)
    expect(state.health.lastError?.message).toMatch(/^cannot reach https:\/\/127\.0\.0\.1:\d+: /)
    expect(await versions(bravo)).toEqual(before)
  })

  it('without the CA it says the peer is not trusted and how to trust it', async () => {
    const feed = await defineFeed(
      bravo.ctx,
      feedInput('no-ca', { clientCert: pki.files.clientCert, clientKey: pki.files.clientKey }),
      'test',
    )
    const state = await pollFeed(bravo.ctx, feed)
    expect(state.health.lastError?.message).toContain('add the feed or push again with --ca ca.pem')
  })

  it('refuses TLS files that cannot work when the feed is defined, naming the file', async () => {
    expect(await refusal(feedInput('half', { clientCert: pki.files.clientCert }))).toBe(
      'a client certificate and its key go together: give both, or neither',
    )
    expect(
      await refusal(
        feedInput('plain', {
          url: 'http://127.0.0.1:1/intel/',
          clientCert: pki.files.clientCert,
          clientKey: pki.files.clientKey,
        }),
      ),
    ).toBe('a client certificate or CA bundle needs an https URL (and node URL)')
    expect(
      await refusal(
        feedInput('swapped', { clientCert: pki.files.clientKey, clientKey: pki.files.clientCert }),
      ),
    ).toMatch(
      /is not a PEM certificate \(it holds a private key: are --client-cert and --client-key swapped\?\)$/,
    )
    const stranger = join(pki.dir, 'stranger-only.pem')
    writeFileSync(stranger, pki.stranger.cert)
    expect(
      await refusal(feedInput('mismatch', { clientCert: stranger, clientKey: pki.files.clientKey })),
    ).toMatch(/^the TLS key .*client\.key \(ec\) is not the key of the certificate .*stranger-only\.pem/)
    expect(await refusal(feedInput('gone', { ca: join(pki.dir, 'missing.pem') }))).toMatch(
      /^cannot read the CA bundle .*missing\.pem: no such file$/,
    )
    expect(await bravo.ctx.state.feed('swapped')).toBeUndefined()
  })

  it('reads the files again at each poll: a file removed since fails that poll, with its name', async () => {
    const copy = join(pki.dir, 'client-copy.pem')
    writeFileSync(copy, pki.client.cert)
    const feed = await defineFeed(
      bravo.ctx,
      feedInput('renewed', { clientCert: copy, clientKey: pki.files.clientKey, ca: pki.files.caCert }),
      'test',
    )
    writeFileSync(copy, 'not a certificate')
    const state = await pollFeed(bravo.ctx, feed)
    expect(state.health.lastError?.message).toMatch(
      /the TLS certificate .*client-copy\.pem is not a PEM certificate/,
    )
    writeFileSync(copy, pki.client.cert)
    expect((await pollFeed(bravo.ctx, feed)).health.status).toBe('ok')
  })
})

describe('a push to a peer that requires a client certificate', () => {
  it('is delivered through the gateway with the certificate', async () => {
    // bravo shares its own collection with alpha (what came from alpha never goes back to it)
    await share(bravo, alpha)
    await put(bravo, [ind(7403)])
    const push = await definePush(
      bravo.ctx,
      {
        id: 'to-alpha-mtls',
        url: `${gatewayUrl}/intel/`,
        collection: alpha.collectionId,
        key: keyFromAlpha,
        from: bravo.collectionId,
        partner: 'alpha',
        ...MUTUAL(),
      },
      'test',
    )
    const state = await runPush(bravo.ctx, push)
    expect(state.health).toMatchObject({ status: 'ok', consecutiveFailures: 0 })
    expect((await versions(alpha)).some((v) => v.startsWith(ind(7403).id))).toBe(true)
  })
})
