import type { FlowsMatrix } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { fmt, h } from '../dom.js'
import { href } from '../router.js'
import { empty, errorBox } from '../ui.js'
import { openResumeDialog } from './order-dialog.js'
import { type ScopeView, scopeText } from './order-scope.js'

/** A suspension as GET /admin/orders returns it. */
export interface OrderView {
  order: {
    kind: 'suspension' | 'resumption'
    id: string
    partner_id?: string
    scope?: ScopeView
    reason: string
    issuer: string
    effective_from: string
    reference?: string
  }
  status: 'scheduled' | 'active' | 'lifted' | 'resumption'
}

/** The panel, and when it goes stale: the first instant after `matrix.at` at which an order takes effect. */
export interface OrdersPanel {
  content: HTMLElement[]
  staleAt?: number
}

/**
 * A scheduled order coming into force, or a scheduled lift, changes the panel without changing the policy
 * version: no record is added, only the clock moves past an order's start.
 */
function nextOrderStart(views: OrderView[], now: string): number | undefined {
  const t = Date.parse(now)
  const starts = views.map((v) => Date.parse(v.order.effective_from)).filter((start) => start > t)
  return starts.length > 0 ? Math.min(...starts) : undefined
}

/** Orders in effect or scheduled, each with a way to lift it. */
export async function activeOrdersPanel(
  matrix: FlowsMatrix,
  mayChange: boolean,
  changed: () => void,
): Promise<OrdersPanel> {
  let views: OrderView[]
  try {
    views = await api.get<OrderView[]>('/admin/orders')
  } catch (error) {
    return { content: [h('h2', { id: 'orders-title' }, 'Orders in effect'), errorBox(error)] }
  }
  const staleAt = nextOrderStart(views, matrix.at)
  return {
    content: ordersList(views, matrix, mayChange, changed),
    ...(staleAt === undefined ? {} : { staleAt }),
  }
}

function ordersList(
  views: OrderView[],
  matrix: FlowsMatrix,
  mayChange: boolean,
  changed: () => void,
): HTMLElement[] {
  const title = h('h2', { id: 'orders-title' }, 'Orders in effect')
  const open = views.filter(
    (v) => v.order.kind === 'suspension' && (v.status === 'active' || v.status === 'scheduled'),
  )
  if (open.length === 0)
    return [
      title,
      empty('No suspension is in effect or scheduled.', 'Every partner receives what its agreement allows.'),
    ]
  const name = (id?: string) => matrix.rows.find((r) => r.partner.id === id)?.partner.name ?? id ?? '?'
  return [
    title,
    h(
      'ul',
      { class: 'order-list', id: 'active-orders' },
      open.map((v) =>
        h(
          'li',
          { 'data-order': v.order.id },
          h(
            'div',
            {},
            h(
              'a',
              { href: href(`/partners/${encodeURIComponent(v.order.partner_id ?? '')}`) },
              name(v.order.partner_id),
            ),
            ': ',
            h('strong', {}, scopeText(v.order.scope, matrix)),
            h('span', { class: `badge order-${v.status}` }, v.status),
          ),
          h(
            'div',
            { class: 'meta' },
            `“${v.order.reason}” — ${v.order.issuer}, from ${fmt.time(v.order.effective_from)}`,
            v.order.reference ? ` · ref. ${v.order.reference}` : '',
          ),
          mayChange &&
            h(
              'button',
              {
                type: 'button',
                class: 'resume',
                // several buttons read "Resume…": the name says which order each lifts
                'aria-label': `${v.status === 'scheduled' ? 'Cancel the scheduled order for' : 'Resume sharing with'} ${name(v.order.partner_id)}: ${scopeText(v.order.scope, matrix)}`,
                onclick: () =>
                  openResumeDialog(
                    {
                      id: v.order.id,
                      partner: name(v.order.partner_id),
                      scope: scopeText(v.order.scope, matrix),
                      ...(v.status === 'scheduled' ? { scheduledFrom: v.order.effective_from } : {}),
                    },
                    changed,
                    (id) => matrix.collections.find((c) => c.id === id)?.alias ?? id,
                  ),
              },
              // a scheduled order never took effect: lifting it cancels it
              v.status === 'scheduled' ? 'Cancel…' : 'Resume…',
            ),
        ),
      ),
    ),
  ]
}
