import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFuzzWorld, type FuzzWorld, runFuzzCampaign } from '../../bench/fuzz/campaign.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let node: TestNode
let world: FuzzWorld
const crashes: unknown[] = []
const onCrash = (error: unknown) => crashes.push(error)
beforeAll(async () => {
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onCrash)
  node = await startTestNode({ taxii: { refusalFloorMs: 5 } })
  world = await buildFuzzWorld(node.node, node.url)
})
afterAll(async () => {
  process.off('uncaughtException', onCrash)
  process.off('unhandledRejection', onCrash)
  await node.stop()
})

describe('fuzz campaign (bounded; bench/fuzz runs the full count)', () => {
  it('hostile requests to every endpoint: no 5xx, no crash, no disclosure policy denies', async () => {
    const summary = await runFuzzCampaign(node.node, world, {
      count: Number(process.env.SLUICE_FUZZ_COUNT ?? 1500),
      seed: Number(process.env.SLUICE_FUZZ_SEED ?? 1),
    })
    expect(summary.serverErrors).toEqual([])
    expect(summary.transportErrors).toEqual([])
    expect(summary.leaks).toEqual([])
    expect(crashes).toEqual([])
    expect(summary.healthyAfter).toBe(true)
    // the campaign reached the handlers, not only the front door
    expect(Object.keys(summary.byStatus).length).toBeGreaterThan(5)
    expect(summary.byStatus['200']).toBeGreaterThan(50)
  }, 300_000)
})
