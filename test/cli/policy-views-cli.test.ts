import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

/*
 * `sluice policy explain | preview | history` as an officer reads them: every stored version explained, the
 * node as it was at a past instant, counts that add up, and order history in the order of its first column.
 */

let dir: string
let env: Record<string, string>
const T0 = '2026-01-05T08:00:00.000Z'
const T1 = '2026-02-05T08:00:00.000Z'
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
const set = (id: string, name: string, marking: string, modified = T0) => ({
  type: 'intrusion-set',
  spec_version: '2.1',
  id,
  created: T0,
  modified,
  name,
  object_marking_refs: [marking],
})
const SHARED = 'intrusion-set--1f6a3c2e-4b5d-4e7f-8a9b-0c1d2e3f4a51'
const HIDDEN_A = 'intrusion-set--2a7b4d3f-5c6e-4f80-9bac-1d2e3f4a5b62'
const HIDDEN_B = 'intrusion-set--3b8c5e40-6d7f-4091-acbd-2e3f4a5b6c73'
/** Stored by the second import only. */
const LATER = 'intrusion-set--5dae7062-8f91-42b3-8edf-4a5b6c7d8e95'
const LINK = {
  type: 'relationship',
  spec_version: '2.1',
  id: 'relationship--4c9d6f51-7e80-41a2-bdce-3f4a5b6c7d84',
  created: T0,
  modified: T0,
  relationship_type: 'related-to',
  source_ref: HIDDEN_A,
  target_ref: HIDDEN_B,
  object_marking_refs: [GREEN],
}
/** Set between the two imports: the node then held only the first version of SHARED. */
let between: string
const run = (...args: string[]) => runCli(args, { env })
const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

async function importObjects(name: string, objects: unknown[]): Promise<void> {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify({ type: 'bundle', id: `bundle--${crypto.randomUUID()}`, objects }))
  expect((await run('import', file, '--collection', 'networks')).code).toBe(0)
}

beforeAll(async () => {
  dir = await newNodeDir('sluice-policy-views-cli-')
  env = { SLUICE_DATA: dir, SLUICE_ISSUER: 'duty officer Vale' }
  await run('collections', 'create', '--title', 'Networks', '--alias', 'networks')
  await run('partners', 'add', '--id', 'harbour', '--name', 'Harbour Police', '--kind', 'police')
  await run('agreements', 'add', '--partner', 'harbour', '--collections', 'networks', '--max-tlp', 'green')
  await importObjects('first.json', [
    set(SHARED, 'Saltpan brokers', GREEN),
    set(HIDDEN_A, 'Amber cell', AMBER),
    set(HIDDEN_B, 'Amber ring', AMBER),
    LINK,
  ])
  await tick()
  between = new Date().toISOString()
  await tick()
  await importObjects('second.json', [
    set(SHARED, 'Saltpan brokers (renamed)', GREEN, T1),
    set(LATER, 'Tidewater couriers', GREEN),
  ])
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface ExplainedVersion {
  collectionId: string
  version?: string
  dateAdded: string
  existed: boolean
  decision: { effect: string }
  text: string
}

const explainJson = async (...extra: string[]): Promise<ExplainedVersion[]> =>
  JSON.parse(
    (await run('policy', 'explain', '--partner', 'harbour', '--object', SHARED, '--json', ...extra)).stdout,
  )

describe('sluice policy preview', () => {
  it('counts each withheld object once, under its first reason, so the counts add up', async () => {
    const preview = JSON.parse((await run('policy', 'preview', '--partner', 'harbour', '--json')).stdout)
    // the relationship is withheld for both its ends; it is still one object
    expect(preview).toMatchObject({ total: 5, allowed: 2, redacted: 0, denied: 3 })
    const byReason = Object.values(preview.deniedByReason as Record<string, number>)
    expect(byReason.reduce((a, b) => a + b, 0)).toBe(preview.denied)
    expect(preview.deniedByReason[`endpoint:${HIDDEN_A}`]).toBe(1)
    expect(preview.deniedByReason[`endpoint:${HIDDEN_B}`]).toBeUndefined()
    const text = (await run('policy', 'preview', '--partner', 'harbour')).stdout
    const kinds = [...text.matchAll(/^ {4}[\w-]+: (\d+)$/gm)].map((m) => Number(m[1]))
    expect(kinds.reduce((a, b) => a + b, 0)).toBe(3)
  })
})

describe('options an action does not take', () => {
  it.each([
    [
      ['history', '--at', '2026-01-01T00:00:00Z'],
      '--at does not apply to "history" for "policy"; run "sluice policy --help"',
    ],
    [
      ['history', '--object', SHARED],
      '--object does not apply to "history" for "policy"; run "sluice policy --help"',
    ],
    [
      ['preview', '--partner', 'harbour', '--object', SHARED],
      '--object does not apply to "preview" for "policy"; run "sluice policy --help"',
    ],
  ])('policy %j is a usage error', async (args, message) => {
    const result = await run('policy', ...args)
    expect([result.code, result.stderr.trim()]).toEqual([2, `sluice: ${message}`])
  })
})

describe('sluice policy preview --at', () => {
  it('counts the objects the node held at that instant, not those stored since', async () => {
    const at = async (instant: string) =>
      JSON.parse((await run('policy', 'preview', '--partner', 'harbour', '--json', '--at', instant)).stdout)
    expect(await at(between)).toMatchObject({ total: 4, allowed: 1, denied: 3 })
    expect(await at('2020-01-01T00:00:00Z')).toMatchObject({ total: 0, allowed: 0, denied: 0 })
  })
})

describe('sluice policy explain', () => {
  it('explains every stored version, newest first, in the text and in --json alike', async () => {
    const json = await explainJson()
    expect(json.map((e) => e.version)).toEqual([T1, T0])
    expect(json.every((e) => e.existed && e.decision.effect === 'allow')).toBe(true)
    const text = (await run('policy', 'explain', '--partner', 'harbour', '--object', SHARED)).stdout
    const blocks = text.trimEnd().split('\n\n')
    expect(blocks).toHaveLength(2)
    expect(blocks[0]).toContain(`version ${T1}`)
    expect(blocks[1]).toContain(`version ${T0}`)
    expect(blocks.every((b) => b.includes('is SHARED with'))).toBe(true)
  })

  it('refuses an object that is not a STIX identifier as a usage error, and one not stored as a failure', async () => {
    const garbage = await run('policy', 'explain', '--partner', 'harbour', '--object', 'garbage')
    expect([garbage.code, garbage.stderr.trim()]).toEqual([
      2,
      'sluice: --object must be a STIX identifier such as indicator--<uuid>',
    ])
    const absent = await run(
      'policy',
      'explain',
      '--partner',
      'harbour',
      '--object',
      SHARED.replace('1f6a', '9f6a'),
    )
    expect(absent.code).toBe(1)
    expect(absent.stderr).toContain('is stored on this node')
  })

  it('at a past instant, says which versions the node did not hold yet', async () => {
    const json = await explainJson('--at', between)
    expect(json.map((e) => [e.version, e.existed])).toEqual([
      [T1, false],
      [T0, true],
    ])
    expect(Date.parse(json[0]!.dateAdded)).toBeGreaterThan(Date.parse(between))
    const text = (await run('policy', 'explain', '--partner', 'harbour', '--object', SHARED, '--at', between))
      .stdout
    const [later, then] = text.trimEnd().split('\n\n')
    expect(later).toMatch(/did not exist yet/)
    expect(then).not.toMatch(/did not exist yet/)
    expect(then).toContain('is SHARED with')
  })
})

describe('sluice policy history', () => {
  let lifted: string
  let liftedBy: string
  let backdated: string

  beforeAll(async () => {
    lifted = (await run('suspend', 'harbour', '--reason', 'audit pending')).stdout.split('\n')[0]!
    liftedBy = (
      await run('resume', lifted, '--reason', 'audit ends', '--at', '2099-01-01T00:00:00Z')
    ).stdout.split('\n')[0]!
    await tick()
    // recorded after the others, in force before them
    backdated = (
      await run(
        'suspend',
        'harbour',
        '--reason',
        'court order',
        '--collection',
        'networks',
        '--at',
        '2026-01-01T00:00:00Z',
      )
    ).stdout.split('\n')[0]!
  }, 60_000)

  const heads = async () =>
    (await run('policy', 'history', '--partner', 'harbour')).stdout
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith(' '))

  it('shows a suspension whose lifting is scheduled as in force until then, and marks the lifting scheduled', async () => {
    const lines = await heads()
    const suspension = lines.find((l) => l.endsWith(lifted))!
    expect(suspension).not.toMatch(/lifted by/)
    expect(suspension).toContain(
      `[active, until 2099-01-01T00:00:00.000Z when ${liftedBy} lifts it (scheduled)]`,
    )
    const resumption = lines.find((l) => l.includes(`RESUME lifts ${lifted}`))!
    expect(resumption).toContain('[scheduled]')
  })

  it('orders lines by the effective time they start with, and shows when an order was recorded if that differs', async () => {
    const lines = await heads()
    expect(lines.map((l) => l.split('  ')[0]!)).toEqual([...lines.map((l) => l.split('  ')[0]!)].sort())
    expect(lines[0]).toMatch(new RegExp(`^2026-01-01T00:00:00\\.000Z  SUSPEND .*${backdated}$`))
    expect(lines.at(-1)).toContain(`RESUME lifts ${lifted}`)
    const json = JSON.parse((await run('policy', 'history', '--partner', 'harbour', '--json')).stdout) as {
      order: { id: string }
    }[]
    expect(json.map((v) => v.order.id)).toEqual([backdated, lifted, liftedBy])
    const full = (await run('policy', 'history', '--partner', 'harbour')).stdout
    expect(full).toMatch(/court order; recorded \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/)
    expect(full).not.toMatch(/audit pending; recorded/)
  })

  it('previews an instant before a backdated order was recorded with the order applied, and says so', async () => {
    const json = JSON.parse(
      (await run('policy', 'preview', '--partner', 'harbour', '--json', '--at', between)).stdout,
    ) as { denied: number; total: number; recordedLater: { order: string; kind: string }[] }
    expect(json.recordedLater.map((o) => [o.order, o.kind])).toEqual([[backdated, 'suspension']])
    expect(json.denied).toBe(json.total)
    const text = (await run('policy', 'preview', '--partner', 'harbour', '--at', between)).stdout
    expect(text).toContain(
      `note: suspension ${backdated} is counted as in effect (from 2026-01-01T00:00:00.000Z), but it was recorded at`,
    )
    expect(text).toContain(`reads at ${between} did not yet apply it`)
    const now = JSON.parse((await run('policy', 'preview', '--partner', 'harbour', '--json')).stdout)
    expect(now.recordedLater).toEqual([])
  })

  it('notes on stderr an order that takes effect before it was recorded, and only such an order', async () => {
    const now = await run('suspend', 'harbour', '--reason', 'spot check', '--type', 'tool')
    expect([now.code, now.stderr]).toEqual([0, ''])
    const nowId = now.stdout.split('\n')[0]!
    const later = await run('resume', nowId, '--reason', 'done', '--at', '2099-06-01T00:00:00Z')
    expect([later.code, later.stderr]).toEqual([0, ''])
    const past = await run('suspend', 'harbour', '--reason', 'phoned in', '--type', 'tool', '--at', T0)
    expect(past.code).toBe(0)
    const pastId = past.stdout.split('\n')[0]!
    expect(pastId).toMatch(/^order--/)
    expect(past.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`sluice: note: ${pastId} takes effect from ${T0}, before it was recorded (`),
    ])
  })

  it('after a backdated lift, names the lift and not the suspension it lifted, and says what the lift changed', async () => {
    const suspended = await run(
      'suspend',
      'harbour',
      '--reason',
      'phoned in',
      '--type',
      'tool',
      '--at',
      '2026-02-01T00:00:00Z',
    )
    const suspension = suspended.stdout.split('\n')[0]!
    const lift = await run('resume', suspension, '--reason', 'phoned in too', '--at', '2026-02-02T00:00:00Z')
    expect(lift.code).toBe(0)
    const liftId = lift.stdout.trim().split('\n')[0]!.split(/\s/)[0]!
    // refused under the suspension while the lift was not yet known, not "served without it"
    expect(lift.stderr).toContain('reads in between were still refused under the suspension it lifts')
    expect(lift.stderr).not.toContain('served without it')
    const json = JSON.parse(
      (await run('policy', 'preview', '--partner', 'harbour', '--json', '--at', '2026-02-03T00:00:00Z'))
        .stdout,
    ) as { recordedLater: { order: string; kind: string }[] }
    const ours = json.recordedLater.filter((o) => o.order === suspension || o.order === liftId)
    expect(ours.map((o) => o.kind)).toEqual(['resumption'])
  })

  it('writes every instant as RFC 3339 UTC with milliseconds', async () => {
    const full = (await run('policy', 'history', '--partner', 'harbour')).stdout
    const instants = full.match(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?/g) ?? []
    expect(instants.length).toBeGreaterThan(4)
    for (const i of instants) expect(i).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })
})
