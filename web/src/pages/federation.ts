import type { FederationFeed, FederationPush, FlowsMatrix } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { announce, clear, fmt, h } from '../dom.js'
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

function feedsTable(rows: HealthRow[], onPoll: (id: string) => void): HTMLElement {
  if (rows.length === 0)
    return empty(FEEDS_EMPTY, 'A feed pulls a partner node’s collection into one of ours.')
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'compact health', id: 'feeds-table' },
      h('caption', {}, 'Feeds: collections this node pulls from partner nodes'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
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
          ].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
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
    ),
  )
}

function pushesTable(rows: HealthRow[]): HTMLElement {
  if (rows.length === 0)
    return empty(PUSHES_EMPTY, 'A push offers one of our collections to a partner node, as policy allows.')
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'compact health', id: 'pushes-table' },
      h('caption', {}, 'Pushes: collections this node offers to partner nodes'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
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
          ].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
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
    ),
  )
}

/** Feeds and pushes with their health, refreshed every few seconds like the flows matrix. */
export async function renderFederation(main: HTMLElement): Promise<() => void> {
  const stamp = h('span', { class: 'stamp', role: 'status' })
  const summary = h('p', { class: 'sub', id: 'federation-summary' })
  const feedsBox = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'feeds-title' },
    h('h2', { id: 'feeds-title' }, 'Feeds'),
    loading('Loading feeds'),
  )
  const pushesBox = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'pushes-title' },
    h('h2', { id: 'pushes-title' }, 'Pushes'),
    loading('Loading pushes'),
  )
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
        const [feeds, pushes] = await Promise.all([
          api.get<FederationFeed[]>('/federation/feeds'),
          api.get<FederationPush[]>('/federation/pushes'),
        ])
        const now = Date.now()
        const feedRows = feeds.map((f) => feedRow(f, now, names))
        const pushRows = pushes.map((p) => pushRow(p, now, names))
        // re-render when the node's answer changes (not merely the clock), so focus is not lost every few seconds
        const text = JSON.stringify([feeds, pushes], (k, v) => (k === 'lagSeconds' ? undefined : v))
        if (text !== last || force) {
          last = text
          const focused = document.activeElement?.getAttribute('aria-label')
          clear(
            feedsBox,
            h('h2', { id: 'feeds-title' }, 'Feeds'),
            feedsTable(feedRows, (id) => void poll(id)),
          )
          clear(pushesBox, h('h2', { id: 'pushes-title' }, 'Pushes'), pushesTable(pushRows))
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
        clear(
          feedsBox,
          h('h2', { id: 'feeds-title' }, 'Feeds'),
          errorBox(error, () => void tick(true)),
        )
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS)
  }

  main.append(
    heading(
      'Federation',
      'Partner nodes this node pulls from and pushes to, and whether each link is healthy. Refreshes every few seconds.',
    ),
    h('div', { class: 'toolbar' }, summary, stamp),
    feedsBox,
    pushesBox,
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
