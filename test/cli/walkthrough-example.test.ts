/**
 * The README's walk-through imports `examples/vessel-tracking.json` into a new collection, gives a partner an
 * agreement over it and asks why that partner receives the example indicator: the example must stay a valid,
 * fictional bundle that the node stores whole.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'vessel-tracking.json')
const INDICATOR = 'indicator--6c137b62-1026-4027-b711-4d3919961fc1'

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir, SLUICE_ISSUER: 'duty officer' } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-walkthrough-')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the walk-through example bundle', () => {
  it('is imported whole, and the README names its indicator', async () => {
    const bundle = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { objects: { id: string }[] }
    expect(bundle.objects.map((o) => o.id)).toContain(INDICATOR)
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')).toContain(INDICATOR)
    expect(
      (await run('collections', 'create', '--title', 'Vessel tracking', '--alias', 'vessels')).code,
    ).toBe(0)
    const imported = await run('import', EXAMPLE, '--collection', 'vessels')
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toBe(
      `imported into vessels: ${bundle.objects.length} added, 0 already present, 0 rejected\n`,
    )
  })

  it('is what a partner with an agreement over the collection receives, and explain says why', async () => {
    expect(
      (await run('partners', 'add', '--id', 'harbour-police', '--name', 'Harbour Police of Eastmarch')).code,
    ).toBe(0)
    const agreed = await run(
      'agreements',
      'add',
      '--partner',
      'harbour-police',
      '--collections',
      'vessels',
      '--max-tlp',
      'green',
    )
    expect(agreed.code, agreed.stderr).toBe(0)
    const explained = await run('policy', 'explain', '--partner', 'harbour-police', '--object', INDICATOR)
    expect(explained.code, explained.stderr).toBe(0)
    expect(explained.stdout).toMatch(
      new RegExp(
        `^${INDICATOR} in collection vessels \\(\\S+\\) is SHARED with Harbour Police of Eastmarch \\(harbour-police\\) at \\S+: allowed by agreement agreement--\\S+ version 1\\.$`,
        'm',
      ),
    )
  })
})
