import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TokenSealer } from '../../src/auth/sealed-token.js'
import { pollFeed } from '../../src/federation/feed.js'
import { ingestOptions } from '../../src/ingest/options.js'
import { prepareObjects } from '../../src/ingest/prepare.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { CursorCodec } from '../../src/taxii/cursor.js'
import { TaxiiError } from '../../src/taxii/errors.js'
import { fedNode, feed, ind, put, share, versions } from '../federation/helpers.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

/*
 * The TAXII `next` cursor is sealed: a holder cannot read the node-wide sequence number in it (which would
 * tell how many versions the node stores, hidden ones included), cannot alter it, and cannot use it as
 * another principal or on another endpoint; every spelling of one endpoint the router accepts shares it.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function refusedAsNotOurs(run: () => unknown): void {
  let error: unknown
  try {
    run()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(TaxiiError)
  expect((error as TaxiiError).status).toBe(400)
  expect((error as TaxiiError).errorCode).toBe('invalid-next')
  expect((error as TaxiiError).message).toMatch(/not a cursor this server issued/)
}

/** Every way of reading a token as base64url (the whole text, and each `.`-separated part). */
function readings(token: string): Buffer[] {
  return [token, ...token.split('.')].map((part) => Buffer.from(part, 'base64url'))
}

describe('CursorCodec', () => {
  const key = Buffer.alloc(32, 7)
  const codec = new CursorCodec(key)
  const state = {
    scope: '/intel/collections/c-1/objects',
    principalId: 'p-1',
    filters: '[]',
  }
  const expected = { scope: state.scope, principalId: state.principalId }

  it('round-trips', () => {
    const token = codec.encode({ ...state, afterSeq: 4321 })
    expect(codec.decode(token, expected)).toEqual({ filters: '[]', afterSeq: 4321 })
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(token.length).toBeLessThan(200)
  })

  it('shows neither the sequence number nor any JSON when base64url-decoded', () => {
    const seq = 987_654_321
    const token = codec.encode({ ...state, afterSeq: seq })
    const be = Buffer.alloc(8)
    be.writeBigUInt64BE(BigInt(seq))
    for (const bytes of readings(token)) {
      const text = bytes.toString('latin1')
      expect(text).not.toContain(String(seq))
      expect(text).not.toContain(state.principalId)
      expect(text).not.toContain('/intel/')
      expect(() => JSON.parse(text)).toThrow()
      expect(bytes.includes(be)).toBe(false)
    }
  })

  it('gives tokens of one length whatever the position, and never the same token twice', () => {
    const small = codec.encode({ ...state, afterSeq: 5 })
    const large = codec.encode({ ...state, afterSeq: 5_000_000_000_000 })
    expect(large.length).toBe(small.length)
    expect(codec.encode({ ...state, afterSeq: 5 })).not.toBe(small)
  })

  it('refuses a token with any one byte flipped, or any one character changed', () => {
    const token = codec.encode({ ...state, afterSeq: 42 })
    const bytes = Buffer.from(token, 'base64url')
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes)
      flipped[i]! ^= 0x01
      refusedAsNotOurs(() => codec.decode(flipped.toString('base64url'), expected))
    }
    for (let i = 0; i < token.length; i++) {
      const other = ALPHABET[(ALPHABET.indexOf(token[i]!) + 1) % ALPHABET.length]!
      refusedAsNotOurs(() => codec.decode(token.slice(0, i) + other + token.slice(i + 1), expected))
    }
  })

  it('refuses what is not a token: bad base64url, too short, truncated, extended, another key or label', () => {
    const token = codec.encode({ ...state, afterSeq: 42 })
    for (const bad of [
      '',
      'forged.cursor',
      `${token}=`,
      `${token}.`,
      `${token.slice(0, 10)}!${token.slice(11)}`,
      'AAAA',
      token.slice(0, -1),
      `${token}A`,
      new CursorCodec(Buffer.alloc(32, 8)).encode({ ...state, afterSeq: 42 }),
      new TokenSealer(key, 'sluice console search cursor v1').seal(Buffer.from('x'.repeat(40))),
    ]) {
      refusedAsNotOurs(() => codec.decode(bad, expected))
    }
  })

  it('refuses a sealed payload that is not a cursor (malformed JSON) as not ours', () => {
    const sealer = new TokenSealer(key, 'sluice taxii cursor v2')
    const seq = Buffer.alloc(8)
    for (const rest of ['not json', '{"a":1}', '["only two","parts"]', '[1,2,3]']) {
      const token = sealer.seal(Buffer.concat([seq, Buffer.from(rest)]))
      expect(() => codec.decode(token, expected)).toThrow(TaxiiError)
    }
    refusedAsNotOurs(() => codec.decode(sealer.seal(Buffer.from('short')), expected))
  })

  it('refuses a cursor for another principal or scope as belonging elsewhere', () => {
    const token = codec.encode({ ...state, afterSeq: 42 })
    for (const other of [
      { ...expected, principalId: 'p-2' },
      { ...expected, scope: '/intel/collections/c-1/manifest' },
    ]) {
      expect(() => codec.decode(token, other)).toThrow(/belongs to another endpoint, collection or principal/)
    }
  })
})

describe('next cursors over HTTP', () => {
  let t: TestNode
  let collectionId: string
  let otherId: string
  let keyA: string
  let keyB: string
  const root = '/intel'
  const objects = (id = collectionId) => `${root}/collections/${id}/objects/`

  beforeAll(async () => {
    t = await startTestNode()
    const store = t.node.store
    const hidden = await createCollection(store, { apiRoot: 'intel', title: 'Hidden', alias: 'hidden' })
    collectionId = (await createCollection(store, { apiRoot: 'intel', title: 'Shared', alias: 'shared' })).id
    otherId = (await createCollection(store, { apiRoot: 'intel', title: 'Other', alias: 'other' })).id
    // many versions nobody below may read, so the node's sequence numbers run far ahead of what they see
    const many = await prepareObjects(
      Array.from({ length: 400 }, (_, i) => indicator(5000 + i)),
      ingestOptions(store),
    )
    await store.putObjects(hidden.id, many.accepted)
    const seen = await prepareObjects(
      Array.from({ length: 10 }, (_, i) => indicator(6000 + i)),
      ingestOptions(store),
    )
    await store.putObjects(collectionId, seen.accepted)
    const other = await prepareObjects([indicator(7000), indicator(7001)], ingestOptions(store))
    await store.putObjects(otherId, other.accepted)
    for (const name of ['A', 'B']) {
      const { principal, apiKey } = await createPrincipal(store, { name: `Analyst ${name}`, role: 'analyst' })
      for (const id of [collectionId, otherId])
        await store.setGrant({ principalId: principal.id, collectionId: id, canRead: true, canWrite: false })
      if (name === 'A') keyA = apiKey
      else keyB = apiKey
    }
  })
  afterAll(async () => t?.stop())

  async function page(path: string, key = keyA) {
    const res = await t.get(path, key)
    return { status: res.status, body: (await res.json()) as any }
  }

  async function expectInvalidNext(
    path: string,
    key = keyA,
    description = /not a cursor this server issued/,
  ) {
    const { status, body } = await page(path, key)
    expect(status, path).toBe(400)
    expect(body.error_code).toBe('invalid-next')
    expect(body.description).toMatch(description)
  }

  const withNext = (path: string, next: string, query = 'limit=3') =>
    `${path}?${query}&next=${encodeURIComponent(next)}`

  it('issues a cursor that shows nothing of the node-wide sequence number', async () => {
    const first = await page(`${objects()}?limit=3`)
    expect(first.body.more).toBe(true)
    const { items } = await t.node.store.queryObjects({ collectionId, limit: 3 })
    const seq = items.at(-1)!.seq
    expect(seq).toBeGreaterThan(400)
    const next: string = first.body.next
    expect(next).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(next.length).toBeLessThan(256)
    for (const bytes of readings(next)) {
      const text = bytes.toString('latin1')
      expect(text).not.toContain(String(seq))
      expect(text).not.toContain(collectionId)
      expect(text).not.toContain('null')
      expect(() => JSON.parse(text)).toThrow()
    }
  })

  it('pages end to end: every version once, in order', async () => {
    const all = (await page(`${objects()}?limit=100`)).body.objects.map((o: any) => o.id)
    expect(all).toHaveLength(10)
    const walked: string[] = []
    let next: string | undefined
    for (let i = 0; i < 10; i++) {
      const { status, body } = await page(next ? withNext(objects(), next) : `${objects()}?limit=3`)
      expect(status).toBe(200)
      walked.push(...body.objects.map((o: any) => o.id))
      if (!body.more) break
      next = body.next
    }
    expect(walked).toEqual(all)
  })

  it('refuses a tampered cursor (one byte flipped anywhere) with 400 invalid-next', async () => {
    const next: string = (await page(`${objects()}?limit=3`)).body.next
    const bytes = Buffer.from(next, 'base64url')
    for (const i of [0, 5, 11, 12, 20, Math.floor(bytes.length / 2), bytes.length - 17, bytes.length - 1]) {
      const flipped = Buffer.from(bytes)
      flipped[i]! ^= 0x80
      await expectInvalidNext(withNext(objects(), flipped.toString('base64url')))
    }
    const lastChar = next.at(-1) === 'A' ? 'B' : 'A'
    await expectInvalidNext(withNext(objects(), next.slice(0, -1) + lastChar))
  })

  it('refuses principal A’s cursor for principal B, and on another collection or endpoint', async () => {
    const next: string = (await page(`${objects()}?limit=3`)).body.next
    const elsewhere = /belongs to another endpoint, collection or principal/
    await expectInvalidNext(withNext(objects(), next), keyB, elsewhere)
    await expectInvalidNext(withNext(objects(otherId), next), keyA, elsewhere)
    await expectInvalidNext(withNext(`${root}/collections/${collectionId}/manifest/`, next), keyA, elsewhere)
    // B's own cursor works for B
    const own: string = (await page(`${objects()}?limit=3`, keyB)).body.next
    expect((await page(withNext(objects(), own), keyB)).status).toBe(200)
  })

  it('accepts a cursor under every spelling of the endpoint the router accepts', async () => {
    const slash = `${root}/collections/${collectionId}/objects/`
    const bare = `${root}/collections/${collectionId}/objects`
    const escaped = `${root}/collections/${encodeURIComponent(collectionId).replace(/-/g, '%2D')}/objects`
    expect(escaped).not.toBe(bare)
    const byAlias = `${root}/collections/shared/objects/`
    const reference = (await page(withNext(slash, (await page(`${slash}?limit=3`)).body.next))).body
    for (const [from, to] of [
      [slash, bare],
      [bare, slash],
      [bare, `${bare}//`],
      [slash, escaped],
      [byAlias, slash],
      [slash, byAlias],
    ] as const) {
      const first = await page(`${from}?limit=3`)
      expect(first.status).toBe(200)
      const second = await page(withNext(to, first.body.next))
      expect(second.status, `${from} → ${to}`).toBe(200)
      // the same page (each cursor is sealed afresh, so `next` differs)
      expect({ ...second.body, next: undefined }).toEqual({ ...reference, next: undefined })
    }
  })

  it('refuses a cursor in the earlier format, even one signed with this node’s secret', async () => {
    const secret = await t.node.store.secret('cursor')
    const { items } = await t.node.store.queryObjects({ collectionId, limit: 3 })
    const payload = Buffer.from(
      JSON.stringify([`${objects()}`, 'whoever', '[null,null,null,null,null]', items.at(-1)!.seq]),
    ).toString('base64url')
    const mac = createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 32)
    await expectInvalidNext(withNext(objects(), `${payload}.${mac}`))
  })
})

describe('a federation feed whose next cursor the server refuses', () => {
  it('starts the pass again from added_after and loses nothing', async () => {
    const [alpha, bravo] = await Promise.all([fedNode('alpha'), fedNode('bravo')])
    try {
      const fromAlpha = await feed(bravo, alpha, await share(alpha, bravo), { pageSize: 4 })
      await put(
        alpha,
        Array.from({ length: 10 }, (_, i) => ind(800 + i)),
      )
      const cut = await pollFeed(bravo.ctx, fromAlpha, { maxPages: 1 })
      const issued = cut.cursor.next!
      expect(issued).toBeDefined()
      // a cursor as a node before the upgrade would have issued it: signed with alpha's secret, readable
      const secret = await alpha.store.secret('cursor')
      const payload = Buffer.from(JSON.stringify(['/intel/x', 'p', '[]', 4])).toString('base64url')
      const old = `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 32)}`
      const state = await bravo.ctx.state.feedState(fromAlpha.id)
      state.cursor.next = old
      await bravo.ctx.state.putFeedState(fromAlpha.id, state)
      const done = await pollFeed(bravo.ctx, fromAlpha)
      expect(done.health.counts['restarted-passes']).toBe(1)
      expect(done.health.status).toBe('ok')
      expect((await versions(bravo)).sort()).toEqual((await versions(alpha)).sort())
    } finally {
      await Promise.all([alpha.t.stop(), bravo.t.stop()])
    }
  })
})
