import { randomUUID } from 'node:crypto'
import { ALLOWED, isRole, ROLES, roleList } from '../../auth/roles.js'
import type { NodeServices } from '../../server/services.js'
import { resolveCollectionIds } from '../../services/collections.js'
import { type BodyShape, type FieldKind, fail, instantOr } from '../../services/policy-input.js'
import type { AgreementInput, PolicyService, SuspendInput } from '../../services/policy-service.js'
import { explainObject, orderHistory, previewPartner } from '../../services/policy-views.js'
import { createPrincipal, principalView } from '../../services/principals.js'
import type { PrincipalRole, Store } from '../../store/types.js'
import { type JsonRoute, names, queryParam, str } from './json-api.js'

/** A body field: the input key it becomes and what it must hold. */
type Fields<T> = Readonly<Record<string, readonly [key: keyof T & string, kind: FieldKind]>>

const shapeOf = <T>(fields: Fields<T>): BodyShape =>
  Object.fromEntries(Object.entries(fields).map(([name, [, kind]]) => [name, kind]))

/** A body `checkBody` has passed against `fields`, under the input's names. */
const renamed = <T>(body: Record<string, unknown>, fields: Fields<T>): Partial<T> =>
  Object.fromEntries(Object.entries(body).map(([name, value]) => [fields[name]![0], value])) as Partial<T>

const PARTNER: Fields<Parameters<PolicyService['addPartner']>[0]> = {
  id: ['id', 'string'],
  name: ['name', 'string'],
  kind: ['kind', 'string'],
  identity_id: ['identityId', 'string'],
}

const AGREEMENT: Fields<AgreementInput> = {
  id: ['id', 'string'],
  partner: ['partner', 'string'],
  collections: ['collections', 'list-or-all'],
  object_types: ['types', 'list-or-all'],
  max_tlp: ['maxTlp', 'string'],
  default_tlp: ['defaultTlp', 'string'],
  caveats: ['caveats', 'list'],
  required_labels: ['requiredLabels', 'list'],
  forbidden_labels: ['forbiddenLabels', 'list'],
  required_markings: ['requiredMarkings', 'list'],
  forbidden_markings: ['forbiddenMarkings', 'list'],
  admiralty_reliability: ['admiraltyReliability', 'list'],
  admiralty_credibility: ['admiraltyCredibility', 'list'],
  evaluation_source: ['evaluationSource', 'list'],
  evaluation_information: ['evaluationInformation', 'list'],
  ungraded: ['ungraded', 'string'],
  valid_from: ['validFrom', 'string'],
  valid_until: ['validUntil', 'string'],
  effective_from: ['at', 'string'],
  withdrawn: ['withdrawn', 'boolean'],
}

const AGREEMENT_BODY: BodyShape = shapeOf(AGREEMENT)

/** The agreement a POST /admin/agreements body asks for (its body checked against AGREEMENT_BODY). */
export async function agreementInput(store: Store, body: Record<string, unknown>): Promise<AgreementInput> {
  return {
    ...renamed<AgreementInput>(body, AGREEMENT),
    maxTlp: str(body.max_tlp) ?? fail('max_tlp is required'),
    collections:
      body.collections === undefined || body.collections === '*'
        ? '*'
        : await resolveCollectionIds(store, names(body.collections)!),
  }
}

const SUSPEND: Fields<SuspendInput> = {
  partner: ['partner', 'string'],
  collections: ['collections', 'list'],
  object_types: ['types', 'list'],
  markings: ['markings', 'list'],
  labels: ['labels', 'list'],
  above_tlp: ['aboveTlp', 'string'],
  effective_from: ['at', 'string'],
  reference: ['reference', 'string'],
  reason: ['reason', 'string'],
}

/** A suspension body; a preview takes the same, so the body the console previews is the one it issues. */
export const SUSPEND_BODY: BodyShape = shapeOf(SUSPEND)

const RESUME: BodyShape = { reason: 'string', effective_from: 'string' }

const PRINCIPAL: BodyShape = { name: 'string', role: 'string', partner: 'string', write: 'list' }

/** The admin API: partners, agreements, orders, and policy views; every change is recorded with who made it. */
export function adminRoutes(services: NodeServices): JsonRoute[] {
  const { policy, store } = services
  const now = () => new Date().toISOString()
  return [
    {
      method: 'GET',
      path: ['partners'],
      roles: roleList(ALLOWED.policyRead),
      handle: async () => (await policy.history()).partners,
    },
    {
      method: 'POST',
      path: ['partners'],
      roles: roleList(ALLOWED.policyChange),
      body: shapeOf(PARTNER),
      handle: async ({ body, principal }) =>
        policy.addPartner(
          { ...renamed(body, PARTNER), name: str(body.name) ?? fail('name is required') },
          principal.name,
        ),
    },
    {
      method: 'GET',
      path: ['agreements'],
      roles: roleList(ALLOWED.policyRead),
      handle: async ({ url }) => {
        const named = queryParam(url, 'partner')
        // named by id or name like everywhere else; an unknown partner is refused, not answered with []
        const partner = named === undefined ? undefined : (await policy.partner(named)).id
        const { agreements } = await policy.history()
        return partner ? agreements.filter((a) => a.partner_id === partner) : agreements
      },
    },
    {
      method: 'POST',
      path: ['agreements'],
      roles: roleList(ALLOWED.policyChange),
      body: AGREEMENT_BODY,
      handle: async ({ body, principal }) =>
        policy.putAgreement(await agreementInput(store, body), principal.name),
    },
    {
      method: 'GET',
      path: ['orders'],
      roles: roleList(ALLOWED.policyRead),
      handle: async ({ url }) => orderHistory(policy, now(), queryParam(url, 'partner')),
    },
    {
      method: 'POST',
      path: ['orders', 'suspend'],
      roles: roleList(ALLOWED.policyChange),
      body: SUSPEND_BODY,
      handle: async ({ body, principal }) =>
        policy.suspend({
          ...renamed(body, SUSPEND),
          partner: str(body.partner) ?? fail('partner is required'),
          ...(body.collections !== undefined
            ? { collections: await resolveCollectionIds(store, names(body.collections)!) }
            : {}),
          reason: str(body.reason) ?? '',
          issuer: principal.name,
        }),
    },
    {
      method: 'POST',
      path: ['orders', ':id', 'resume'],
      roles: roleList(ALLOWED.policyChange),
      body: RESUME,
      handle: async ({ body, params, principal }) =>
        policy.resume({
          order: params.id!,
          reason: str(body.reason) ?? '',
          issuer: principal.name,
          ...(str(body.effective_from) ? { at: str(body.effective_from)! } : {}),
        }),
    },
    {
      method: 'GET',
      path: ['policy', 'explain'],
      roles: roleList(ALLOWED.policyExplain),
      handle: async ({ url }) => {
        const at = instantOr(url.searchParams.get('at'), now(), 'at')
        const partner = queryParam(url, 'partner') ?? fail('partner is required')
        const object = queryParam(url, 'object') ?? fail('object is required')
        return explainObject(store, policy, partner, object, at)
      },
    },
    {
      method: 'GET',
      path: ['policy', 'preview'],
      roles: roleList(ALLOWED.policyExplain),
      handle: async ({ url }) => {
        const at = instantOr(url.searchParams.get('at'), now(), 'at')
        return previewPartner(store, policy, queryParam(url, 'partner') ?? fail('partner is required'), at)
      },
    },
    {
      method: 'GET',
      path: ['principals'],
      roles: roleList(ALLOWED.principals),
      handle: async () => (await store.listPrincipals()).map(principalView),
    },
    {
      method: 'POST',
      path: ['principals'],
      roles: roleList(ALLOWED.principals),
      body: PRINCIPAL,
      handle: async ({ body }) => {
        const role = str(body.role)
        if (!isRole(role)) fail(`role must be one of ${ROLES.join(', ')}`)
        const named = str(body.partner)
        if (role === 'partner' && named === undefined) fail('a partner principal needs partner')
        // everything the body names is resolved before anything is stored: a refused collection or partner
        // must not leave a principal behind whose key was never handed out. The partner may be named by id
        // or name; the principal keeps its id, which reads are matched on.
        const partnerId = named === undefined ? undefined : (await policy.partner(named)).id
        const write = await resolveCollectionIds(store, names(body.write) ?? [])
        const created = await createPrincipal(store, {
          name: str(body.name) ?? fail('name is required'),
          role: role as PrincipalRole,
          ...(partnerId ? { partnerId } : {}),
          id: `principal--${randomUUID()}`,
        })
        for (const collectionId of write)
          await store.setGrant({
            principalId: created.principal.id,
            collectionId,
            canRead: false,
            canWrite: true,
          })
        return { principal: principalView(created.principal), api_key: created.apiKey }
      },
    },
  ]
}
