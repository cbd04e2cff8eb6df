import { afterEach, describe, expect, it } from 'vitest'
import { parseApiKey } from '../../src/auth/api-key.js'
import { seedDemo } from '../../src/demo/seed.js'
import { createLogger } from '../../src/ops/logger.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'

let node: TestNode | undefined
afterEach(async () => {
  await node?.stop()
  node = undefined
})

function capture() {
  const lines: string[] = []
  return {
    lines,
    logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

describe('health', () => {
  it('answers liveness and readiness, and readiness fails when the store is gone', async () => {
    node = await startTestNode()
    const { apiKey: partnerKey } = await createPrincipal(node.node.services.store, {
      name: 'Isles desk',
      role: 'partner',
      partnerId: 'isles',
    })
    const live = await fetch(`${node.url}/healthz/live`)
    expect(live.status).toBe(200)
    expect(await live.json()).toEqual({ status: 'ok', live: true })
    const ready = await fetch(`${node.url}/healthz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      live: true,
      ready: true,
      checks: { store: { ok: true } },
    })
    expect((await fetch(`${node.url}/healthz/ready`)).status).toBe(200)
    const other = await fetch(`${node.url}/healthz/other`)
    expect([other.status, other.headers.get('content-type')]).toEqual([404, TAXII])
    expect(await other.json()).toMatchObject({ error_code: 'no-endpoint', http_status: '404' })
    const post = await fetch(`${node.url}/healthz`, { method: 'POST' })
    expect([post.status, post.headers.get('content-type'), post.headers.get('allow')]).toEqual([
      405,
      TAXII,
      'GET, HEAD',
    ])
    expect(await post.json()).toMatchObject({ error_code: 'method-not-allowed' })
    for (const [key, status] of [
      [undefined, 401],
      [partnerKey, 403],
    ] as const) {
      const metrics = await fetch(
        `${node.url}/metrics`,
        key ? { headers: { Authorization: `Bearer ${key}` } } : {},
      )
      expect([metrics.status, metrics.headers.get('content-type')]).toEqual([status, TAXII])
      expect(((await metrics.json()) as { http_status: string }).http_status).toBe(String(status))
    }

    await node.node.store.close()
    const down = await fetch(`${node.url}/healthz`)
    expect(down.status).toBe(503)
    expect(await down.json()).toMatchObject({
      status: 'unavailable',
      live: true,
      ready: false,
      checks: { store: { ok: false } },
    })
    expect((await fetch(`${node.url}/healthz/live`)).status).toBe(200)
    // stop() closes the store again: reopen a harmless stand-in
    ;(node.node.store as { close: () => Promise<void> }).close = async () => {}
  })
})

describe('request logs', () => {
  it('writes one JSON line per request with the request id the client saw, the route template and the principal', async () => {
    const log = capture()
    node = await startTestNode({ logger: log.logger })
    const res = await node.get('/intel/collections/')
    expect(res.status).toBe(200)
    const denied = await node.get(
      '/intel/collections/',
      'sluice_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    )
    expect(denied.status).toBe(401)
    await fetch(`${node.url}/healthz`)
    // a request's line is written after its response: wait for it rather than for a fixed time
    await expect.poll(() => log.entries().filter((e) => e.msg === 'request').length).toBe(3)
    const entries = log.entries().filter((e) => e.msg === 'request')
    const [ok, unauthorized, health] = entries
    expect(ok).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/intel/collections/',
      route: '/:apiRoot/collections',
      status: 200,
      via: 'api-key',
      role: 'admin',
    })
    expect(ok!.requestId).toBe(res.headers.get('x-request-id'))
    expect(typeof ok!.ms).toBe('number')
    expect(typeof ok!.time).toBe('string')
    expect(unauthorized).toMatchObject({ status: 401, route: '/:apiRoot/collections' })
    expect(unauthorized!.principal).toBeUndefined()
    expect(health).toMatchObject({ route: '/healthz', status: 200 })
    expect(health!.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('logs and counts a request the HTTP parser refused, with the request id its answer carries', async () => {
    const log = capture()
    node = await startTestNode({ logger: log.logger })
    const res = await fetch(`${node.url}/taxii2/?q=${'a'.repeat(20_000)}`)
    expect(res.status).toBe(431)
    const requestId = res.headers.get('x-request-id')
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    await expect.poll(() => log.entries().filter((e) => e.route === 'unparsed').length).toBe(1)
    const refused = log.entries().filter((e) => e.msg === 'request' && e.route === 'unparsed')
    expect(refused).toEqual([
      expect.objectContaining({ requestId, status: 431, errorCode: 'headers-too-large', path: '(unparsed)' }),
    ])
    const metrics = await (await node.get('/metrics')).text()
    expect(metrics).toMatch(/route="unparsed"[^\n]*status="431"[^\n]*\} 1/)
  })

  it('logs the size of the body a health answer sent, none for HEAD', async () => {
    const log = capture()
    node = await startTestNode({ logger: log.logger })
    const body = await (await fetch(`${node.url}/healthz/live`)).text()
    const head = await fetch(`${node.url}/healthz/live`, { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
    await expect.poll(() => log.entries().filter((e) => e.route === '/healthz').length).toBe(2)
    const health = log.entries().filter((e) => e.msg === 'request' && e.route === '/healthz')
    expect(health.map((e) => e.bytesOut)).toEqual([Buffer.byteLength(body), 0])
  })

  it('never writes a key, even one sent in the path or the query', async () => {
    const log = capture()
    node = await startTestNode({ logger: log.logger })
    const key = node.adminKey
    await node.get(`/intel/collections/${key}/objects/?token=${key}`)
    await fetch(`${node.url}/admin/principals/${encodeURIComponent(key)}`, {
      headers: { Authorization: `Bearer ${key}` },
    })
    await node.get('/taxii2/', 'not-a-key')
    await expect.poll(() => log.lines.length).toBeGreaterThanOrEqual(3)
    const text = log.lines.join('')
    const secret = parseApiKey(key)!.secret
    expect(text).not.toContain(secret)
    expect(text).not.toContain(key)
  })

  it('masks key-shaped strings inside any field', () => {
    const lines: string[] = []
    const logger = createLogger({ write: (l) => lines.push(l) })
    const key = `sluice_0123456789abcdef_${'x'.repeat(43)}`
    logger.error(`failed for ${key}`, {
      header: `Bearer ${key}`,
      nested: { deep: [key] },
      error: new Error(`boom ${key}`),
    })
    expect(lines.join('')).not.toContain('x'.repeat(43))
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error' })
  })

  it('filters by level', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) })
    logger.info('hidden')
    logger.warn('shown')
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown'])
  })
})

describe('/metrics', () => {
  it('needs an admin or auditor and names the roles', async () => {
    node = await startTestNode()
    expect((await fetch(`${node.url}/metrics`)).status).toBe(401)
    const partner = await createPrincipal(node.node.store, { name: 'p', role: 'partner', partnerId: 'x' })
    const refused = await fetch(`${node.url}/metrics`, {
      headers: { Authorization: `Bearer ${partner.apiKey}` },
    })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { description: string }).description).toBe(
      'this needs the admin or auditor role',
    )
    const auditor = await createPrincipal(node.node.store, { name: 'a', role: 'auditor' })
    const ok = await fetch(`${node.url}/metrics`, { headers: { Authorization: `Bearer ${auditor.apiKey}` } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  })

  it('counts requests by route and status, disclosures and denials by partner and reason, and the ledger size', async () => {
    node = await startTestNode()
    const demo = await seedDemo(node.node.services)
    const partner = demo.partnerKeys[1]!
    const collections = (await (await node.get('/intel/collections/', partner.key)).json()) as {
      collections?: { id: string }[]
    }
    expect(collections.collections?.length).toBeGreaterThan(0)
    for (const c of collections.collections!)
      expect((await node.get(`/intel/collections/${c.id}/objects/?limit=1000`, partner.key)).status).toBe(200)
    await node.get('/intel/collections/nope/objects/', partner.key)

    const res = await fetch(`${node.url}/metrics`, { headers: { Authorization: `Bearer ${node.adminKey}` } })
    const text = await res.text()
    const value = (pattern: RegExp) => {
      const m = text.split('\n').find((l) => pattern.test(l))
      return m ? Number(m.split(' ').at(-1)) : undefined
    }
    expect(
      value(/^sluice_http_requests_total\{route="\/:apiRoot\/collections",method="GET",status="200"\}/),
    ).toBe(1)
    expect(
      value(
        /^sluice_http_requests_total\{route="\/:apiRoot\/collections\/:collectionId\/objects",method="GET",status="404"\}/,
      ),
    ).toBe(1)
    expect(
      value(
        /^sluice_http_request_duration_seconds_count\{route="\/:apiRoot\/collections",method="GET",status="200"\}/,
      ),
    ).toBe(1)
    expect(text).toMatch(
      /sluice_http_request_duration_seconds_bucket\{route="\/:apiRoot\/collections",method="GET",status="200",le="\+Inf"\} 1/,
    )
    const disclosed = value(new RegExp(`^sluice_disclosures_total\\{partner="${partner.partner}"\\}`))
    expect(disclosed).toBeGreaterThan(0)
    const denials = text
      .split('\n')
      .filter((l) => l.startsWith(`sluice_denials_total{partner="${partner.partner}",reason="`))
    expect(denials.length).toBeGreaterThan(0)
    const ledgerGlobal = value(/^sluice_ledger_size\{log="global"\}/)
    // the ledger holds the policy entries of the demo plus one entry per disclosure
    expect(ledgerGlobal).toBeGreaterThanOrEqual(disclosed!)
    expect(value(/^sluice_partners /)).toBe(4)
    expect(value(/^sluice_active_orders /)).toBe(0)
    expect(text).toMatch(/^sluice_build_info\{version="[^"]+"\} 1$/m)
    // a scan of random paths adds no series per path
    for (let i = 0; i < 20; i++) await fetch(`${node.url}/random-${i}/x`, { headers: { Accept: TAXII } })
    const after = await (
      await fetch(`${node.url}/metrics`, { headers: { Authorization: `Bearer ${node.adminKey}` } })
    ).text()
    expect(after).not.toContain('random-')
    expect(after).toMatch(/sluice_http_requests_total\{route="unmatched",method="GET",status="404"\} 20/)
  })
})
