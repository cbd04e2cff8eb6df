/**
 * The fuzz campaign: generated malformed and hostile requests against every endpoint of a running node
 * (broken JSON, deep nesting, huge numbers and strings, invalid UTF-8, wrong and missing media types,
 * odd headers, path tricks, forged `next` cursors, other partners' ids), sent as several principals.
 * It counts 5xx answers (but a 501 for a method HTTP does not define, which is the answer RFC 9110
 * asks for) and transport failures, checks the node is still healthy, and checks that no
 * answer to a partner carries an object its policy denies and that its ledger log records no such object.
 */

import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { connect } from 'node:net'
import { toIncoming } from '../../src/ingest/prepare.js'
import { decodeEntry } from '../../src/ledger/entry.js'
import { partnerLogId } from '../../src/ledger/log-id.js'
import { TLP2_MARKING_IDS } from '../../src/policy/tlp.js'
import type { SluiceNode } from '../../src/server/node.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import type { StixObject } from '../../src/stix/object.js'
import { between, seeded } from '../lib/rng.js'

const TAXII = 'application/taxii+json;version=2.1'

export interface FuzzWorld {
  url: string
  keys: Record<'admin' | 'partnerA' | 'partnerB' | 'analyst' | 'auditor' | 'officer' | 'revoked', string>
  collections: { a: string; b: string }
  /** Objects partner A may receive, and objects its policy denies it. */
  allowedToA: string[]
  deniedToA: string[]
  statusId: string
  cursorForA: string | undefined
}

function object(id: string, marking: string): StixObject {
  const t = '2026-03-01T09:00:00.000Z'
  return {
    type: 'indicator',
    spec_version: '2.1',
    id,
    created: t,
    modified: t,
    name: 'Fuzz relay',
    pattern: "[ipv4-addr:value = '192.0.2.10']",
    pattern_type: 'stix',
    valid_from: t,
    object_marking_refs: [marking],
  } as StixObject
}

/** Two collections, two fictional partners with disjoint agreements, a principal of every role. */
export async function buildFuzzWorld(node: SluiceNode, url: string): Promise<FuzzWorld> {
  const { store, services } = node
  const a = await createCollection(store, { apiRoot: 'intel', title: 'Fuzz A', alias: 'fuzz-a' })
  const b = await createCollection(store, { apiRoot: 'intel', title: 'Fuzz B', alias: 'fuzz-b' })
  const allowed = Array.from({ length: 30 }, () => `indicator--${randomUUID()}`)
  const red = Array.from({ length: 10 }, () => `indicator--${randomUUID()}`)
  const inB = Array.from({ length: 20 }, () => `indicator--${randomUUID()}`)
  await store.putObjects(a.id, [
    ...allowed.map((id) => toIncoming(object(id, TLP2_MARKING_IDS.green))),
    ...red.map((id) => toIncoming(object(id, TLP2_MARKING_IDS.red))),
  ])
  await store.putObjects(
    b.id,
    inB.map((id) => toIncoming(object(id, TLP2_MARKING_IDS.green))),
  )
  await services.policy.addPartner({ id: 'fuzz-a', name: 'Fuzz Partner A (fictional)' }, 'fuzz')
  await services.policy.addPartner({ id: 'fuzz-b', name: 'Fuzz Partner B (fictional)' }, 'fuzz')
  await services.policy.putAgreement({ partner: 'fuzz-a', collections: [a.id], maxTlp: 'amber' }, 'fuzz')
  await services.policy.putAgreement({ partner: 'fuzz-b', collections: [b.id], maxTlp: 'amber' }, 'fuzz')
  const mk = async (
    name: string,
    role: 'admin' | 'partner' | 'analyst' | 'auditor' | 'officer',
    partnerId?: string,
  ) => (await createPrincipal(store, { name, role, ...(partnerId ? { partnerId } : {}) })).apiKey
  const revoked = await createPrincipal(store, { name: 'Revoked', role: 'admin' })
  await store.revokePrincipal(revoked.principal.id, new Date().toISOString())
  const keys = {
    admin: await mk('Fuzz admin', 'admin'),
    partnerA: await mk('Fuzz A node', 'partner', 'fuzz-a'),
    partnerB: await mk('Fuzz B node', 'partner', 'fuzz-b'),
    analyst: await mk('Fuzz analyst', 'analyst'),
    auditor: await mk('Fuzz auditor', 'auditor'),
    officer: await mk('Fuzz officer', 'officer'),
    revoked: revoked.apiKey,
  }
  // a real cursor and status to tamper with
  const page = await fetch(`${url}/intel/collections/${a.id}/objects/?limit=5`, {
    headers: { Accept: TAXII, Authorization: `Bearer ${keys.partnerA}` },
  })
  const cursorForA = ((await page.json()) as { next?: string }).next
  const posted = await fetch(`${url}/intel/collections/${a.id}/objects/`, {
    method: 'POST',
    headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: `Bearer ${keys.admin}` },
    body: JSON.stringify({ objects: [] }),
  })
  const statusId = ((await posted.json()) as { id?: string }).id ?? randomUUID()
  return {
    url,
    keys,
    collections: { a: a.id, b: b.id },
    allowedToA: allowed,
    deniedToA: [...red, ...inB],
    statusId,
    cursorForA,
  }
}

interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
  who: keyof FuzzWorld['keys'] | 'none'
}

export interface FuzzSummary {
  requests: number
  byStatus: Record<string, number>
  serverErrors: { request: string; status: number; body: string }[]
  transportErrors: { request: string; error: string }[]
  leaks: string[]
  healthyAfter: boolean
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!
}

/** A method the node does not know, answered as RFC 9110 §9.1 asks: not a failure of the node. */
function notImplemented(res: { status: number; body: string }): boolean {
  return res.status === 501 && res.body.includes('"error_code":"not-implemented"')
}

const METHODS = [
  'GET',
  'GET',
  'GET',
  'GET',
  'GET',
  'GET',
  'GET',
  'POST',
  'POST',
  'POST',
  'DELETE',
  'PUT',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'FOO',
]

function hostileSegment(rand: () => number, world: FuzzWorld): string {
  return pick(rand, [
    '..',
    '%2e%2e',
    '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    '%00',
    '%ZZ',
    '%',
    '%E0%A4%A',
    '%C0%AF',
    'a'.repeat(between(rand, 100, 20_000)),
    encodeURIComponent('∂ƒ©˙∆˚¬…æ'),
    '%F0%9F%92%A9',
    world.collections.b,
    world.collections.a,
    'fuzz-b',
    'fuzz-a',
    `indicator--${randomUUID()}`,
    pick(rand, world.deniedToA),
    pick(rand, world.allowedToA),
    randomUUID(),
    'partner:fuzz-b',
    'global',
    '__proto__',
    'constructor',
    '%2F',
    '',
    ' ',
    '\\..\\',
    "'; DROP TABLE objects; --",
    '$(id)',
    '{{7*7}}',
  ])
}

function templates(world: FuzzWorld): string[] {
  const a = world.collections.a
  return [
    '/taxii2/',
    '/intel/',
    '/intel/collections/',
    `/intel/collections/${a}/`,
    `/intel/collections/${a}/manifest/`,
    `/intel/collections/${a}/objects/`,
    `/intel/collections/${a}/objects/{x}/`,
    `/intel/collections/${a}/objects/{x}/versions/`,
    '/intel/collections/{x}/objects/',
    '/intel/collections/{x}/manifest/',
    `/intel/status/${world.statusId}/`,
    '/intel/status/{x}/',
    '/{x}/collections/',
    '/{x}/',
    '/admin/partners',
    '/admin/agreements',
    '/admin/orders',
    '/admin/orders/suspend',
    '/admin/orders/{x}/resume',
    '/admin/policy/explain',
    '/admin/policy/preview',
    '/admin/principals',
    '/admin/keys',
    '/admin/keys/{x}/revoke',
    '/admin/principals/{x}/keys/rotate',
    '/admin/principals/{x}/certificates',
    '/admin/certificates',
    '/admin/certificates/{x}/unbind',
    '/admin/approvals',
    '/admin/approvals/{x}/approve',
    '/ledger/key',
    '/ledger/logs',
    '/ledger/checkpoint',
    '/ledger/checkpoints',
    '/ledger/inclusion',
    '/ledger/consistency',
    '/ledger/entries',
    '/search/match',
    '/console-api/me',
    '/console-api/flows',
    '/console-api/partners/{x}',
    '/console-api/collections',
    '/console-api/markings',
    '/console-api/objects',
    '/console-api/objects/{x}',
    '/console-api/objects/{x}/graph',
    '/console-api/impact/suspend',
    '/console-api/impact/resume/{x}',
    '/console/{x}',
    '/healthz',
    '/healthz/{x}',
    '/metrics',
    '/{x}',
    '//{x}//{x}',
  ]
}

function hostileQuery(rand: () => number, world: FuzzWorld): string {
  const value = () =>
    pick(rand, [
      '-1',
      '0',
      '1e309',
      '99999999999999999999999',
      'NaN',
      '2026-13-45T99:99:99Z',
      '1970-01-01T00:00:00Z',
      encodeURIComponent(pick(rand, world.deniedToA)),
      'fuzz-b',
      'partner:fuzz-b',
      'global',
      '%ZZ',
      'a'.repeat(between(rand, 10, 5000)),
      encodeURIComponent("[ipv4-addr:value MATCHES '(a+)+$']"),
      encodeURIComponent("[ipv4-addr:value = '192.0.2.10'] REPEATS 99999 TIMES"),
      encodeURIComponent('['.repeat(2000)),
      world.collections.b,
      'first,last,all,2026-03-01T09:00:00.000Z',
      '',
    ])
  const names = [
    'limit',
    'added_after',
    'next',
    'match[id]',
    'match[type]',
    'match[version]',
    'match[spec_version]',
    'partner',
    'object',
    'modified',
    'at',
    'log',
    'size',
    'index',
    'from',
    'to',
    'start',
    'end',
    'pattern',
    'collection',
    'api_root',
    'cursor',
    'status',
    'principal',
    'all',
    'q',
    'type',
    'label',
    'marking',
  ]
  const parts: string[] = []
  for (let i = between(rand, 0, 6); i > 0; i--) parts.push(`${pick(rand, names)}=${value()}`)
  if (rand() < 0.15 && world.cursorForA) {
    const c = world.cursorForA
    const tampered =
      rand() < 0.5
        ? c.slice(0, -2) + (c.endsWith('A') ? 'BB' : 'AA')
        : Buffer.from(JSON.stringify({ seq: 0, c: world.collections.b })).toString('base64url')
    parts.push(`next=${encodeURIComponent(rand() < 0.3 ? c : tampered)}`)
  }
  if (rand() < 0.05) for (let i = 0; i < 500; i++) parts.push(`match[id]=x${i}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

function hostileBody(rand: () => number, world: FuzzWorld): Buffer {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
  const choice = between(rand, 0, 15)
  switch (choice) {
    case 0:
      return Buffer.from('{"objects": [')
    case 1:
      return Buffer.from(deep(between(rand, 50, 100_000)))
    case 2:
      return Buffer.from(
        `{"objects":[{"type":"indicator","id":"indicator--${randomUUID()}","spec_version":"2.1","created":1e400,"modified":-0}]}`,
      )
    case 3:
      return Buffer.from(JSON.stringify({ objects: [{ type: 'x'.repeat(between(rand, 1000, 300_000)) }] }))
    case 4:
      return Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])
    case 5:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"objects":[]}')])
    case 6:
      return Buffer.from(
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"objects":[{"__proto__":{}}]}',
      )
    case 7:
      return Buffer.from(
        JSON.stringify({
          objects: Array.from({ length: between(rand, 1, 3000) }, () => ({
            type: 'indicator',
            id: `indicator--${randomUUID()}`,
          })),
        }),
      )
    case 8:
      return Buffer.from(
        JSON.stringify({
          partner: 'fuzz-b',
          reason: 'x',
          collections: [world.collections.b],
          max_tlp: 'red',
          role: 'admin',
          name: 'x',
          overlap_seconds: 1e308,
          certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        }),
      )
    case 9:
      return Buffer.from(`{"a":${'1'.repeat(between(rand, 400, 100_000))}}`)
    case 10:
      return Buffer.from('null')
    case 11:
      return Buffer.from(
        `{"objects":[${JSON.stringify({ ...object(pick(rand, world.deniedToA), TLP2_MARKING_IDS.red), name: 'overwrite attempt' })}]}`,
      )
    case 12:
      return Buffer.from('{"a":1,"a":2,"objects":{}}')
    case 13:
      return Buffer.from('\u0000\u0001\u0002')
    case 14:
      return Buffer.from(`"${'\\ud800'.repeat(100)}"`)
    default:
      return Buffer.from(
        JSON.stringify({ objects: [object(`indicator--${randomUUID()}`, TLP2_MARKING_IDS.green)] }),
      )
  }
}

function generate(rand: () => number, world: FuzzWorld): FuzzRequest {
  const who = pick(rand, [
    'admin',
    'partnerA',
    'partnerA',
    'partnerA',
    'partnerB',
    'analyst',
    'auditor',
    'officer',
    'revoked',
    'none',
  ] as const)
  const template = pick(rand, templates(world))
  // mostly the method the endpoint answers, so requests get past routing into the handlers
  const natural = /suspend|resume|rotate|revoke|approve|unbind|certificates$|impact/.test(template)
    ? 'POST'
    : /objects\/$/.test(template) && rand() < 0.4
      ? 'POST'
      : 'GET'
  const method = rand() < 0.8 ? natural : pick(rand, METHODS)
  const path = template.replace(/\{x\}/g, () => hostileSegment(rand, world)) + hostileQuery(rand, world)
  const headers: Record<string, string> = {}
  const accept = pick(rand, [
    TAXII,
    TAXII,
    'application/json',
    '*/*',
    'application/taxii+json;version=9.9',
    'text/html',
    '',
    'application/taxii+json;version=2.1;q=0',
    'x'.repeat(4000),
  ])
  if (accept) headers.Accept = accept
  const key = who === 'none' ? undefined : world.keys[who]
  const auth = rand()
  if (key && auth < 0.8) headers.Authorization = `Bearer ${key}`
  else if (key && auth < 0.9) headers.Authorization = `Basic ${Buffer.from(`user:${key}`).toString('base64')}`
  else if (auth < 0.95)
    headers.Authorization = pick(rand, [
      'Bearer',
      'Basic !!!',
      'Basic ' + 'A'.repeat(8000),
      'Bearer sluice_0000000000000000_' + 'A'.repeat(43),
      'Digest x',
      'Bearer ' + key?.slice(0, -1),
    ])
  if (rand() < 0.1) headers['X-Forwarded-For'] = '127.0.0.1, ::1, evil'
  if (rand() < 0.05) headers['X-Request-Id'] = 'injected\u0000id'.replace('\u0000', '')
  if (rand() < 0.05) headers.Range = 'bytes=0-1,-1'
  let body: Buffer | undefined
  if (method === 'POST' || method === 'PUT' || method === 'PATCH' || rand() < 0.05) {
    body = hostileBody(rand, world)
    headers['Content-Type'] = pick(rand, [
      TAXII,
      TAXII,
      'application/json',
      'application/taxii+json',
      'text/plain',
      'multipart/form-data; boundary=x',
      '',
      'application/taxii+json;version=2.1;charset=latin1',
    ])
    if (!headers['Content-Type']) delete headers['Content-Type']
  }
  return { method, path, headers, who, ...(body ? { body } : {}) }
}

/** Raw HTTP/1.1 over a socket, for requests the HTTP client refuses to send (spaces and control bytes in the path). */
function sendRaw(url: string, r: FuzzRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const socket = connect(Number(target.port), target.hostname)
    const chunks: Buffer[] = []
    socket.setTimeout(30_000, () => socket.destroy(new Error('timeout')))
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)
      if (status === 0) reject(new Error(`no HTTP answer (${text.length} bytes)`))
      else resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
    const head = [
      `${r.method} ${r.path} HTTP/1.1`,
      `Host: ${target.host}`,
      'Connection: close',
      ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
    ]
    if (r.body) head.push(`Content-Length: ${r.body.length}`)
    // write without half-closing: a server that answers a malformed request needs the socket open to do it
    socket.write(
      Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), r.body ?? Buffer.alloc(0)]),
    )
  })
}

function send(url: string, r: FuzzRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: r.method,
        path: r.path,
        headers: { ...r.headers, Connection: 'close' },
        insecureHTTPParser: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }),
        )
        res.on('error', reject)
      },
    )
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(r.body)
  })
}

function describeRequest(r: FuzzRequest): string {
  return `${r.who} ${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, k === 'Authorization' ? '…' : v.slice(0, 60)])))} body=${r.body ? `${r.body.length}B ${r.body.subarray(0, 40).toString('latin1')}` : '-'}`
}

/** Sends `count` generated requests, `concurrency` at a time; deterministic for a seed. */
export async function runFuzzCampaign(
  node: SluiceNode,
  world: FuzzWorld,
  options: { count: number; seed?: number; concurrency?: number },
): Promise<FuzzSummary> {
  const rand = seeded(options.seed ?? 0x5eed)
  const summary: FuzzSummary = {
    requests: 0,
    byStatus: {},
    serverErrors: [],
    transportErrors: [],
    leaks: [],
    healthyAfter: false,
  }
  const denied = world.deniedToA
  let next = 0
  const worker = async () => {
    while (next < options.count) {
      next++
      const r = generate(rand, world)
      try {
        const res = /[^\x21-\x7e]/.test(r.path) ? await sendRaw(world.url, r) : await send(world.url, r)
        summary.requests++
        summary.byStatus[res.status] = (summary.byStatus[res.status] ?? 0) + 1
        if (res.status >= 500 && !notImplemented(res))
          summary.serverErrors.push({
            request: describeRequest(r),
            status: res.status,
            body: res.body.slice(0, 300),
          })
        if (r.who === 'partnerA' || r.who === 'partnerB') {
          const forbidden = r.who === 'partnerA' ? denied : world.allowedToA
          // an object (or a reference to it) appears as an "id" member; an error message may echo an id the client sent
          for (const id of forbidden)
            if (res.body.includes(`"id":"${id}"`))
              summary.leaks.push(`${r.who} received ${id} via ${describeRequest(r)}`)
        }
      } catch (error) {
        summary.requests++
        summary.transportErrors.push({ request: describeRequest(r), error: (error as Error).message })
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker))
  // the ledger must record nothing partner A's policy denies, and nothing of B's in A's log
  const log = partnerLogId('fuzz-a')
  const head = await node.store.ledgerHead(log)
  const deniedSet = new Set(denied)
  for (const leaf of await node.store.ledgerLeaves(log, 0, head.size)) {
    const entry = decodeEntry(leaf.bytes)
    if (entry.kind === 'disclosure' && deniedSet.has(entry.objectId))
      summary.leaks.push(`the ledger records disclosing ${entry.objectId} to fuzz-a`)
  }
  const health = await fetch(`${world.url}/healthz`).catch(() => undefined)
  summary.healthyAfter = health?.status === 200
  return summary
}
