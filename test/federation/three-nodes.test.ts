/**
 * Three Sluice nodes as separate processes with their own data directories, on loopback:
 *
 *   alpha ──feed──▶ bravo ──feed──▶ charlie
 *     └─────────────feed───────────────▲
 *
 * Runs the built CLI (`npm test` builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { federationContext } from '../../src/federation/context.js'
import { defineFeed } from '../../src/federation/definitions.js'
import { createServices } from '../../src/server/services.js'
import { ensureDefaultApiRoot } from '../../src/services/api-roots.js'
import { createCollection } from '../../src/services/collections.js'
import { createPrincipal } from '../../src/services/principals.js'
import { openStore } from '../../src/store/open.js'
import { CLI, runCli } from '../cli/run-cli.js'
import { TAXII } from '../helpers/node.js'
import { ind } from './helpers.js'

const NAMES = ['alpha', 'bravo', 'charlie'] as const
type Name = (typeof NAMES)[number]
const EVERY = 500

interface Proc {
  name: Name
  dir: string
  port: number
  url: string
  adminKey: string
  collection: string
  child?: ChildProcess
}

const nodes = {} as Record<Name, Proc>

/**
 * A port that is free now, below the kernel's ephemeral range (32768 and up on Linux): the nodes start a
 * while after their ports are chosen (their feeds name them), and a port taken from the ephemeral range
 * could meanwhile be handed to any other test that listens on port 0.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const server = createServer()
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (!bound) continue
    await new Promise<void>((resolve) => server.close(() => resolve()))
    return port
  }
}

const env = (p: Proc) => ({ SLUICE_DATA: p.dir, SLUICE_ORIGIN: `${p.name}.sluice.test`, SLUICE_DB: '' })

async function start(p: Proc): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(p.port), '--data', p.dir], {
    env: { ...process.env, SLUICE_ORIGIN: `${p.name}.sluice.test` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  p.child = child
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${p.name} did not start: ${out}`)), 15_000)
    child.stdout!.on('data', (d) => {
      out += d
      if (/serving TAXII 2\.1 at (\S+)/.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr!.on('data', (d) => (out += d))
    child.once('exit', (code) => reject(new Error(`${p.name} exited ${code}: ${out}`)))
  })
}

function kill9(p: Proc): Promise<void> {
  return new Promise((resolve) => {
    p.child!.once('exit', () => resolve())
    p.child!.kill('SIGKILL')
  })
}

const auth = (key: string) => ({ Authorization: `Bearer ${key}`, Accept: TAXII })

/** Every version (id|modified) in a node's collection, read through TAXII with its admin key. */
async function held(p: Proc): Promise<string[]> {
  const out: string[] = []
  let next: string | undefined
  do {
    const q = new URLSearchParams({ 'match[version]': 'all', limit: '1000', ...(next ? { next } : {}) })
    const res = await fetch(`${p.url}/intel/collections/${p.collection}/objects/?${q}`, {
      headers: auth(p.adminKey),
    })
    const body = (await res.json()) as {
      objects?: { id: string; modified: string }[]
      more: boolean
      next?: string
    }
    for (const o of body.objects ?? []) out.push(`${o.id}|${o.modified}`)
    next = body.more ? body.next : undefined
  } while (next)
  return out
}

async function post(p: Proc, objects: unknown[]): Promise<void> {
  for (let at = 0; at < objects.length; at += 500) {
    const res = await fetch(`${p.url}/intel/collections/${p.collection}/objects/`, {
      method: 'POST',
      headers: { ...auth(p.adminKey), 'Content-Type': TAXII },
      body: JSON.stringify({ objects: objects.slice(at, at + 500) }),
    })
    expect(res.status).toBe(202)
  }
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  stepMs = 50,
): Promise<void> {
  const t0 = Date.now()
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, stepMs))
  }
}

const has = (list: string[], ids: string[]) => ids.every((id) => list.some((v) => v.startsWith(`${id}|`)))
const range = (from: number, n: number, tlp: 'green' | 'amber' = 'green') =>
  Array.from({ length: n }, (_, i) => ind(from + i, tlp))

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run "npm run build" (npm test does it)')
  for (const name of NAMES) {
    const port = await freePort()
    nodes[name] = {
      name,
      dir: mkdtempSync(join(tmpdir(), `sluice-${name}-`)),
      port,
      url: `http://127.0.0.1:${port}`,
      adminKey: '',
      collection: '',
    }
  }
  // configure each data directory before its node starts (the same store the CLI would write)
  const partnerKeys: Record<string, string> = {}
  const open = async (p: Proc) => {
    const store = await openStore(undefined, p.dir)
    await ensureDefaultApiRoot(store)
    return {
      store,
      services: await createServices(store, {
        dataDir: p.dir,
        origin: `${p.name}.sluice.test`,
        createKey: true,
      }),
    }
  }
  for (const p of Object.values(nodes)) {
    const { store, services } = await open(p)
    p.collection = (
      await createCollection(store, { apiRoot: 'intel', title: `${p.name} shared`, alias: 'shared' })
    ).id
    p.adminKey = (await createPrincipal(store, { name: 'admin', role: 'admin' })).apiKey
    for (const other of NAMES.filter((n) => n !== p.name)) {
      await services.policy.addPartner(
        { id: other, name: `${other} police (fictional)`, kind: 'police' },
        'test',
      )
      // bravo passes GREEN on to charlie; alpha shares up to AMBER with both
      await services.policy.putAgreement(
        { partner: other, collections: [p.collection], maxTlp: p.name === 'alpha' ? 'amber' : 'green' },
        'test',
      )
      partnerKeys[`${p.name}>${other}`] = (
        await createPrincipal(store, { name: `${other} node`, role: 'partner', partnerId: other })
      ).apiKey
    }
    await store.close()
  }
  const feeds: [Name, Name][] = [
    ['alpha', 'bravo'],
    ['alpha', 'charlie'],
    ['bravo', 'charlie'],
  ]
  for (const [from, into] of feeds) {
    const { store, services } = await open(nodes[into])
    const ctx = federationContext(services)
    await defineFeed(
      ctx,
      {
        id: `from-${from}`,
        url: `${nodes[from].url}/intel/`,
        collection: nodes[from].collection,
        key: partnerKeys[`${from}>${into}`]!,
        into: nodes[into].collection,
        partner: from,
        every: `${EVERY}ms`,
        pageSize: 100,
      },
      'test',
    )
    await store.close()
  }
  await Promise.all(Object.values(nodes).map(start))
}, 60_000)

afterAll(async () => {
  for (const p of Object.values(nodes)) {
    if (p.child && p.child.exitCode === null) await kill9(p)
    rmSync(p.dir, { recursive: true, force: true })
  }
})

describe('three nodes, three processes', () => {
  it('exchange data: alpha reaches bravo and charlie; charlie stores what came twice once', async () => {
    const objects = range(1, 200)
    await post(nodes.alpha, objects)
    const ids = objects.map((o) => o.id)
    await until(
      "bravo and charlie to hold alpha's objects",
      async () => has(await held(nodes.bravo), ids) && has(await held(nodes.charlie), ids),
    )
    // charlie also hears them from bravo (GREEN may be passed on): stored once, both origins recorded
    await until('charlie to hear them from bravo too', async () => {
      const res = await fetch(`${nodes.charlie.url}/federation/provenance?object=${ids[0]}`, {
        headers: { Authorization: `Bearer ${nodes.charlie.adminKey}` },
      })
      const records = (await res.json()) as { partnerId: string }[]
      return records.some((r) => r.partnerId === 'bravo')
    })
    const charlie = await held(nodes.charlie)
    expect(charlie).toHaveLength(new Set(charlie).size)
    expect(charlie).toHaveLength(200)
    // and nothing went back to alpha
    expect(await held(nodes.alpha)).toHaveLength(200)
  })

  it('loses nothing when a node is killed (-9) mid-sync and restarted', async () => {
    const objects = range(1000, 3000)
    await post(nodes.alpha, objects)
    let seen = 0
    await until(
      'bravo to be part-way through',
      async () => {
        seen = (await held(nodes.bravo)).length - 200
        return seen > 0
      },
      20_000,
      10,
    )
    await kill9(nodes.bravo)
    expect(seen).toBeLessThan(3000)
    await start(nodes.bravo)
    const ids = objects.map((o) => o.id)
    await until(
      'bravo to catch up after the restart',
      async () => has(await held(nodes.bravo), ids),
      60_000,
      200,
    )
    const alpha = (await held(nodes.alpha)).sort()
    const bravo = (await held(nodes.bravo)).sort()
    expect(bravo).toEqual(alpha)
    const res = await fetch(`${nodes.bravo.url}/federation/feeds`, {
      headers: { Authorization: `Bearer ${nodes.bravo.adminKey}` },
    })
    const [feed] = (await res.json()) as { health: { status: string }; ledger: { status: string } }[]
    expect(feed!.health.status).toBe('ok')
    expect(feed!.ledger.status).toBe('consistent')
  }, 90_000)

  it('a suspension on alpha stops the flow to charlie within one poll interval while bravo continues', async () => {
    const suspended = await runCli(
      ['suspend', 'charlie', '--reason', 'inquiry (fictional)', '--issuer', 'test'],
      { env: env(nodes.alpha) },
    )
    expect(suspended.code).toBe(0)
    const orderId = suspended.stdout.split('\n')[0]!
    // AMBER: bravo may not pass these on, so charlie could only get them from alpha
    const objects = range(5000, 40, 'amber')
    const ids = objects.map((o) => o.id)
    await post(nodes.alpha, objects)
    // the flow to bravo goes on; how fast is the federation bench's to say, not a test's
    await until('bravo to receive them', async () => has(await held(nodes.bravo), ids))
    await new Promise((r) => setTimeout(r, EVERY * 2))
    expect((await held(nodes.charlie)).filter((v) => ids.some((id) => v.startsWith(id)))).toEqual([])
    const resumed = await runCli(['resume', orderId, '--reason', 'inquiry closed', '--issuer', 'test'], {
      env: env(nodes.alpha),
    })
    expect(resumed.code).toBe(0)
    // charlie's cursor only moves past what it received, so once the order is lifted its next poll gets them
    await until(
      'charlie to receive them after the order is lifted',
      async () => has(await held(nodes.charlie), ids),
      10_000,
    )
  }, 60_000)
})
