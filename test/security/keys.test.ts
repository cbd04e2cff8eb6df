import { afterEach, describe, expect, it } from 'vitest'
import { parseApiKey } from '../../src/auth/api-key.js'
import { listKeys, parseDuration, revokeKey, rotateKey, touchKey } from '../../src/auth/keys.js'
import { createLogger } from '../../src/ops/logger.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let node: TestNode | undefined
afterEach(async () => {
  await node?.stop()
  node = undefined
})

const status = async (n: TestNode, key: string) => (await n.get('/taxii2/', key)).status

describe('key lifecycle', () => {
  it('rotation keeps the old key working for the overlap, then only the new one', async () => {
    node = await startTestNode()
    const { principal, apiKey: first } = await createPrincipal(node.node.store, {
      name: 'Rotating analyst',
      role: 'analyst',
    })
    const rotation = await rotateKey(node.node.store, principal.id, 3600)
    expect(rotation.token).toMatch(/^sluice_[0-9a-f]{16}_/)
    expect(rotation.retiring).toHaveLength(1)
    expect(rotation.retiring[0]!.state).toBe('expiring')
    expect(await status(node, first)).toBe(200)
    expect(await status(node, rotation.token)).toBe(200)

    // the overlap ended: a rotation dated 2 hours ago with a 1 hour overlap
    const later = await rotateKey(node.node.store, principal.id, 3600, new Date(Date.now() - 7200_000))
    expect(await status(node, first)).toBe(401)
    expect(await status(node, rotation.token)).toBe(401)
    expect(await status(node, later.token)).toBe(200)
    const views = await listKeys(node.node.store, { principalId: principal.id, all: true })
    expect(views.map((v) => v.state).sort()).toEqual(['active', 'expired', 'expired'])
    expect((await listKeys(node.node.store, { principalId: principal.id })).map((v) => v.key_id)).toEqual([
      later.key.key_id,
    ])
  })

  it('a second rotation never extends an earlier expiry, and an overlap of 0 retires at once', async () => {
    node = await startTestNode()
    const { principal, apiKey: first } = await createPrincipal(node.node.store, {
      name: 'P',
      role: 'analyst',
    })
    const a = await rotateKey(node.node.store, principal.id, 60)
    const b = await rotateKey(node.node.store, principal.id, 86_400)
    const firstView = b.retiring.find((r) => r.key_id !== a.key.key_id)!
    expect(firstView.expires_at).toBe(a.retiring[0]!.expires_at)
    await rotateKey(node.node.store, principal.id, 0)
    expect(await status(node, first)).toBe(401)
    expect(await status(node, b.token)).toBe(401)
    await expect(rotateKey(node.node.store, principal.id, -1)).rejects.toThrow(/overlap/)
    await expect(rotateKey(node.node.store, 'principal--nobody', 60)).rejects.toThrow(/no active principal/)
  })

  it('revoking one key stops it at once and leaves the others', async () => {
    node = await startTestNode()
    const { principal, apiKey: first } = await createPrincipal(node.node.store, {
      name: 'P',
      role: 'analyst',
    })
    const second = await rotateKey(node.node.store, principal.id, 3600)
    const firstId = first.split('_')[1]!
    await revokeKey(node.node.store, firstId)
    expect(await status(node, first)).toBe(401)
    expect(await status(node, second.token)).toBe(200)
    await expect(revokeKey(node.node.store, firstId)).rejects.toThrow(/already revoked/)
    await expect(revokeKey(node.node.store, '0000000000000000')).rejects.toThrow(/no key/)
  })

  it('records last use, at most once a minute per key', async () => {
    node = await startTestNode()
    const { principal, apiKey } = await createPrincipal(node.node.store, { name: 'P', role: 'analyst' })
    expect((await listKeys(node.node.store, { principalId: principal.id }))[0]!.last_used_at).toBeUndefined()
    expect(await status(node, apiKey)).toBe(200)
    const used = (await listKeys(node.node.store, { principalId: principal.id }))[0]!.last_used_at!
    expect(Date.now() - Date.parse(used)).toBeLessThan(5000)
    const keyId = apiKey.split('_')[1]!
    await touchKey(node.node.store, keyId, Date.parse(used) + 30_000)
    expect((await node.node.store.getApiKey(keyId))!.lastUsedAt).toBe(used)
    await touchKey(node.node.store, keyId, Date.parse(used) + 61_000)
    expect((await node.node.store.getApiKey(keyId))!.lastUsedAt).toBe(
      new Date(Date.parse(used) + 61_000).toISOString(),
    )
  })

  it('the admin API lists, rotates and revokes; keys and hashes never appear in listings or logs', async () => {
    const lines: string[] = []
    node = await startTestNode({ logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) })
    const { principal, apiKey } = await createPrincipal(node.node.store, {
      name: 'Partner desk',
      role: 'auditor',
    })
    const admin = { Authorization: `Bearer ${node.adminKey}`, 'Content-Type': 'application/json' }
    const rotated = await fetch(`${node.url}/admin/principals/${principal.id}/keys/rotate`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ overlap_seconds: 600 }),
    })
    expect(rotated.status).toBe(201)
    const body = (await rotated.json()) as {
      api_key: string
      key: { key_id: string }
      retiring: { expires_at: string }[]
    }
    expect(body.retiring).toHaveLength(1)
    expect(await status(node, body.api_key)).toBe(403) // an auditor has no TAXII: the key itself authenticates
    const listed = await (
      await fetch(`${node.url}/admin/keys?principal=${principal.id}`, { headers: admin })
    ).text()
    expect(JSON.parse(listed).map((k: { key_id: string }) => k.key_id)).toEqual([
      apiKey.split('_')[1],
      body.key.key_id,
    ])
    expect(listed).not.toMatch(/secret|hash|sluice_/i)
    const revoked = await fetch(`${node.url}/admin/keys/${body.key.key_id}/revoke`, {
      method: 'POST',
      headers: admin,
    })
    expect(revoked.status).toBe(201)
    expect(await status(node, body.api_key)).toBe(401)
    const bad = await fetch(`${node.url}/admin/principals/${principal.id}/keys/rotate`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ overlap_seconds: 'soon' }),
    })
    expect(bad.status).toBe(400)
    // log lines are written after the response; wait for them rather than for a fixed time
    for (let i = 0; i < 200 && !lines.join('').includes('/keys/rotate'); i++)
      await new Promise((r) => setTimeout(r, 10))
    const log = lines.join('')
    expect(log).toContain('/keys/rotate')
    for (const secret of [apiKey, body.api_key, node.adminKey])
      expect(log).not.toContain(parseApiKey(secret)!.secret)
  })

  it('key and certificate bodies are strict, and what the path names must exist (404)', async () => {
    const started = await startTestNode()
    node = started
    const { principal } = await createPrincipal(started.node.store, { name: 'Strict desk', role: 'auditor' })
    const post = async (path: string, body?: unknown) => {
      const res = await fetch(`${started.url}/admin/${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${started.adminKey}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.status, ...((await res.json()) as { description: string }) }
    }
    const keys = async () => listKeys(started.node.store, { principalId: principal.id, all: true })
    const before = await keys()
    // a misspelt overlap used to rotate with the default day of overlap
    expect(await post(`principals/${principal.id}/keys/rotate`, { overlap_secs: 0 })).toMatchObject({
      status: 400,
      description: 'unknown field "overlap_secs"; this request takes overlap_seconds',
    })
    expect(await post(`principals/${principal.id}/keys/rotate`, { overlap_seconds: 1.5 })).toMatchObject({
      status: 400,
      description: 'overlap_seconds must be a whole number',
    })
    expect(await post('principals/principal--ghost/keys/rotate', {})).toMatchObject({
      status: 404,
      description: 'no active principal "principal--ghost"',
    })
    expect(await keys()).toEqual(before)
    expect(await post(`keys/${before[0]!.key_id}/revoke`, { now: true })).toMatchObject({
      status: 400,
      description: 'unknown field "now"; this request takes no fields (send {} or no body)',
    })
    expect(await post('keys/ghostkey/revoke')).toMatchObject({
      status: 404,
      description: 'no key "ghostkey"',
    })
    expect(await post(`principals/${principal.id}/certificates`, { cert: 'PEM' })).toMatchObject({
      status: 400,
      description: 'unknown field "cert"; this request takes certificate',
    })
    expect(await post(`principals/${principal.id}/certificates`, {})).toMatchObject({
      status: 400,
      description: 'certificate (PEM text) is required',
    })
    expect(await post('principals/principal--ghost/certificates', { certificate: 'PEM' })).toMatchObject({
      status: 404,
      description: 'no active principal "principal--ghost"',
    })
    expect(await post(`certificates/${'ab'.repeat(32)}/unbind`, { all: true })).toMatchObject({
      status: 400,
    })
    expect(await post(`certificates/${'ab'.repeat(32)}/unbind`)).toMatchObject({
      status: 404,
      description: 'no binding for that fingerprint',
    })
    expect(await keys()).toEqual(before)
  })

  it('refuses a principal filter naming no principal, as the agreements filter refuses an unknown partner', async () => {
    const started = await startTestNode()
    node = started
    const { principal } = await createPrincipal(started.node.store, {
      name: 'Filtered desk',
      role: 'auditor',
    })
    const get = async (path: string) => {
      const res = await started.get(path, started.adminKey, { Accept: 'application/json' })
      return { status: res.status, body: (await res.json()) as { description?: string; error_code?: string } }
    }
    const partner = await get('/admin/agreements?partner=nope')
    expect(partner).toMatchObject({ status: 400, body: { error_code: 'invalid-input' } })
    for (const path of ['keys', 'certificates']) {
      expect(await get(`/admin/${path}?principal=nope`)).toEqual({
        status: partner.status,
        body: {
          ...partner.body,
          description: 'no principal "nope"; see GET /admin/principals',
        },
      })
      expect((await get(`/admin/${path}?principal=${principal.id}`)).status).toBe(200)
    }
  })

  it('parses durations', () => {
    expect([
      parseDuration('90'),
      parseDuration('90s'),
      parseDuration('15m'),
      parseDuration('24h'),
      parseDuration('7d'),
      parseDuration('1w'),
    ]).toEqual([90, 90, 900, 86_400, 604_800, undefined])
  })
})
