import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNode } from '../../src/server/node.js'
import { runCli } from '../cli/run-cli.js'

// The CLI works on the node's data directory with no principal: under four-eyes it must not lift an order alone.
let dir: string

async function startAndStop(fourEyes: boolean): Promise<void> {
  const node = await createNode({ dataDir: dir, fourEyes })
  await node.close()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-four-eyes-cli-'))
  await startAndStop(true)
  const added = await runCli([
    'partners',
    'add',
    '--id',
    'lake-customs',
    '--name',
    'Lake Customs',
    '--data',
    dir,
  ])
  expect(added.code, added.stderr).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const suspend = async () => {
  const r = await runCli(['suspend', 'lake-customs', '--reason', 'leak inquiry', '--data', dir])
  expect(r.code, r.stderr).toBe(0)
  return r.stdout.split('\n')[0]!.trim()
}
const active = async () =>
  (await runCli(['policy', 'history', '--partner', 'lake-customs', '--json', '--data', dir])).stdout

describe('sluice resume under four-eyes', () => {
  it('refuses to lift a suspension alone while the node runs with the rule, and lifts it once it does not', async () => {
    const order = await suspend()
    expect(order).toMatch(/^order--/)
    const refused = await runCli(['resume', order, '--reason', 'inquiry closed', '--data', dir])
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('four-eyes is on for this node')
    expect(refused.stderr).toContain(`POST /admin/orders/${order}/resume`)
    expect(
      JSON.parse(await active()).some((o: { order: { kind: string } }) => o.order.kind === 'resumption'),
    ).toBe(false)

    await startAndStop(false)
    const lifted = await runCli(['resume', order, '--reason', 'inquiry closed', '--data', dir])
    expect(lifted.code, lifted.stderr).toBe(0)
    expect(
      JSON.parse(await active()).some((o: { order: { kind: string } }) => o.order.kind === 'resumption'),
    ).toBe(true)
  })

  it('refuses new agreements and amendments alone under the rule, and allows withdrawing one', async () => {
    const terms = (maxTlp: string) => [
      '--partner',
      'lake-customs',
      '--collections',
      '*',
      '--max-tlp',
      maxTlp,
      '--data',
      dir,
    ]
    await startAndStop(false)
    const made = await runCli(['agreements', 'add', ...terms('green')])
    expect(made.code, made.stderr).toBe(0)
    const agreementId = made.stdout.split(' ')[0]!
    await startAndStop(true)
    const add = await runCli(['agreements', 'add', ...terms('red')])
    expect(add.code).toBe(1)
    expect(add.stderr).toContain(
      'four-eyes is on for this node (sluice serve --four-eyes): a new agreement needs a second officer',
    )
    const amend = await runCli(['agreements', 'amend', agreementId, ...terms('red')])
    expect(amend.code).toBe(1)
    expect(amend.stderr).toContain('amending an agreement needs a second officer')
    const listed = JSON.parse((await runCli(['agreements', 'list', '--json', '--data', dir])).stdout) as {
      max_tlp: string
    }[]
    expect(listed.map((a) => a.max_tlp)).toEqual(['green'])
    const withdrawn = await runCli(['agreements', 'withdraw', agreementId, '--data', dir])
    expect(withdrawn.code, withdrawn.stderr).toBe(0)
  })

  it('a malformed --at is a usage error before anything is looked up', async () => {
    const r = await runCli([
      'resume',
      'order--00000000-0000-4000-8000-000000000000',
      '--reason',
      'x',
      '--at',
      'tomorrow',
      '--data',
      dir,
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^sluice: --at /)
  })

  it('an unknown order is still reported as such, not as a four-eyes refusal', async () => {
    await startAndStop(true)
    const r = await runCli([
      'resume',
      'order--00000000-0000-4000-8000-000000000000',
      '--reason',
      'x',
      '--data',
      dir,
    ])
    expect(r.code).not.toBe(0)
    expect(r.stderr).not.toContain('four-eyes')
  })
})
