import { randomUUID } from 'node:crypto'
import { ALLOWED, isRole, ROLES, roleList } from '../../auth/roles.js'
import type { NodeServices } from '../../server/services.js'
import { resolveCollectionIds } from '../../services/collections.js'
import { fail, instantOr, stringList } from '../../services/policy-input.js'
import { explainObject, orderHistory, previewPartner } from '../../services/policy-views.js'
import { createPrincipal } from '../../services/principals.js'
import type { PrincipalRole } from '../../store/types.js'
import { type JsonRoute, str } from './json-api.js'

async function collectionsOrAll(services: NodeServices, value: unknown): Promise<string[] | '*'> {
  if (value === '*' || value === undefined) return '*'
  return resolveCollectionIds(services.store, stringList(value, 'collections') ?? [])
}

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
      handle: async ({ body, principal }) =>
        policy.addPartner(
          {
            name: str(body.name) ?? '',
            ...(str(body.id) ? { id: str(body.id)! } : {}),
            ...(str(body.kind) ? { kind: str(body.kind)! } : {}),
            ...(str(body.identity_id) ? { identityId: str(body.identity_id)! } : {}),
          },
          principal.name,
        ),
    },
    {
      method: 'GET',
      path: ['agreements'],
      roles: roleList(ALLOWED.policyRead),
      handle: async ({ url }) => {
        const partner = url.searchParams.get('partner')
        const { agreements } = await policy.history()
        return partner ? agreements.filter((a) => a.partner_id === partner) : agreements
      },
    },
    {
      method: 'POST',
      path: ['agreements'],
      roles: roleList(ALLOWED.policyChange),
      handle: async ({ body, principal }) =>
        policy.putAgreement(
          {
            partner: str(body.partner) ?? fail('partner is required'),
            collections: await collectionsOrAll(services, body.collections),
            types:
              body.object_types === undefined || body.object_types === '*'
                ? '*'
                : (stringList(body.object_types, 'object_types') ?? '*'),
            maxTlp: str(body.max_tlp) ?? fail('max_tlp is required'),
            ...(str(body.id) ? { id: str(body.id)! } : {}),
            ...(body.caveats !== undefined ? { caveats: stringList(body.caveats, 'caveats')! } : {}),
            ...(body.required_labels !== undefined
              ? { requiredLabels: stringList(body.required_labels, 'required_labels')! }
              : {}),
            ...(body.forbidden_labels !== undefined
              ? { forbiddenLabels: stringList(body.forbidden_labels, 'forbidden_labels')! }
              : {}),
            ...(body.required_markings !== undefined
              ? { requiredMarkings: stringList(body.required_markings, 'required_markings')! }
              : {}),
            ...(body.forbidden_markings !== undefined
              ? { forbiddenMarkings: stringList(body.forbidden_markings, 'forbidden_markings')! }
              : {}),
            ...(str(body.valid_from) ? { validFrom: str(body.valid_from)! } : {}),
            ...(str(body.valid_until) ? { validUntil: str(body.valid_until)! } : {}),
            ...(str(body.effective_from) ? { at: str(body.effective_from)! } : {}),
            ...(body.withdrawn === true ? { withdrawn: true } : {}),
            ...(str(body.default_tlp) ? { defaultTlp: str(body.default_tlp)! } : {}),
            ...(body.admiralty_reliability !== undefined
              ? { admiraltyReliability: stringList(body.admiralty_reliability, 'admiralty_reliability')! }
              : {}),
            ...(body.admiralty_credibility !== undefined
              ? { admiraltyCredibility: stringList(body.admiralty_credibility, 'admiralty_credibility')! }
              : {}),
            ...(body.evaluation_source !== undefined
              ? { evaluationSource: stringList(body.evaluation_source, 'evaluation_source')! }
              : {}),
            ...(body.evaluation_information !== undefined
              ? { evaluationInformation: stringList(body.evaluation_information, 'evaluation_information')! }
              : {}),
            ...(str(body.ungraded) ? { ungraded: str(body.ungraded)! } : {}),
          },
          principal.name,
        ),
    },
    {
      method: 'GET',
      path: ['orders'],
      roles: roleList(ALLOWED.policyRead),
      handle: async ({ url }) => orderHistory(policy, now(), url.searchParams.get('partner') ?? undefined),
    },
    {
      method: 'POST',
      path: ['orders', 'suspend'],
      roles: roleList(ALLOWED.policyChange),
      handle: async ({ body, principal }) =>
        policy.suspend({
          partner: str(body.partner) ?? fail('partner is required'),
          ...(body.collections !== undefined
            ? {
                collections: await resolveCollectionIds(
                  store,
                  stringList(body.collections, 'collections') ?? [],
                ),
              }
            : {}),
          ...(body.object_types !== undefined
            ? { types: stringList(body.object_types, 'object_types')! }
            : {}),
          ...(body.markings !== undefined ? { markings: stringList(body.markings, 'markings')! } : {}),
          ...(body.labels !== undefined ? { labels: stringList(body.labels, 'labels')! } : {}),
          ...(str(body.above_tlp) ? { aboveTlp: str(body.above_tlp)! } : {}),
          ...(str(body.effective_from) ? { at: str(body.effective_from)! } : {}),
          ...(str(body.reference) ? { reference: str(body.reference)! } : {}),
          reason: str(body.reason) ?? '',
          issuer: principal.name,
        }),
    },
    {
      method: 'POST',
      path: ['orders', ':id', 'resume'],
      roles: roleList(ALLOWED.policyChange),
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
        const partner = url.searchParams.get('partner') ?? fail('partner is required')
        const object = url.searchParams.get('object') ?? fail('object is required')
        return explainObject(store, policy, partner, object, at)
      },
    },
    {
      method: 'GET',
      path: ['policy', 'preview'],
      roles: roleList(ALLOWED.policyExplain),
      handle: async ({ url }) => {
        const at = instantOr(url.searchParams.get('at'), now(), 'at')
        return previewPartner(
          store,
          policy,
          url.searchParams.get('partner') ?? fail('partner is required'),
          at,
        )
      },
    },
    {
      method: 'GET',
      path: ['principals'],
      roles: roleList(ALLOWED.principals),
      handle: async () => store.listPrincipals(),
    },
    {
      method: 'POST',
      path: ['principals'],
      roles: roleList(ALLOWED.principals),
      handle: async ({ body }) => {
        const role = str(body.role)
        if (!isRole(role)) fail(`role must be one of ${ROLES.join(', ')}`)
        const named = str(body.partner)
        // the partner may be named by id or by name; the principal keeps its id, which reads are matched on
        const partnerId =
          role === 'partner'
            ? (await policy.partner(named ?? fail('a partner principal needs partner'))).id
            : named
        const created = await createPrincipal(store, {
          name: str(body.name) ?? fail('name is required'),
          role: role as PrincipalRole,
          ...(partnerId ? { partnerId } : {}),
          id: `principal--${randomUUID()}`,
        })
        const write =
          body.write !== undefined
            ? await resolveCollectionIds(store, stringList(body.write, 'write') ?? [])
            : []
        for (const collectionId of write)
          await store.setGrant({
            principalId: created.principal.id,
            collectionId,
            canRead: false,
            canWrite: true,
          })
        return { principal: created.principal, api_key: created.apiKey }
      },
    },
  ]
}
