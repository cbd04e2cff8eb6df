import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  buildDemoWorld,
  DEMO_CAVEATS,
  DEMO_COLLECTIONS,
  DEMO_PARTNERS,
  DEMO_STORY,
  type DemoWorldEntry,
  HOME_IDENTITY_ID,
  isTlpMarkingId,
  TLP_MARKING_IDS,
} from '../../src/demo/world.js'
import { admiraltyCode, gradingOf } from '../../src/policy/grading.js'
import type { StixObject } from '../../src/stix/object.js'
import { validatePattern } from '../../src/stix/pattern/validate.js'
import { validateObject } from '../../src/stix/validate.js'

const world = buildDemoWorld()
const objects = world.map((e) => e.object)
const ids = new Set(objects.map((o) => o.id))
const ID =
  /^([a-z][a-z0-9-]*[a-z0-9])--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
const SCO_TYPES = new Set(['ipv4-addr', 'domain-name', 'email-addr', 'x-sluice-bank-account'])

/** Every `*_ref` / `*_refs` value in an object, at any depth. */
function refsOf(value: unknown, key = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => refsOf(v, key))
  if (typeof value === 'string') return key.endsWith('_ref') || key.endsWith('_refs') ? [value] : []
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => refsOf(v, k))
  }
  return []
}

/** Every string in an object, at any depth. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(stringsOf)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf)
  return []
}

function markingRefs(o: StixObject): string[] {
  return [...(o.object_marking_refs ?? []), ...(o.granular_markings ?? []).map((g) => g.marking_ref ?? '')]
}

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('demo world', () => {
  it('is byte-identical from run to run, whatever the clock and Math.random say', () => {
    const first = JSON.stringify(buildDemoWorld())
    vi.useFakeTimers({ now: new Date('1999-12-31T23:59:59Z') })
    vi.spyOn(Math, 'random').mockReturnValue(0.123)
    expect(JSON.stringify(buildDemoWorld())).toBe(first)
    expect(JSON.stringify(world)).toBe(first)
  })

  it('has a few hundred objects in the three collections', () => {
    expect(world.length).toBeGreaterThanOrEqual(300)
    expect(world.length).toBeLessThanOrEqual(500)
    const aliases = new Set(DEMO_COLLECTIONS.map((c) => c.alias))
    expect([...aliases].sort()).toEqual(['financial-flows', 'maritime-routes', 'networks'])
    for (const alias of aliases)
      expect(world.filter((e) => e.collection === alias).length).toBeGreaterThan(50)
    for (const entry of world) expect(aliases.has(entry.collection)).toBe(true)
  })

  it('contains the object types DEMO.md promises', () => {
    const types = new Set(objects.map((o) => o.type))
    for (const type of [
      'identity',
      'marking-definition',
      'intrusion-set',
      'threat-actor',
      'relationship',
      'report',
      'location',
      'infrastructure',
      'observed-data',
      'sighting',
      'indicator',
      'ipv4-addr',
      'domain-name',
      'x-sluice-bank-account',
    ]) {
      expect(types, type).toContain(type)
    }
    const names = new Set(objects.map((o) => o.name))
    for (const name of ['Red Heron network', 'Blue Marlin cell', 'Saltpan brokers'])
      expect(names).toContain(name)
    expect(objects.filter((o) => o.type === 'indicator').map((o) => o.pattern)).toEqual(
      expect.arrayContaining([
        "[ipv4-addr:value = '198.51.100.7']",
        "[email-addr:value = 'broker@example.org']",
      ]),
    )
  })

  it('gives every object a well-formed id, spec_version 2.1 and ordered timestamps', () => {
    for (const o of objects) {
      expect(o.id, o.id).toMatch(ID)
      expect(o.id.startsWith(`${o.type}--`), o.id).toBe(true)
      expect(o.spec_version).toBe('2.1')
      if (SCO_TYPES.has(o.type)) continue
      expect(o.created, o.id).toMatch(TIMESTAMP)
      if (o.type !== 'marking-definition') {
        expect(o.modified, o.id).toMatch(TIMESTAMP)
        expect(Date.parse(o.created!) <= Date.parse(o.modified!), o.id).toBe(true)
      }
      for (const [a, b] of [
        ['first_observed', 'last_observed'],
        ['first_seen', 'last_seen'],
      ] as const) {
        if (o[a] !== undefined && o[b] !== undefined)
          expect(Date.parse(o[a] as string) <= Date.parse(o[b] as string)).toBe(true)
      }
    }
  })

  it('keeps versions apart by modified, and ids unique per version', () => {
    const versions = new Map<string, string[]>()
    for (const e of world) {
      if (e.object.modified === undefined) continue
      const key = `${e.collection} ${e.object.id}`
      versions.set(key, [...(versions.get(key) ?? []), e.object.modified])
    }
    let multi = 0
    for (const [key, list] of versions) {
      expect(new Set(list).size, key).toBe(list.length)
      if (list.length > 1) multi++
    }
    expect(multi).toBeGreaterThanOrEqual(5)
  })

  it('resolves every reference within the world, to an object of a sensible type', () => {
    for (const o of objects) {
      for (const ref of refsOf(o)) {
        if (isTlpMarkingId(ref)) continue
        expect(ids.has(ref), `${o.id} -> ${ref}`).toBe(true)
      }
    }
    const typeOf = (id: unknown) => String(id).split('--')[0]
    for (const o of objects) {
      if (o.created_by_ref !== undefined) expect(typeOf(o.created_by_ref)).toBe('identity')
      if (o.type === 'sighting') {
        for (const r of o.where_sighted_refs as string[])
          expect(['identity', 'location']).toContain(typeOf(r))
        for (const r of o.observed_data_refs as string[]) expect(typeOf(r)).toBe('observed-data')
      }
      if (o.type === 'observed-data') {
        for (const r of o.object_refs as string[]) expect(SCO_TYPES.has(typeOf(r)!), r).toBe(true)
      }
    }
  })

  it('marks with TLP 2.0 ids or marking-definitions of the world only, across all five levels', () => {
    const used = new Set<string>()
    for (const o of objects) {
      for (const ref of markingRefs(o)) {
        used.add(ref)
        expect(isTlpMarkingId(ref) || (ids.has(ref) && ref.startsWith('marking-definition--')), ref).toBe(
          true,
        )
      }
    }
    for (const id of Object.values(TLP_MARKING_IDS)) expect(used).toContain(id)
    for (const id of Object.values(DEMO_CAVEATS)) expect(used).toContain(id)
    const granular = objects.filter((o) =>
      o.granular_markings?.some((g) => g.marking_ref === TLP_MARKING_IDS.red),
    )
    expect(granular.some((o) => o.object_marking_refs?.includes(TLP_MARKING_IDS.green))).toBe(true)
    for (const o of objects) {
      if (o.type === 'marking-definition') expect(o.definition_type).toBe('statement')
    }
  })

  it('grades networks, actors and reports with an Admiralty code', () => {
    for (const o of objects.filter((o) => ['intrusion-set', 'threat-actor', 'report'].includes(o.type))) {
      expect(admiraltyCode(gradingOf(o)), o.id).toMatch(/^[A-F][1-6]$/)
    }
  })

  it('uses documentation IP addresses and example.* domains only', () => {
    const DOC_IP = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/
    for (const s of objects.flatMap(stringsOf)) {
      for (const ip of s.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? []) expect(ip).toMatch(DOC_IP)
      for (const host of s.match(/[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|info|gov|int)\b/gi) ?? []) {
        expect(host, s).toMatch(/(^|\.)example\.(com|net|org)$/)
      }
    }
    for (const o of objects) {
      if (o.type === 'ipv4-addr') expect(o.value).toMatch(DOC_IP)
      if (o.type === 'domain-name') expect(o.value).toMatch(/(^|\.)example\.(com|net|org)$/)
      if (o.type === 'email-addr') expect(o.value).toMatch(/@example\.(com|net|org)$/)
    }
  })

  it('places every location in open ocean, inside the demo boxes', () => {
    const boxes = [
      [-34, -26, -28, -18],
      [6, 14, -150, -140],
      [-18, -10, -128, -120],
    ]
    for (const o of objects.filter((o) => o.type === 'location')) {
      const lat = o.latitude as number
      const lon = o.longitude as number
      expect(
        boxes.some(([a, b, c, d]) => lat >= a! && lat <= b! && lon >= c! && lon <= d!),
        `${o.name}`,
      ).toBe(true)
    }
  })

  it('validates every object with zero issues (src/stix/validate.ts)', () => {
    const patternChecker = (pattern: string) => validatePattern(pattern)?.message
    const failures = world
      .map((e: DemoWorldEntry) => ({ id: e.object.id, issues: validateObject(e.object, { patternChecker }) }))
      .filter((r) => r.issues.length > 0)
    expect(failures).toEqual([])
  })
})

describe('demo partners, collections and story', () => {
  it('describes the four partners of DEMO.md with agreements on known collections and caveats', () => {
    expect(DEMO_PARTNERS.map((p) => p.name)).toEqual([
      'Northland Drug Enforcement Bureau',
      'Isles Coast Guard',
      'Southern Customs Service',
      'Interregional Maritime Analysis Centre',
    ])
    const aliases = new Set<string>(DEMO_COLLECTIONS.map((c) => c.alias))
    for (const p of DEMO_PARTNERS) {
      expect(ids.has(p.identityId)).toBe(true)
      const { collections, caveats } = p.agreement
      if (collections !== '*') for (const c of collections) expect(aliases.has(c)).toBe(true)
      for (const c of caveats) expect(DEMO_CAVEATS[c]).toBeDefined()
    }
    expect(ids.has(HOME_IDENTITY_ID)).toBe(true)
    const northland = DEMO_PARTNERS.find((p) => p.key === 'northland')!
    expect(northland.agreement).toMatchObject({ maxTlp: 'amber', caveats: ['H0', 'IEP_INTERNAL'] })
    expect(DEMO_PARTNERS.find((p) => p.key === 'imac')!.agreement).toMatchObject({
      collections: '*',
      maxTlp: 'amber+strict',
    })
  })

  it('has fixed collection ids', () => {
    for (const c of DEMO_COLLECTIONS)
      expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(DEMO_COLLECTIONS.map((c) => c.id)).size).toBe(3)
  })

  it('tells the story in order: suspend Northland, narrow Isles, resume Northland', () => {
    const instants = DEMO_STORY.map((s) => Date.parse(s.at))
    expect([...instants].sort((a, b) => a - b)).toEqual(instants)
    const orders = DEMO_STORY.filter((s) => s.order !== undefined).map((s) => s.order!)
    expect(orders.map((o) => [o.action, o.partner])).toEqual([
      ['suspend', 'northland'],
      ['suspend', 'isles'],
      ['resume', 'northland'],
    ])
    expect(orders[0]!.reason).toBe('ministerial order pending review')
    expect(orders[1]).toMatchObject({ collections: ['maritime-routes'], aboveTlp: 'clear' })
    expect(DEMO_STORY.find((s) => s.step === orders[2]!.lifts)?.order?.partner).toBe('northland')
  })
})
