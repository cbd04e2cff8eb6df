import type {
  FederationFeed,
  FederationPush,
  FederationWithdrawal,
  FlowsMatrix,
  PartnerNodeKey,
} from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { announce, clear, fmt, h } from '../dom.js'
import { href } from '../router.js'
import { empty, errorBox, heading, loading } from '../ui.js'
import {
  FEEDS_EMPTY,
  federationSummary,
  feedRow,
  type HealthRow,
  type Names,
  PUSHES_EMPTY,
  pushRow,
} from './federation-model.js'
import {
  ACKNOWLEDGED_SHOWN,
  PARTNER_KEYS_EMPTY,
  type PartnerKeyRow,
  partnerKeyRow,
  WITHDRAWALS_EMPTY,
  type WithdrawalRow,
  withdrawalRows,
  withdrawalsSummary,
} from './withdrawals-model.js'

const POLL_MS = 4000

function badge(row: HealthRow): HTMLElement {
  return h('span', { class: `badge health-${row.status}` }, row.statusText)
}

function when(text: string, iso?: string): HTMLElement | string {
  return iso ? h('time', { datetime: iso, title: fmt.time(iso) }, text) : text
}

function errorCell(row: HealthRow): HTMLElement {
  return h(
    'td',
    { class: 'last-error' },
    row.lastError,
    row.lastErrorAt ? h('span', { class: 'hint' }, ` (${fmt.time(row.lastErrorAt)})`) : null,
  )
}

/** A table with its caption and column headers; the caller draws the body rows. */
function table(
  id: string,
  caption: string,
  columns: string[],
  body: HTMLElement[],
  cls = 'compact health',
): HTMLElement {
  return h(
    'table',
    { class: cls, id },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h('tbody', {}, body),
  )
}

function feedsTable(rows: HealthRow[], onPoll: (id: string) => void): HTMLElement {
  if (rows.length === 0)
    return empty(FEEDS_EMPTY, 'A feed pulls a partner node’s collection into one of ours.')
  return h(
    'div',
    { class: 'table-wrap' },
    table(
      'feeds-table',
      'Feeds: collections this node pulls from partner nodes',
      [
        'Feed',
        'Status',
        'Remote collection',
        'Into',
        'Partner',
        'Last success',
        'Lag',
        'Failures',
        'Last error',
        'Remote ledger',
        'Actions',
      ],
      rows.map((r) =>
        h(
          'tr',
          { 'data-feed': r.id, 'data-status': r.status, class: r.attention ? 'attention' : null },
          h('th', { scope: 'row' }, r.id, h('span', { class: 'kind' }, `every ${r.every}`)),
          h('td', {}, badge(r)),
          h('td', { class: 'remote' }, r.remote),
          h('td', {}, r.local),
          h('td', {}, r.partner),
          h('td', {}, when(r.lastSuccess, r.lastSuccessAt)),
          h('td', {}, r.lag),
          h('td', { class: 'num' }, String(r.failures)),
          errorCell(r),
          h(
            'td',
            { 'data-ledger': r.ledger?.status },
            h('span', { class: `badge ledger-${r.ledger?.status ?? 'unverified'}` }, r.ledger?.text ?? ''),
            r.ledger?.alarm ? h('span', { class: 'hint' }, ` ${r.ledger.alarm}`) : null,
            r.ledger?.key ? h('span', { class: 'hint key' }, ` ${r.ledger.key}`) : null,
          ),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'poll',
                'aria-label': `Poll feed ${r.id} now`,
                onclick: (event: MouseEvent) => {
                  ;(event.currentTarget as HTMLButtonElement).disabled = true
                  onPoll(r.id)
                },
              },
              'Poll now',
            ),
          ),
        ),
      ),
    ),
  )
}

function pushesTable(rows: HealthRow[]): HTMLElement {
  if (rows.length === 0)
    return empty(PUSHES_EMPTY, 'A push offers one of our collections to a partner node, as policy allows.')
  return h(
    'div',
    { class: 'table-wrap' },
    table(
      'pushes-table',
      'Pushes: collections this node offers to partner nodes',
      [
        'Push',
        'Status',
        'From',
        'Remote collection',
        'Partner',
        'Last success',
        'Lag',
        'Failures',
        'Last error',
        'Held back',
      ],
      rows.map((r) =>
        h(
          'tr',
          { 'data-push': r.id, 'data-status': r.status, class: r.attention ? 'attention' : null },
          h('th', { scope: 'row' }, r.id, h('span', { class: 'kind' }, `every ${r.every}`)),
          h('td', {}, badge(r)),
          h('td', {}, r.local),
          h('td', { class: 'remote' }, r.remote),
          h('td', {}, r.partner),
          h('td', {}, when(r.lastSuccess, r.lastSuccessAt)),
          h('td', {}, r.lag),
          h('td', { class: 'num' }, String(r.failures)),
          errorCell(r),
          h('td', { class: 'num' }, String(r.held ?? 0)),
        ),
      ),
    ),
  )
}

function withdrawalsTable(rows: WithdrawalRow[], leftOut: number, summary: string): HTMLElement {
  if (rows.length === 0)
    return empty(
      WITHDRAWALS_EMPTY,
      'A withdrawal stops an object reaching a partner and asks its node to stop passing it on.',
    )
  return h(
    'div',
    { class: 'table-wrap' },
    h('p', { class: 'sub', id: 'withdrawals-summary' }, summary),
    table(
      'withdrawals-table',
      'Withdrawals: objects this node withdrew from partners, and whether their nodes acknowledged',
      ['Object', 'Partner', 'Kind', 'Reason', 'Issued', 'By', 'Acknowledgement'],
      rows.map((r) =>
        h(
          'tr',
          { 'data-withdrawal': r.id, 'data-status': r.status, class: r.attention ? 'attention' : null },
          h(
            'th',
            { scope: 'row' },
            h('a', { href: href(`/objects/${encodeURIComponent(r.object)}`) }, r.object),
          ),
          h('td', {}, r.partner),
          h('td', {}, r.kind),
          h('td', {}, r.reason),
          h('td', {}, when(r.issued, r.issuedAt)),
          h('td', {}, r.by),
          h(
            'td',
            {},
            h('span', { class: `badge health-${r.status === 'pending' ? 'failing' : 'ok'}` }, r.statusText),
            r.signer ? h('span', { class: 'hint key' }, ` signed ${r.signer}`) : null,
          ),
        ),
      ),
    ),
    leftOut > 0 ? h('p', { class: 'hint' }, `${leftOut} earlier acknowledged: sluice withdraw list`) : null,
  )
}

function partnerKeysTable(rows: PartnerKeyRow[]): HTMLElement {
  if (rows.length === 0)
    return empty(
      PARTNER_KEYS_EMPTY,
      'Acknowledgements of withdrawals are checked with the partner node’s key.',
    )
  return h(
    'div',
    { class: 'table-wrap' },
    table(
      'partner-keys-table',
      'Partner node keys: what withdrawal acknowledgements are checked with',
      ['Partner', 'Key', 'Source'],
      rows.map((r) =>
        h(
          'tr',
          { 'data-pending': String(r.pending) },
          h('th', { scope: 'row' }, r.partner),
          h('td', { class: 'key', title: r.vkey }, r.key),
          h('td', {}, r.source),
        ),
      ),
      'compact',
    ),
  )
}

/** A titled section of the page, showing that it is loading until it is first filled. */
function panel(titleId: string, title: string) {
  const heading = () => h('h2', { id: titleId }, title)
  const box = h(
    'section',
    { class: 'panel', 'aria-labelledby': titleId },
    heading(),
    loading(`Loading ${title.toLowerCase()}`),
  )
  return { box, fill: (content: HTMLElement) => clear(box, heading(), content) }
}

/** Feeds and pushes with their health, refreshed every few seconds like the flows matrix. */
export async function renderFederation(main: HTMLElement): Promise<() => void> {
  const stamp = h('span', { class: 'stamp', role: 'status' })
  const summary = h('p', { class: 'sub', id: 'federation-summary' })
  const feeds = panel('feeds-title', 'Feeds')
  const pushes = panel('pushes-title', 'Pushes')
  const withdrawalsPanel = panel('withdrawals-title', 'Withdrawals')
  const keys = panel('partner-keys-title', 'Partner node keys')
  let last = ''
  let lastSummary = ''
  let names: Names | undefined
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined

  const poll = async (id: string) => {
    announce(`Polling feed ${id}…`)
    try {
      await api.post(`/federation/feeds/${encodeURIComponent(id)}/poll`, {})
    } catch {
      // the failure shows in the feed's health, which the refresh below brings in
    }
    await tick(true)
  }

  const tick = async (force = false): Promise<void> => {
    clearTimeout(timer)
    if (stopped) return
    if (!document.hidden || force) {
      try {
        const [feedList, pushList, { withdrawals, acknowledged_left_out: older = 0 }, partnerKeys] =
          await Promise.all([
            api.get<FederationFeed[]>('/federation/feeds'),
            api.get<FederationPush[]>('/federation/pushes'),
            // the node keeps every acknowledged one; the page needs only the newest
            api.get<{ withdrawals: FederationWithdrawal[]; acknowledged_left_out?: number }>(
              `/federation/withdrawals?acknowledged_limit=${ACKNOWLEDGED_SHOWN}`,
            ),
            api.get<PartnerNodeKey[]>('/federation/partner-keys'),
          ])
        const now = Date.now()
        const feedRows = feedList.map((f) => feedRow(f, now, names))
        const pushRows = pushList.map((p) => pushRow(p, now, names))
        // re-render when the node's answer changes (not merely the clock), so focus is not lost every few seconds
        const text = JSON.stringify([feedList, pushList, withdrawals, older, partnerKeys], (k, v) =>
          k === 'lagSeconds' ? undefined : v,
        )
        if (text !== last || force) {
          last = text
          const focused = document.activeElement?.getAttribute('aria-label')
          feeds.fill(feedsTable(feedRows, (id) => void poll(id)))
          pushes.fill(pushesTable(pushRows))
          const shown = withdrawalRows(withdrawals, now, names, older)
          withdrawalsPanel.fill(
            withdrawalsTable(shown.rows, shown.leftOut, withdrawalsSummary(withdrawals, older)),
          )
          keys.fill(partnerKeysTable(partnerKeys.map((k) => partnerKeyRow(k, names))))
          if (focused)
            main
              .querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)
              ?.focus({ preventScroll: true })
          const said = federationSummary(feedRows, pushRows)
          summary.textContent = said
          if (lastSummary !== '' && said !== lastSummary) announce(`Federation health changed: ${said}`)
          lastSummary = said
        }
        stamp.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`
      } catch (error) {
        feeds.fill(errorBox(error, () => void tick(true)))
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS)
  }

  main.append(
    heading(
      'Federation',
      'Partner nodes this node pulls from and pushes to, whether each link is healthy, and what they acknowledged. Refreshes every few seconds.',
    ),
    h('div', { class: 'toolbar' }, summary, stamp),
    feeds.box,
    pushes.box,
    withdrawalsPanel.box,
    keys.box,
  )
  // collection aliases and partner names, once: the federation API gives ids
  try {
    const matrix = await api.get<FlowsMatrix>('/console-api/flows')
    names = {
      collection: (id) => {
        const c = matrix.collections.find((x) => x.id === id)
        return c?.alias ?? c?.title ?? id
      },
      partner: (id) => matrix.rows.find((r) => r.partner.id === id)?.partner.name ?? id,
    }
  } catch {
    names = undefined
  }
  await tick(true)
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
