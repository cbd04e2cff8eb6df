import { randomUUID } from 'node:crypto'
import { widens } from '../policy/widening.js'
import type { NodeServices } from '../server/services.js'
import { oneAtATime } from '../services/one-at-a-time.js'
import { oneOf } from '../services/policy-input.js'
import type { PrincipalRecord, Store } from '../store/types.js'
import { agreementInput } from '../taxii/admin/admin-routes.js'
import type { JsonRequest, JsonRoute } from '../taxii/admin/json-api.js'
import { TaxiiError } from '../taxii/errors.js'
import { ALLOWED, roleList } from './roles.js'

const APPROVAL_STATUSES = ['pending', 'approved', 'rejected'] as const
type ApprovalStatus = (typeof APPROVAL_STATUSES)[number]

/**
 * The four-eyes rule: a change that loosens what flows to a partner (lifting a
 * suspension, creating or widening an agreement) is held as pending and takes
 * effect only when a second officer, not the one who asked, approves it.
 * Narrowing changes (suspending, withdrawing, tightening) take effect at once.
 */
export interface PendingChange {
  id: string
  kind: 'resume' | 'agreement'
  status: ApprovalStatus
  summary: string
  params: Record<string, string>
  body: Record<string, unknown>
  requested_by: { id: string; name: string; role: string }
  requested_at: string
  decided_by?: { id: string; name: string; role: string }
  decided_at?: string
  /** What the change produced once approved (the order or agreement). */
  result?: unknown
}

const PREFIX = 'approval:'
const SETTING = 'node/four-eyes'

/**
 * Records whether the node serves with the rule, so that commands run beside it on the same store (the CLI
 * on its data directory, which acts without an HTTP principal) follow it too instead of bypassing it.
 */
export async function recordFourEyes(store: Store, enabled: boolean): Promise<void> {
  await store.putState(SETTING, enabled ? 'on' : 'off')
}

/** Whether the node was last started with the rule on. */
export async function fourEyesRecorded(store: Store): Promise<boolean> {
  return (await store.getState(SETTING)) === 'on'
}

function who(p: PrincipalRecord) {
  return { id: p.id, name: p.name, role: p.role }
}

async function load(store: Store, id: string): Promise<PendingChange> {
  const text = /^approval--[0-9a-f-]{36}$/.test(id) ? await store.getState(`${PREFIX}${id}`) : undefined
  if (!text)
    throw new TaxiiError(404, 'Not found', `no change awaiting approval "${id}"`, { errorCode: 'not-found' })
  return JSON.parse(text) as PendingChange
}

const isResume = (r: JsonRoute) => r.method === 'POST' && r.path.join('/') === 'orders/:id/resume'
const isAgreement = (r: JsonRoute) => r.method === 'POST' && r.path.join('/') === 'agreements'

/**
 * Wraps the admin routes: when the rule is on, lifting a suspension or
 * widening an agreement answers `pending-approval` instead of taking effect,
 * and the approval routes apply it once a different principal approves.
 */
export function withFourEyes(routes: JsonRoute[], services: NodeServices, enabled: boolean): JsonRoute[] {
  const { store, policy } = services
  const byKind = { resume: routes.find(isResume), agreement: routes.find(isAgreement) }
  // approvals are decided one at a time, so two officers approving together apply a change once
  const serial = oneAtATime()

  const hold = async (kind: PendingChange['kind'], req: JsonRequest, summary: string) => {
    const change: PendingChange = {
      id: `approval--${randomUUID()}`,
      kind,
      status: 'pending',
      summary,
      params: req.params,
      body: req.body,
      requested_by: who(req.principal),
      requested_at: new Date().toISOString(),
    }
    await store.putState(`${PREFIX}${change.id}`, JSON.stringify(change))
    return { status: 'pending-approval', approval: change }
  }

  const wrapped = routes.map((route): JsonRoute => {
    if (!enabled) return route
    if (isResume(route)) {
      return {
        ...route,
        handle: async (req) => {
          const order = (await policy.history()).orders.find((o) => o.id === req.params.id)
          if (order?.kind !== 'suspension') return route.handle(req) // let the service refuse it
          return hold('resume', req, `lift suspension ${order.id} of partner ${order.partner_id}`)
        },
      }
    }
    if (isAgreement(route)) {
      return {
        ...route,
        handle: async (req) => {
          const id = typeof req.body.id === 'string' ? req.body.id : undefined
          const previous = id ? await policy.latestAgreement(id) : undefined
          // what the node would refuse anyway is refused now, not held for an approval that cannot succeed:
          // the service checks the draft exactly as it checks what it records
          const draft = await policy
            .draftAgreement(await agreementInput(store, req.body), who(req.principal).name)
            .catch(() => undefined)
          if (draft === undefined || !widens(previous, draft)) return route.handle(req)
          return hold(
            'agreement',
            req,
            previous
              ? `widen agreement ${previous.id} of partner ${previous.partner_id}`
              : `new agreement for partner ${String(req.body.partner)}`,
          )
        },
      }
    }
    return route
  })

  const decide = (approve: boolean) => async (req: JsonRequest) =>
    serial(async () => {
      const change = await load(store, req.params.id!)
      if (change.status !== 'pending')
        throw new TaxiiError(409, 'Conflict', `this change was already ${change.status}`, {
          errorCode: 'already-decided',
        })
      if (approve && change.requested_by.id === req.principal.id) {
        throw new TaxiiError(
          403,
          'Forbidden',
          'a second officer must approve this: the approver cannot be the principal who requested it',
          { errorCode: 'four-eyes' },
        )
      }
      const decided = {
        ...change,
        status: approve ? 'approved' : 'rejected',
        decided_by: who(req.principal),
        decided_at: new Date().toISOString(),
      } as PendingChange
      if (approve) {
        const route = byKind[change.kind]
        if (!route) throw new TaxiiError(500, 'Internal error', `no route applies ${change.kind} changes`)
        const requester = (await store.getPrincipal(change.requested_by.id)) ?? req.principal
        // the record names both: who asked and who approved
        const principal = {
          ...requester,
          name: `${change.requested_by.name} (approved by ${req.principal.name})`,
        }
        decided.result = await route.handle({ ...req, principal, params: change.params, body: change.body })
      }
      await store.putState(`${PREFIX}${change.id}`, JSON.stringify(decided))
      return decided
    })

  return [
    ...wrapped,
    {
      method: 'GET',
      path: ['approvals'],
      roles: roleList(ALLOWED.policyRead),
      handle: async ({ url }) => {
        const status = oneOf(url.searchParams.get('status'), APPROVAL_STATUSES, 'status')
        const all = (await store.listState(PREFIX)).map((s) => JSON.parse(s.value) as PendingChange)
        return all
          .filter((c) => !status || c.status === status)
          .sort((a, b) => a.requested_at.localeCompare(b.requested_at))
      },
    },
    {
      method: 'POST',
      path: ['approvals', ':id', 'approve'],
      roles: roleList(ALLOWED.policyChange),
      handle: decide(true),
    },
    {
      method: 'POST',
      path: ['approvals', ':id', 'reject'],
      roles: roleList(ALLOWED.policyChange),
      handle: decide(false),
    },
  ]
}
