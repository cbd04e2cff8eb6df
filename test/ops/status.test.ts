import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatStatus, nodeStatus } from '../../src/ops/status.js'
import { startTestNode, type TestNode } from '../helpers/node.js'

let t: TestNode
beforeAll(async () => {
  t = await startTestNode()
})
afterAll(async () => t?.stop())

describe('sluice status', () => {
  it('counts the agreements in force now, not every agreement ever made', async () => {
    const { policy } = t.node.services
    await policy.addPartner({ id: 'harbour', name: 'Harbour Customs (fictional)', kind: 'customs' }, 'test')
    const terms = { partner: 'harbour', collections: '*' as const, maxTlp: 'green' }
    await policy.putAgreement(terms, 'test')
    const withdrawn = await policy.putAgreement(terms, 'test')
    await policy.putAgreement({ ...terms, id: withdrawn.id, withdrawn: true }, 'test')
    await policy.putAgreement({ ...terms, at: '2099-01-01T00:00:00Z' }, 'test')
    await policy.putAgreement({ ...terms, validUntil: '2021-01-01T00:00:00Z' }, 'test')
    const status = await nodeStatus(t.node.services, 'test')
    expect(status.agreements).toBe(1)
    expect(formatStatus(status)).toContain('(1 agreement in force)')
  })
})
