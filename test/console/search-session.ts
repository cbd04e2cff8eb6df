import type { GateSession } from '../../src/disclosure/gate.js'
import type { TestNode } from '../helpers/node.js'

/** A gate session as the console opens one: as a partner's principal, or as an admin. */
export function searchSession(t: TestNode, partnerId?: string): Promise<GateSession> {
  return t.node.services.gate.open(
    partnerId
      ? { principalId: `p-${partnerId}`, role: 'partner', partnerId, requestId: 'test' }
      : { principalId: 'admin', role: 'admin', requestId: 'test' },
    new Date().toISOString(),
  )
}
