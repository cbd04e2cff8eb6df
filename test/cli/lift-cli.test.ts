/**
 * Lifting from the command line when a lift is already on the books: a suspension whose lift was
 * scheduled for later can be lifted now, and lifting a suspension not yet in force cancels it.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
let env: Record<string, string>
const run = (...args: string[]) => runCli(args, { env })
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
const firstLine = (text: string) => text.split('\n')[0]!

beforeAll(async () => {
  dir = await newNodeDir('sluice-lift-cli-')
  env = { SLUICE_DATA: dir, SLUICE_ISSUER: 'duty officer Vale' }
  expect((await run('partners', 'add', '--id', 'isles', '--name', 'Isles Coast Guard')).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function suspend(...extra: string[]): Promise<string> {
  const result = await run('suspend', 'isles', '--reason', 'inquiry', ...extra)
  expect(result.code).toBe(0)
  return firstLine(result.stdout)
}

const history = async () => (await run('policy', 'history', '--partner', 'isles')).stdout

describe('lifting a suspension that already has a lift', () => {
  it('brings a scheduled lift forward, and refuses a lift later than the one in effect', async () => {
    const order = await suspend()
    const friday = await run('resume', order, '--reason', 'review on Friday', '--at', later(3))
    expect(friday.code).toBe(0)
    expect(await history()).toContain(`[active, until`)

    const later4 = later(4)
    const tooLate = await run('resume', order, '--reason', 'later still', '--at', later4)
    expect(tooLate.code).toBe(1)
    expect(tooLate.stderr).toMatch(
      new RegExp(
        `^sluice: order "${order}" is already to be lifted at \\S+ by ${firstLine(friday.stdout)}; a new resumption can only bring that forward\n$`,
      ),
    )

    const now = await run('resume', order, '--reason', 'ordered lifted at once')
    expect(now.code).toBe(0)
    const nowId = firstLine(now.stdout)
    expect(await history()).toMatch(new RegExp(`lifted by ${nowId}\\]  ${order}`))
    // the Friday lift stays on the record, but reads as the no-op it now is
    expect(await history()).toContain(
      `RESUME lifts ${order}  [superseded: ${nowId} lifts it earlier]  ${firstLine(friday.stdout)}`,
    )
    const ofResumption = await run('resume', nowId, '--reason', 'wrong id')
    expect(ofResumption.stderr).toBe(
      `sluice: order "${nowId}" is a resumption (it lifts ${order}); name the suspension to lift\n`,
    )
    expect(ofResumption.code).toBe(1)

    const again = await run('resume', order, '--reason', 'again')
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(
      new RegExp(`^sluice: order "${order}" has already been lifted, by ${nowId} from `),
    )
  })

  it('cancels a scheduled suspension when lifted without a time, so it never comes into force', async () => {
    const start = later(2)
    const order = await suspend('--at', start)
    const cancelled = await run('resume', order, '--reason', 'order withdrawn before it started')
    expect(cancelled.code).toBe(0)
    expect(cancelled.stdout).toBe(
      `${firstLine(cancelled.stdout)}\nresumption of ${order} effective ${start} (cancels it: the suspension never comes into force)\n`,
    )
    const record = await history()
    expect(record).toContain(`[cancelled by ${firstLine(cancelled.stdout)}, never in force]  ${order}`)
    // the cancelling order is no lift still to come
    expect(record).toContain(
      `RESUME lifts ${order}  [cancels it: it never comes into force]  ${firstLine(cancelled.stdout)}`,
    )
    const again = await run('resume', order, '--reason', 'again')
    expect(again.stderr).toBe(
      `sluice: order "${order}" was cancelled by ${firstLine(cancelled.stdout)} before it took effect: there is nothing left to lift\n`,
    )
    expect(again.code).toBe(1)
    const early = await run('resume', await suspend('--at', start), '--reason', 'x', '--at', later(1))
    expect(early.code).toBe(1)
    expect(early.stderr).toBe('sluice: a resumption cannot take effect before the suspension it lifts\n')
  })
  it('marks a backdated order in the history: no read before it was recorded obeyed it', async () => {
    const order = await suspend('--at', '2020-01-01T00:00:00Z')
    const line = (await history()).split('\n').find((l) => l.includes(order))!
    expect(line).toMatch(
      new RegExp(
        `^2020-01-01T00:00:00(\\.000)?Z  SUSPEND .*\\[active, BACKDATED, applied to reads from \\S+\\]  ${order}$`,
      ),
    )
    await run('resume', order, '--reason', 'over')
    const lifted = (await history()).split('\n').find((l) => l.includes(`SUSPEND`) && l.includes(order))!
    expect(lifted).toMatch(/\[in force .* lifted by \S+; BACKDATED, applied to reads from \S+\]/)
    // a lift entered after its effective time: reads before then were refused under the order all the same
    const second = await suspend('--at', '2020-01-01T00:00:00Z')
    const lift = await run(
      'resume',
      second,
      '--reason',
      'lifted by telephone',
      '--at',
      '2021-01-01T00:00:00Z',
    )
    expect(lift.code, lift.stderr).toBe(0)
    const resumed = (await history()).split('\n').find((l) => l.includes(`RESUME lifts ${second}`))!
    expect(resumed).toMatch(
      new RegExp(
        `^2021-01-01T00:00:00(\\.000)?Z  RESUME lifts ${second}  \\[BACKDATED, applied to reads from \\S+\\]  order--`,
      ),
    )
  })
})
