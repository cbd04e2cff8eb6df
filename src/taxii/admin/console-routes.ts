import { ALLOWED, hasRole, ROLES, roleList } from '../../auth/roles.js'
import type { GateSession, Viewer } from '../../disclosure/gate.js'
import type { NodeServices } from '../../server/services.js'
import { objectGraph } from '../../services/console-graph.js'
import { objectVersions, searchObjects } from '../../services/console-intel.js'
import { knownMarkings, markingCatalogue } from '../../services/console-markings.js'
import { partnerPage, partnerPreview, WHOLE_PARTNER } from '../../services/console-partner.js'
import type {
  ConsoleCan,
  ConsoleMe,
  ObjectDetail,
  PartnerPage,
  PartnerPreview,
  SuspendDraft,
} from '../../services/console-types.js'
import { flowsMatrix } from '../../services/flows.js'
import { previewResumption, previewSuspension } from '../../services/order-impact.js'
import { fail, oneOf, stringList } from '../../services/policy-input.js'
import { explainObject } from '../../services/policy-views.js'
import { TYPE_SPECS } from '../../stix/spec/index.js'
import type { PrincipalRecord, PrincipalRole } from '../../store/types.js'
import { forbidden, notFound } from '../errors.js'
import { SUSPEND_BODY } from './admin-routes.js'
import { type JsonRequest, type JsonRoute, str } from './json-api.js'

/**
 * Which roles may use which part of the console (see ConsoleCan in console-types.ts for the table):
 * officers and auditors see flows and partner pages, only officers (and admins) preview and issue orders,
 * analysts browse intelligence, auditors and partners read the ledger, a partner sees only itself.
 */
export const CONSOLE_ACCESS = {
  flows: roleList([...ALLOWED.policyRead, 'partner']),
  orders: roleList(ALLOWED.policyChange),
  intel: roleList(ALLOWED.search),
  ledger: roleList(ALLOWED.ledger),
  federation: roleList(['admin']),
} as const satisfies Record<string, PrincipalRole[]>

/** What `GET /console-api/me` tells the console the principal may do. */
export function consoleCan(principal: PrincipalRecord): ConsoleCan {
  return {
    readFlows: hasRole(principal, CONSOLE_ACCESS.flows),
    readPolicy: hasRole(principal, ALLOWED.policyRead),
    changePolicy: hasRole(principal, CONSOLE_ACCESS.orders),
    readIntel: hasRole(principal, CONSOLE_ACCESS.intel),
    readLedger: hasRole(principal, CONSOLE_ACCESS.ledger),
    readFederation: hasRole(principal, CONSOLE_ACCESS.federation),
  }
}

const EVERYONE = roleList(ROLES)
const POLICY_VIEW = CONSOLE_ACCESS.flows
const CHANGE = CONSOLE_ACCESS.orders
const INTEL = CONSOLE_ACCESS.intel
const PAGE_SIZES = [25, 50, 100, 200]

/** A partner principal may only ask about itself. */
function ownPartner(principal: PrincipalRecord, requested: string): string {
  if (principal.role !== 'partner') return requested
  if (principal.partnerId !== requested) throw forbidden('a partner may see its own pages only')
  return requested
}

function draftFrom(body: Record<string, unknown>): SuspendDraft {
  const list = (name: string) =>
    body[name] === undefined || body[name] === '' ? undefined : stringList(body[name], name)
  const collections = list('collections')
  const types = list('object_types')
  const markings = list('markings')
  const labels = list('labels')
  return {
    partner: str(body.partner) ?? fail('partner is required'),
    ...(collections ? { collections } : {}),
    ...(types ? { object_types: types } : {}),
    ...(markings ? { markings } : {}),
    ...(labels ? { labels } : {}),
    ...(str(body.above_tlp) ? { above_tlp: str(body.above_tlp)! } : {}),
    ...(str(body.effective_from) ? { effective_from: str(body.effective_from)! } : {}),
  }
}

/** Partners see counts of what they receive, not of what is withheld from them or why. */
function partnerSafePreview(preview: PartnerPreview): PartnerPreview {
  const byCollection: PartnerPreview['byCollection'] = {}
  for (const [c, n] of Object.entries(preview.byCollection)) {
    if (n.allowed + n.redacted > 0) byCollection[c] = { allowed: n.allowed, redacted: n.redacted, denied: 0 }
  }
  const { allowed, redacted } = preview
  return { ...preview, total: allowed + redacted, denied: 0, deniedByReason: {}, byCollection }
}

/**
 * A partner's own page: what it receives, but neither what is withheld nor why. An order's reason is
 * internal and its scope may name collections hidden from the partner, so the ledger only commits to them
 * (docs/POLICY.md); here the partner sees that an order is whole or narrowed, with its issuer and times.
 */
function withoutReason<T extends { reason?: string }>({ reason: _reason, ...rest }: T): Omit<T, 'reason'> {
  return rest
}

function partnerSafe(page: PartnerPage): PartnerPage {
  const orders = page.orders
    .map((order) => withoutReason(order))
    .map(({ lift, ...o }) => ({
      ...o,
      scope: o.scope === WHOLE_PARTNER ? o.scope : 'narrowed sharing (scope withheld)',
      ...(lift ? { lift: withoutReason(lift) } : {}),
    }))
  return { ...page, orders, ...(page.preview ? { preview: partnerSafePreview(page.preview) } : {}) }
}

/** The predefined STIX 2.1 types, sorted once. */
const STIX_TYPES = [...TYPE_SPECS.keys()].sort()

/**
 * The console's own API (`/console-api/…`): views that combine policy, ledger and store for one screen each.
 * Changes (orders) go through the admin API; reads of intelligence go through the disclosure gate.
 */
export function consoleRoutes(services: NodeServices): JsonRoute[] {
  const { store, policy, gate } = services
  const now = () => new Date().toISOString()
  const session = (req: JsonRequest): Promise<GateSession> =>
    gate.open(
      {
        principalId: req.principal.id,
        // the gate governs partners by policy and everyone else by role and grants: it gets the role as it is
        role: req.principal.role as Viewer['role'],
        ...(req.principal.partnerId ? { partnerId: req.principal.partnerId } : {}),
        requestId: req.requestId,
      },
      now(),
    )
  const markings = async () => knownMarkings(await policy.history())
  return [
    {
      method: 'GET',
      path: ['me'],
      roles: EVERYONE,
      handle: async ({ principal }): Promise<ConsoleMe> => {
        const can = consoleCan(principal)
        if (principal.role !== 'partner' || !principal.partnerId) {
          return { role: principal.role, name: principal.name, can }
        }
        const partner = await policy.partner(principal.partnerId)
        return { role: 'partner', name: principal.name, partner: { id: partner.id, name: partner.name }, can }
      },
    },
    {
      method: 'GET',
      path: ['flows'],
      roles: POLICY_VIEW,
      handle: async ({ principal }) =>
        flowsMatrix(services, now(), principal.role === 'partner' ? (principal.partnerId ?? '') : undefined),
    },
    {
      method: 'GET',
      path: ['partners', ':id'],
      roles: POLICY_VIEW,
      handle: async ({ principal, params, url }) => {
        const later = oneOf(url.searchParams.get('preview'), ['later'], 'preview') === 'later'
        const page = await partnerPage(services, ownPartner(principal, params.id!), now(), !later)
        return principal.role === 'partner' ? partnerSafe(page) : page
      },
    },
    {
      method: 'GET',
      path: ['partners', ':id', 'preview'],
      roles: POLICY_VIEW,
      handle: async ({ principal, params }) => {
        const preview = await partnerPreview(services, ownPartner(principal, params.id!), now())
        return principal.role === 'partner' ? partnerSafePreview(preview) : preview
      },
    },
    {
      method: 'POST',
      path: ['impact', 'suspend'],
      roles: CHANGE,
      body: SUSPEND_BODY,
      handle: async ({ body }) => previewSuspension(services, draftFrom(body), now()),
    },
    {
      method: 'POST',
      path: ['impact', 'resume', ':id'],
      roles: CHANGE,
      body: { effective_from: 'string' },
      handle: async ({ body, params }) =>
        previewResumption(services, params.id!, str(body.effective_from), now()),
    },
    {
      method: 'GET',
      path: ['collections'],
      roles: INTEL,
      handle: async (req) => {
        const s = await session(req)
        return (await store.listCollections())
          .filter((c) => s.collectionAccess(c).canRead)
          .map((c) => ({ id: c.id, title: c.title, ...(c.alias ? { alias: c.alias } : {}) }))
      },
    },
    {
      // the predefined STIX 2.1 types, for the search's type filter: the standard's, not the node's, so the
      // list tells a partner nothing about what is stored
      method: 'GET',
      path: ['types'],
      roles: INTEL,
      handle: async () => STIX_TYPES,
    },
    {
      method: 'GET',
      path: ['markings'],
      roles: INTEL,
      handle: async () => markingCatalogue(await markings()),
    },
    {
      method: 'GET',
      path: ['objects'],
      roles: INTEL,
      handle: async (req) => {
        const q = req.url.searchParams
        const limit = Number(q.get('limit') ?? 50)
        if (!PAGE_SIZES.includes(limit)) fail(`limit must be one of ${PAGE_SIZES.join(', ')}`)
        const opt = (name: string) => {
          const v = q.get(name)?.trim()
          return v ? { [name]: v } : {}
        }
        return searchObjects(store, await session(req), await markings(), {
          limit,
          ...opt('collection'),
          ...opt('type'),
          ...opt('label'),
          ...opt('marking'),
          ...opt('q'),
          ...opt('cursor'),
        })
      },
    },
    {
      method: 'GET',
      path: ['objects', ':id'],
      roles: INTEL,
      handle: async (req): Promise<ObjectDetail> => {
        const id = req.params.id!
        const s = await session(req)
        const { served, views } = await objectVersions(store, s, await markings(), id)
        if (views.length === 0) throw notFound(`object ${id}`)
        await s.record(served)
        const newest = views.at(-1)!.object
        const detail: ObjectDetail = {
          id,
          type: String(newest.type),
          name: String(newest.name ?? newest.value ?? id),
          versions: views,
        }
        if (hasRole(req.principal, ALLOWED.policyExplain)) {
          const at = now()
          detail.decisions = []
          for (const p of (await policy.history()).partners) {
            const [first] = await explainObject(store, policy, p.id, id, at)
            if (first)
              detail.decisions.push({
                partner: p.id,
                name: p.name,
                effect: first.decision.effect,
                lines: first.lines,
              })
          }
        }
        return detail
      },
    },
    {
      method: 'GET',
      path: ['objects', ':id', 'graph'],
      roles: INTEL,
      handle: async (req) => objectGraph(store, await session(req), req.params.id!),
    },
  ]
}
