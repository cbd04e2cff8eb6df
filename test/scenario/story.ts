/**
 * The suspension story of shared/DEMO.md, driven over HTTP against a node seeded with the fictional demo world
 * (src/demo/seed.ts). Shared by the policy scenario (suspension-story.test.ts) and the ledger scenario
 * (ledger-story.test.ts): A = Northland Drug Enforcement Bureau (suspended entirely), B = Isles Coast Guard
 * (narrowed to maritime-routes at TLP:CLEAR), C = Southern Customs Service and the Interregional Maritime
 * Analysis Centre (unaffected).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { DEMO_COLLECTIONS } from '../../src/demo/world.js'
import { type Answer as BaseAnswer, readAnswer } from '../helpers/answer.js'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'

export const A = 'northland'
export const B = 'isles'
export const C = 'southern'
export const D = 'imac'
export type StoryPartner = typeof A | typeof B | typeof C | typeof D

export const COLLECTION = Object.fromEntries(DEMO_COLLECTIONS.map((c) => [c.alias, c.id])) as Record<
  'networks' | 'maritime-routes' | 'financial-flows',
  string
>
export const MISSING_COLLECTION = '00000000-0000-4000-8000-00000000beef'

export interface Story {
  t: TestNode
  /** The demo's admin key (the duty officer) and one key per partner. */
  admin: string
  keys: Record<StoryPartner, string>
  dataDir?: string
}

/**
 * The demo node with its four partners. With `sqliteDir`, the node keeps SQLite in that directory (the caller's
 * to remove) whatever store the suite names, so the CLI's `--data sqliteDir` opens the node's own store.
 */
export async function startStory(sqliteDir?: string): Promise<Story> {
  const shm =
    sqliteDir === undefined && existsSync('/dev/shm')
      ? mkdtempSync(join('/dev/shm', 'sluice-story-'))
      : undefined
  const t = await startTestNode(
    sqliteDir !== undefined
      ? { dataDir: sqliteDir, db: join(sqliteDir, 'sluice.db') }
      : shm
        ? { dataDir: shm }
        : {},
  )
  const seeded = await seedDemo(t.node.services)
  const keys = Object.fromEntries(seeded.partnerKeys.map((k) => [k.partner, k.key])) as Record<
    StoryPartner,
    string
  >
  expect(Object.keys(keys).sort()).toEqual([A, B, C, D].sort())
  return { t, admin: seeded.adminKey, keys, ...(shm ? { dataDir: shm } : {}) }
}

export async function stopStory(s: Story | undefined): Promise<void> {
  if (!s) return
  await s.t.stop()
  if (s.dataDir) rmSync(s.dataDir, { recursive: true, force: true })
}

export interface Answer extends BaseAnswer {
  /** When the request was sent and when its answer was complete. */
  sentAt: string
  doneAt: string
}

export async function get(s: Story, path: string, key: string, accept = TAXII): Promise<Answer> {
  const sentAt = new Date().toISOString()
  const res = await fetch(`${s.t.url}${path}`, {
    headers: { Accept: accept, Authorization: `Bearer ${key}` },
  })
  return { ...(await readAnswer(res)), sentAt, doneAt: new Date().toISOString() }
}

export async function adminPost(
  s: Story,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any; before: string; after: string }> {
  const before = new Date().toISOString()
  const res = await fetch(`${s.t.url}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Authorization: `Bearer ${s.admin}`,
    },
    body: JSON.stringify(body),
  })
  const json = await res.json()
  return { status: res.status, body: json, before, after: new Date().toISOString() }
}

/** What one partner pulls: the collections it is listed, and every object of each (latest versions), page by page. */
export interface Pull {
  collections: string[]
  objects: Map<string, any[]>
  /** Every envelope body received, as text (what a recipient would keep). */
  envelopes: string[]
  startedAt: string
  endedAt: string
}

export async function pull(s: Story, who: StoryPartner, limit = 100): Promise<Pull> {
  const key = s.keys[who]
  const startedAt = new Date().toISOString()
  const listing = await get(s, '/intel/collections/', key)
  expect(listing.status).toBe(200)
  const collections = ((listing.body.collections ?? []) as any[]).map((c) => c.id as string).sort()
  const objects = new Map<string, any[]>()
  const envelopes: string[] = []
  for (const c of collections) {
    const all: any[] = []
    let next: string | undefined
    for (;;) {
      const a = await get(
        s,
        `/intel/collections/${c}/objects/?limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`,
        key,
      )
      expect(a.status, `${who} reads ${c}: ${a.text.slice(0, 200)}`).toBe(200)
      envelopes.push(a.text)
      all.push(...(a.body.objects ?? []))
      if (!a.body.more) break
      next = a.body.next
    }
    objects.set(c, all)
  }
  return { collections, objects, envelopes, startedAt, endedAt: new Date().toISOString() }
}

export const versionsOf = (p: Pull): string[] =>
  [...p.objects.entries()].flatMap(([c, list]) => list.map((o) => `${c} ${o.id} ${o.modified ?? ''}`)).sort()

export const countOf = (p: Pull): number => [...p.objects.values()].reduce((n, l) => n + l.length, 0)

export async function suspend(s: Story, body: Record<string, unknown>) {
  const r = await adminPost(s, '/admin/orders/suspend', body)
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r
}

export async function resume(s: Story, orderId: string, reason: string) {
  const r = await adminPost(s, `/admin/orders/${encodeURIComponent(orderId)}/resume`, { reason })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r
}
