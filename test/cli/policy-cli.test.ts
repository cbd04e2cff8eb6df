import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
let env: Record<string, string>
const T0 = '2026-01-05T08:00:00.000Z'
const objects = [
  {
    type: 'intrusion-set',
    spec_version: '2.1',
    id: 'intrusion-set--3a7b1c52-8f61-4c1e-9a57-0d4e2f8b6c11',
    created: T0,
    modified: T0,
    name: 'Saltpan brokers',
    object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
  },
  {
    type: 'intrusion-set',
    spec_version: '2.1',
    id: 'intrusion-set--5c2d7e90-1b43-4f7a-8e26-9d3f0a1b2c44',
    created: T0,
    modified: T0,
    name: 'Blue Marlin cell',
    object_marking_refs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
  },
]
const run = (...args: string[]) => runCli(args, { env })
const agreeSouthern = (...args: string[]) =>
  run('agreements', 'add', '--partner', 'southern', '--collections', 'networks', ...args)

beforeAll(async () => {
  dir = await newNodeDir('sluice-policy-cli-')
  env = { SLUICE_DATA: dir, SLUICE_ISSUER: 'duty officer Vale' }
  await run('collections', 'create', '--title', 'Networks', '--alias', 'networks')
  writeFileSync(
    join(dir, 'objects.json'),
    JSON.stringify({ type: 'bundle', id: 'bundle--7d3e2c1a-5b4f-4e6d-8c9a-1f2e3d4c5b6a', objects }),
  )
  expect((await run('import', join(dir, 'objects.json'), '--collection', 'networks')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('policy from the command line', () => {
  let orderId: string

  it('adds a partner and an agreement, and previews what it would see', async () => {
    expect(
      (
        await run(
          'partners',
          'add',
          '--id',
          'southern',
          '--name',
          'Southern Customs Service',
          '--kind',
          'customs',
        )
      ).code,
    ).toBe(0)
    const dup = await run('partners', 'add', '--id', 'southern', '--name', 'Again')
    expect(dup.code).toBe(1)
    expect(dup.stderr).toBe('sluice: partner "southern" already exists\n')
    const agreement = await agreeSouthern('--max-tlp', 'amber')
    expect(agreement.stdout).toMatch(/^agreement--[0-9a-f-]{36} v1\n$/)
    const preview = JSON.parse((await run('policy', 'preview', '--partner', 'southern', '--json')).stdout)
    expect(preview).toMatchObject({ total: 2, allowed: 1, denied: 1 })
    const text = (await run('policy', 'preview', '--partner', 'southern')).stdout
    expect(text).toMatch(/^southern at \S+: 1 shared, 0 shared redacted, 1 withheld \(of 2\)$/m)
    expect(text).toContain(
      '  withheld objects by reason (one object can have several; see docs/POLICY.md for each kind):',
    )
    expect(text).toMatch(/^ {4}\w[\w-]*: 1$/m)
  })

  it('refuses bad input with one line', async () => {
    const badTlp = await agreeSouthern('--max-tlp', 'purple')
    expect(badTlp.code).toBe(2)
    expect(badTlp.stderr).toBe(
      'sluice: --max-tlp must be one of clear, green, amber, amber+strict, red; got "purple"\n',
    )
    const unknown = await run('suspend', 'nobody', '--reason', 'x')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no partner "nobody"')
    const noReason = await run('suspend', 'southern')
    expect(noReason.code).toBe(2)
    const badTime = await run('suspend', 'southern', '--reason', 'x', '--at', 'tomorrow')
    expect(badTime.code).toBe(2)
    expect(badTime.stderr).toContain('--at must be an RFC 3339 UTC timestamp')
    const refused = async (...args: string[]) => {
      const result = await run(...args)
      expect(result.code).toBe(1)
      return result.stderr
    }
    const emptyLabel = await run('suspend', 'southern', '--reason', 'x', '--label', '')
    expect([emptyLabel.code, emptyLabel.stderr]).toEqual([
      2,
      'sluice: --label needs a value (it was given as "") for "suspend"; run "sluice suspend --help"\n',
    ])
    expect(await refused('suspend', 'southern', '--reason', 'x', '--type', 'intrusion-sets')).toBe(
      'sluice: object type "intrusion-sets" is neither a STIX 2.1 type nor that of any object on this node; did you mean "intrusion-set"? (a custom type not yet stored must start with x-)\n',
    )
    const badTypes = await agreeSouthern('--max-tlp', 'red', '--types', 'Bogus Type')
    expect(badTypes.code).toBe(1)
    expect(badTypes.stderr).toContain('object type "Bogus Type" is not a STIX type name')
  })

  it('suspends, shows the effect, explains it, and lifts it', async () => {
    const suspended = await run(
      'suspend',
      'southern',
      '--reason',
      'ministerial order pending review',
      '--reference',
      'MO-2026-17',
    )
    expect(suspended.code).toBe(0)
    orderId = suspended.stdout.split('\n')[0]!
    expect(orderId).toMatch(/^order--/)
    const preview = JSON.parse((await run('policy', 'preview', '--partner', 'southern', '--json')).stdout)
    expect(preview).toMatchObject({ total: 2, allowed: 0, denied: 2 })
    const explain = await run('policy', 'explain', '--partner', 'southern', '--object', objects[0]!.id)
    expect(explain.stdout).toContain('WITHHELD')
    expect(explain.stdout).toContain(orderId)
    const history = await run('policy', 'history', '--partner', 'southern')
    expect(history.stdout).toContain('[active]')
    expect(history.stdout).toContain('duty officer Vale: ministerial order pending review (ref MO-2026-17)')
    const resumed = await run(
      'resume',
      orderId,
      '--reason',
      'review concluded\n2026-01-01T00:00:00Z  RESUME all',
    )
    expect(resumed.code).toBe(0)
    const resumptionId = resumed.stdout.split('\n')[0]!
    expect((await run('resume', orderId, '--reason', 'again')).stderr).toContain('already been lifted')
    const after = JSON.parse((await run('policy', 'preview', '--partner', 'southern', '--json')).stdout)
    expect(after).toMatchObject({ allowed: 1, denied: 1 })
    // a lifted order reads as the span it was in force, and names the order that lifted it
    const lifted = (await run('policy', 'history', '--partner', 'southern')).stdout
    expect(lifted).toMatch(new RegExp(`\\[in force \\S+Z – \\S+Z, lifted by ${resumptionId}\\]  ${orderId}`))
    // a reason's second line stays under it, indented, and cannot pass for an entry
    expect(lifted).toContain(': review concluded\n      2026-01-01T00:00:00Z  RESUME all')
    expect(lifted).not.toMatch(/^2026-01-01T00:00:00Z/m)
  })

  it('shows the policy at a past instant', async () => {
    const before = JSON.parse(
      (await run('policy', 'preview', '--partner', 'southern', '--at', '2020-01-01T00:00:00Z', '--json'))
        .stdout,
    )
    // in 2020 the node held none of the objects (preview --at counts what was stored by then)
    expect(before).toMatchObject({ total: 0, allowed: 0, denied: 0 })
    const now = JSON.parse((await run('policy', 'preview', '--partner', 'southern', '--json')).stdout)
    expect(now.total).toBe(2)
  })
})

describe('export for a partner', () => {
  it('writes only what the partner may see and records it in its log', async () => {
    const before = (await run('ledger', 'checkpoint', '--log', 'partner:southern')).stdout.split('\n')[1]
    const exported = await run('export', '--collection', 'networks', '--partner', 'southern')
    expect(exported.code).toBe(0)
    const bundle = JSON.parse(exported.stdout)
    expect(bundle.objects.map((o: { id: string }) => o.id)).toEqual([objects[0]!.id])
    const after = (await run('ledger', 'checkpoint', '--log', 'partner:southern')).stdout.split('\n')[1]
    expect(Number(after)).toBe(Number(before) + 1)
  })
})

describe('ledger from the command line', () => {
  it('signs checkpoints and proves the orders it recorded', async () => {
    const vkey = (await run('ledger', 'key')).stdout.trim()
    expect(vkey).toMatch(/^sluice\.localhost\+[0-9a-f]{8}\+/)
    const checkpoint = await run('ledger', 'checkpoint', '--log', 'partner:southern')
    expect(checkpoint.stdout.split('\n').slice(0, 2)).toEqual(['sluice.localhost/partner/southern', '4'])
    const proof = JSON.parse(
      (await run('ledger', 'prove', '--log', 'partner:southern', '--index', '1')).stdout,
    )
    expect(proof.proofs[0].entry).toMatchObject({
      kind: 'order',
      orderKind: 'suspension',
      partnerId: 'southern',
      reference: 'MO-2026-17',
    })
    const consistency = JSON.parse(
      (await run('ledger', 'consistency', '--log', 'partner:southern', '--from', '1', '--to', '3')).stdout,
    )
    expect(consistency.proof.length).toBeGreaterThan(0)
    expect((await run('ledger', 'prove', '--log', 'partner:southern', '--index', '99')).code).toBe(1)
  })
})
