import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newNodeDir } from './node-dir.js'
import { runCli } from './run-cli.js'

let dir: string
const run = (...args: string[]) => runCli(args, { env: { SLUICE_DATA: dir } })

beforeAll(async () => {
  dir = await newNodeDir('sluice-empty-lists-')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('lists on a node that has nothing yet', () => {
  it('say so instead of printing nothing', async () => {
    for (const [args, said] of [
      [['partners', 'list'], 'no partners'],
      [['agreements', 'list'], 'no agreements'],
      [['principals', 'list'], 'no principals'],
      [['collections', 'list'], 'no collections'],
      [['keys', 'certs'], 'no certificates bound'],
    ] as const) {
      const r = await run(...args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stdout, args.join(' ')).toBe(`${said}\n`)
    }
  })

  it('a list filtered by an unknown partner is refused, not shown empty', async () => {
    const r = await run('agreements', 'list', '--partner', 'nobody')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^sluice: no partner "nobody"/)
    expect((await run('partners', 'add', '--id', 'alpha', '--name', 'Alpha police')).code).toBe(0)
    expect((await run('agreements', 'list', '--partner', 'Alpha police')).stdout).toBe(
      'no agreements for alpha\n',
    )
  })
})
