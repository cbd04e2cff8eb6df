import type { FlowsMatrix, PartnerPage, PartnerPreview } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { barChart, orderTimeline } from '../charts.js'
import { clear, fmt, h } from '../dom.js'
import type { Route } from '../router.js'
import { session } from '../session.js'
import { empty, errorBox, heading, loading, markingChip } from '../ui.js'
import { openResumeDialog, openSuspendDialog } from './order-dialog.js'
import { WHOLE_PARTNER } from './order-scope.js'
import { withheldReasonText } from './withheld-reasons.js'

const previewTitle = (admin: boolean) =>
  h('h2', { id: 'preview-title' }, admin ? 'What they receive now' : 'What you receive now')

/**
 * The preview decides every stored version, the slowest part of the page: the panel is drawn at once with
 * a loading state and filled when its own request answers, so the rest of the page never waits for it.
 */
function previewPanel(page: PartnerPage, name: (id: string) => string, admin: boolean): HTMLElement {
  const partnerId = page.partner.id
  const panel = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'preview-title', 'aria-busy': 'true' },
    previewTitle(admin),
    loading('Deciding what they receive now'),
  )
  const load = async () => {
    try {
      const preview = await api.get<PartnerPreview>(
        `/console-api/partners/${encodeURIComponent(partnerId)}/preview`,
      )
      clear(panel, previewTitle(admin), ...previewBody(preview, name, admin, page))
    } catch (error) {
      clear(
        panel,
        previewTitle(admin),
        errorBox(error, () => void load()),
      )
    }
    panel.setAttribute('aria-busy', 'false')
  }
  void load()
  return panel
}

/** The active order that suspends all sharing, the earliest if several: it is why nothing is shared. */
function wholeSuspension(page: PartnerPage): PartnerPage['orders'][number] | undefined {
  return page.orders
    .filter((o) => o.status === 'active' && o.scope === WHOLE_PARTNER)
    .sort((a, b) => Date.parse(a.effective_from) - Date.parse(b.effective_from))[0]
}

/**
 * An empty table says nothing on its own: that nothing is shared is said in words, with the order that
 * suspends all sharing when there is one, since that is what the reader will want to know next.
 */
function nothingSharedText(page: PartnerPage, admin: boolean): HTMLElement {
  const who = admin ? 'this partner' : 'you'
  const order = wholeSuspension(page)
  if (!order) return h('p', { id: 'nothing-shared' }, `Nothing is shared with ${who} now.`)
  return h(
    'p',
    { id: 'nothing-shared' },
    `Nothing is shared with ${who} now: all sharing is suspended by order `,
    h('code', { title: order.id }, fmt.short(order.id)),
    order.reference ? ` (ref. ${order.reference})` : '',
    ` since ${fmt.time(order.effective_from)}.`,
  )
}

function previewBody(
  p: PartnerPreview,
  name: (id: string) => string,
  admin: boolean,
  page: PartnerPage,
): (HTMLElement | null)[] {
  const rows = Object.entries(p.byCollection).filter(([, n]) => admin || n.allowed + n.redacted > 0)
  return [
    h(
      'dl',
      { class: 'stats' },
      h('div', {}, h('dt', {}, 'Whole'), h('dd', { id: 'preview-allowed' }, fmt.int(p.allowed))),
      h('div', {}, h('dt', {}, 'Redacted'), h('dd', {}, fmt.int(p.redacted))),
      admin
        ? h('div', {}, h('dt', {}, 'Withheld'), h('dd', { id: 'preview-denied' }, fmt.int(p.denied)))
        : null,
    ),
    p.allowed + p.redacted === 0 ? nothingSharedText(page, admin) : null,
    rows.length === 0
      ? null
      : h(
          'table',
          { class: 'compact' },
          h('caption', {}, `By collection, at ${fmt.time(p.at)}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Collection'),
              h('th', { scope: 'col' }, 'Whole'),
              h('th', { scope: 'col' }, 'Redacted'),
              admin ? h('th', { scope: 'col' }, 'Withheld') : null,
            ),
          ),
          h(
            'tbody',
            {},
            rows.map(([c, n]) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, name(c)),
                h('td', {}, fmt.int(n.allowed)),
                h('td', {}, fmt.int(n.redacted)),
                admin ? h('td', {}, fmt.int(n.denied)) : null,
              ),
            ),
          ),
        ),
    admin && Object.keys(p.deniedByReason).length > 0
      ? h(
          'details',
          {},
          h('summary', {}, 'Why objects are withheld'),
          h(
            'ul',
            {},
            Object.entries(p.deniedByReason)
              .sort((a, b) => b[1] - a[1])
              .map(([reason, n]) =>
                h('li', { title: reason }, withheldReasonText(reason, page), `: ${fmt.int(n)}`),
              ),
          ),
        )
      : null,
  ]
}

type PartnerAgreement = PartnerPage['agreements'][number]
type Grading = NonNullable<PartnerAgreement['admiralty']>

const tlpText = (level: string) => `TLP:${level.toUpperCase()}`

function gradingText(name: string, g: Grading): string {
  const axes = g.axes.map((a) => `${a.axis} ${a.accepted.join(', ')}`)
  return `${name}: ${[...axes, `ungraded ${g.ungraded === 'deny' ? 'withheld' : 'accepted'}`].join('; ')}`
}

function validityText(from: string | undefined, until: string | undefined): string | undefined {
  if (from && until) return `Valid from ${fmt.time(from)} until ${fmt.time(until)}`
  if (from) return `Valid from ${fmt.time(from)}`
  if (until) return `Valid until ${fmt.time(until)}`
  return undefined
}

/** A list of markings as the page shows them elsewhere: by label, with the id as the title. */
function markingsTerm(what: string, marks: PartnerAgreement['required_markings']): HTMLElement | null {
  return marks.length === 0 ? null : h('li', {}, `${what}: `, marks.map(markingChip))
}

function labelsTerm(what: string, labels: string[]): HTMLElement | null {
  return labels.length === 0 ? null : h('li', {}, `${what}: ${labels.join(', ')}`)
}

/**
 * Every term beyond the columns. Each one withholds objects, so leaving any out would make an agreement read
 * as more generous than it is; "none" is said outright so that an empty cell is never mistaken for unknown.
 */
function otherTerms(a: PartnerAgreement): HTMLElement {
  const text = (t: string | undefined) => (t === undefined ? null : h('li', {}, t))
  const items = [
    text(a.default_tlp ? `Objects without TLP count as ${tlpText(a.default_tlp)}` : undefined),
    labelsTerm('Requires labels', a.required_labels),
    labelsTerm('Forbids labels', a.forbidden_labels),
    markingsTerm('Requires markings', a.required_markings),
    markingsTerm('Forbids markings', a.forbidden_markings),
    text(a.admiralty && gradingText('Admiralty', a.admiralty)),
    text(a.evaluation_4x4 && gradingText('4x4', a.evaluation_4x4)),
    text(validityText(a.valid_from, a.valid_until)),
  ].filter((item) => item !== null)
  return items.length === 0 ? h('span', {}, 'none') : h('ul', { class: 'terms' }, items)
}

const AGREEMENT_COLUMNS = [
  'Agreement',
  'Version',
  'In force',
  'Collections',
  'Types',
  'Up to',
  'Caveats',
  'Effective',
]

/**
 * Two rows per agreement: the columns, then its other terms across the width the columns leave no room for.
 * The terms cell names both its row headers, so a screen reader says whose terms they are.
 */
function agreementRows(a: PartnerAgreement, index: number): HTMLElement[] {
  const rowId = `agreement-${index}`
  return [
    h(
      'tr',
      {},
      h('th', { scope: 'row', id: rowId }, h('code', { title: a.id }, fmt.short(a.id))),
      h('td', {}, String(a.version)),
      h('td', {}, a.withdrawn ? 'withdrawn' : a.inForce ? 'yes' : 'no'),
      h('td', {}, a.collections === '*' ? 'all' : a.collections.join(', ')),
      h('td', {}, a.object_types === '*' ? 'all' : a.object_types.join(', ')),
      h('td', {}, tlpText(a.max_tlp)),
      h('td', {}, a.caveats.length === 0 ? 'none' : `${a.caveats.length}`),
      h('td', {}, fmt.time(a.effective_from)),
    ),
    h(
      'tr',
      { class: 'other-terms' },
      h('th', { scope: 'row', id: `${rowId}-terms` }, 'Other terms'),
      h(
        'td',
        { colspan: String(AGREEMENT_COLUMNS.length - 1), headers: `${rowId} ${rowId}-terms` },
        otherTerms(a),
      ),
    ),
  ]
}

function agreementsSection(page: PartnerPage): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'agreements-title' },
    h('h2', { id: 'agreements-title' }, 'Agreements'),
    page.agreements.length === 0
      ? empty('No agreement: nothing is shared with this partner.')
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'compact', id: 'agreements' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                AGREEMENT_COLUMNS.map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h('tbody', {}, page.agreements.flatMap(agreementRows)),
          ),
        ),
  )
}

type PartnerOrder = PartnerPage['orders'][number]

/** Who lifted an order and why: the resumption is as much a part of the record as the suspension. */
function liftText(order: PartnerOrder, lift: NonNullable<PartnerOrder['lift']>): string {
  const why = lift.reason === undefined ? '' : `: “${lift.reason}”`
  // lifted before it began, it never was in force: nothing was lifted, and it has no end to show
  if (order.status === 'cancelled') return `Cancelled by ${lift.issuer}${why}`
  const at = order.lifted_at
  const when = at ? ` ${lift.scheduled ? 'from' : 'at'} ${fmt.time(at)}` : ''
  return `${lift.scheduled ? 'Lift scheduled' : 'Lifted'} by ${lift.issuer}${when}${why}`
}

function ordersSection(
  page: PartnerPage,
  admin: boolean,
  reload: () => void,
  matrix?: FlowsMatrix,
): HTMLElement {
  const collectionName = (id: string) => matrix?.collections.find((c) => c.id === id)?.alias ?? id
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'orders-title' },
    h('h2', { id: 'orders-title' }, 'Orders'),
    admin && matrix
      ? h(
          'div',
          { class: 'toolbar' },
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () => openSuspendDialog(matrix, page.partner.id, reload),
            },
            `Issue an order for ${page.partner.name}…`,
          ),
        )
      : null,
    page.orders.length === 0
      ? empty('No order has ever concerned this partner.')
      : [
          orderTimeline(page.orders, page.at),
          h(
            'ol',
            { class: 'order-list' },
            page.orders.map((o) =>
              h(
                'li',
                {},
                h(
                  'div',
                  {},
                  h('strong', {}, o.scope),
                  h('span', { class: `badge order-${o.status}` }, o.status),
                ),
                h(
                  'div',
                  { class: 'meta' },
                  `${o.reason === undefined ? '' : `“${o.reason}” — `}${o.issuer}; from ${fmt.time(o.effective_from)}`,
                  o.lifted_at ? ` until ${fmt.time(o.lifted_at)}` : '',
                  o.backdated_until
                    ? ` · backdated: reads until ${fmt.time(o.backdated_until)} went out without it`
                    : '',
                  o.reference ? ` · ref. ${o.reference}` : '',
                ),
                o.lift ? h('div', { class: 'meta lift' }, liftText(o, o.lift)) : null,
                admin && o.status !== 'lifted' && o.status !== 'cancelled'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'resume',
                        'aria-label': `${o.status === 'scheduled' ? 'Cancel the scheduled order' : 'Resume sharing'}: ${o.scope}`,
                        onclick: () =>
                          openResumeDialog(
                            {
                              id: o.id,
                              partner: page.partner.name,
                              scope: o.scope,
                              ...(o.status === 'scheduled' ? { scheduledFrom: o.effective_from } : {}),
                            },
                            reload,
                            collectionName,
                          ),
                      },
                      // a scheduled order never took effect: lifting it cancels it
                      o.status === 'scheduled' ? 'Cancel…' : 'Resume…',
                    )
                  : null,
              ),
            ),
          ),
        ],
  )
}

function disclosuresSection(page: PartnerPage): HTMLElement {
  const hour = (iso: string) => `${iso.slice(11, 13)}h`
  const day = (iso: string) => iso.slice(5, 10)
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'disclosures-title' },
    h('h2', { id: 'disclosures-title' }, 'Disclosures over time'),
    h(
      'p',
      { class: 'hint' },
      'Counted from this partner’s ledger log: every object version sent is one entry.',
      page.disclosures.truncated ? ' Only the newest entries were read; older buckets are incomplete.' : '',
    ),
    barChart(page.disclosures.hourly, 'Per hour, last 48 hours (UTC)', hour, 6),
    barChart(page.disclosures.daily, 'Per day, last 30 days (UTC)', day, 5),
  )
}

/** One partner: agreements, orders on a timeline, disclosures over time, and what it receives now. */
export async function renderPartner(
  main: HTMLElement,
  route: Extract<Route, { page: 'partner' }>,
): Promise<void> {
  const admin = !session.isPartner()
  const change = session.can('changePolicy')
  const body = h('div', {}, loading('Loading the partner'))
  main.append(body)
  const load = async () => {
    try {
      const [page, matrix] = await Promise.all([
        api.get<PartnerPage>(`/console-api/partners/${encodeURIComponent(route.id)}?preview=later`),
        api.get<FlowsMatrix>('/console-api/flows'),
      ])
      const name = (id: string) => matrix.collections.find((c) => c.id === id)?.alias ?? id
      clear(
        body,
        heading(page.partner.name, `${page.partner.kind} · ${page.partner.identity_id}`),
        h('div', { class: 'grid two lead-narrow' }, previewPanel(page, name, admin), agreementsSection(page)),
        ordersSection(page, change, () => void load(), matrix),
        disclosuresSection(page),
      )
    } catch (error) {
      clear(
        body,
        heading('Partner'),
        errorBox(error, () => void load()),
      )
    }
  }
  await load()
}
