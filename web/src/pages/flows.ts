import type { FlowRow, FlowsMatrix } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { announce, clear, fmt, h } from '../dom.js'
import { href } from '../router.js'
import { session } from '../session.js'
import { empty, errorBox, heading, loading, statusBadge } from '../ui.js'
import { openSuspendDialog } from './order-dialog.js'
import { activeOrdersPanel } from './orders-panel.js'

const POLL_MS = 4000

function cellView(row: FlowRow, cell: FlowRow['cells'][number], matrix: FlowsMatrix): HTMLElement {
  const collection = matrix.collections.find((c) => c.id === cell.collectionId)
  const label = `${row.partner.name}, ${collection?.alias ?? collection?.title}: ${statusBadge(cell.status).textContent}`
  return h(
    'td',
    {
      class: `cell status-${cell.status}`,
      'data-collection': collection?.alias ?? cell.collectionId,
      'data-status': cell.status,
      'aria-label': label,
    },
    statusBadge(cell.status),
    cell.maxTlp ? h('span', { class: 'ceiling' }, `up to TLP:${cell.maxTlp.toUpperCase()}`) : null,
    cell.status === 'no-agreement'
      ? null
      : h(
          'span',
          { class: 'counts' },
          h('span', { title: 'disclosures in the last 24 hours' }, `${fmt.int(cell.disclosures24h)} in 24 h`),
          ' · ',
          h(
            'span',
            { title: 'disclosures since the last signed checkpoint' },
            `${fmt.int(cell.disclosuresSinceCheckpoint)} since checkpoint`,
          ),
        ),
    cell.orders.length > 0
      ? h(
          'span',
          { class: 'orders' },
          `${cell.orders.length} active order${cell.orders.length > 1 ? 's' : ''}`,
        )
      : null,
    cell.scheduled.length > 0
      ? h('span', { class: 'orders scheduled' }, `${cell.scheduled.length} scheduled`)
      : null,
  )
}

function matrixTable(matrix: FlowsMatrix): HTMLElement {
  if (matrix.rows.length === 0)
    return empty(
      'No partners yet.',
      'Partners and agreements are added through the admin API or "sluice partners add".',
    )
  if (matrix.collections.length === 0)
    return empty('No collections yet.', 'Create a collection to start sharing.')
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'matrix', id: 'flows-matrix' },
      h('caption', {}, `Partners × collections at ${fmt.time(matrix.at)}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Partner'),
          matrix.collections.map((c) => h('th', { scope: 'col' }, c.alias ?? c.title)),
          h('th', { scope: 'col' }, 'All collections'),
        ),
      ),
      h(
        'tbody',
        {},
        matrix.rows.map((row) =>
          h(
            'tr',
            { 'data-partner': row.partner.id },
            h(
              'th',
              { scope: 'row' },
              h('a', { href: href(`/partners/${encodeURIComponent(row.partner.id)}`) }, row.partner.name),
              h('span', { class: 'kind' }, row.partner.kind),
            ),
            row.cells.map((cell) => cellView(row, cell, matrix)),
            h(
              'td',
              { class: 'total' },
              h('span', {}, `${fmt.int(row.disclosures24h)} in 24 h`),
              h(
                'span',
                {},
                `${fmt.int(row.disclosuresSinceCheckpoint)} since checkpoint (log ${fmt.int(row.logSize)}, checkpoint ${fmt.int(row.checkpointSize)})`,
              ),
              row.truncated ? h('span', { class: 'hint' }, 'counts are a lower bound') : null,
            ),
          ),
        ),
      ),
    ),
  )
}

function legend(): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    (['allowed', 'partial', 'suspended', 'no-agreement'] as const).map((s) =>
      h('li', {}, statusBadge(s), h('span', {}, LEGEND[s])),
    ),
  )
}

const LEGEND = {
  allowed: 'agreement in force, no order',
  partial: 'an order withholds part (by type, marking, label or TLP)',
  suspended: 'an order withholds everything',
  'no-agreement': 'nothing is shared',
}

/** The first screen: what flows to whom right now, refreshed every few seconds. */
export async function renderFlows(main: HTMLElement): Promise<() => void> {
  const admin = session.can('readPolicy')
  const change = session.can('changePolicy')
  const matrixBox = h(
    'section',
    { 'aria-labelledby': 'matrix-title' },
    h('h2', { id: 'matrix-title', class: 'visually-hidden' }, 'Flows matrix'),
    loading('Loading flows'),
  )
  const stamp = h('span', { class: 'stamp', role: 'status' })
  const ordersBox = admin ? h('section', { class: 'panel', 'aria-labelledby': 'orders-title' }) : null
  let last = ''
  let version = -1
  let matrix: FlowsMatrix | undefined
  let ordersStaleAt: number | undefined
  let unreachable = false
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined

  const refreshOrders = async () => {
    if (!ordersBox || !matrix) return
    const panel = await activeOrdersPanel(matrix, change, () => void tick(true))
    ordersStaleAt = panel.staleAt
    clear(ordersBox, ...panel.content)
  }

  const poll = async (force: boolean): Promise<void> => {
    let next: FlowsMatrix
    try {
      next = await api.get<FlowsMatrix>('/console-api/flows')
    } catch (error) {
      unreachable = true
      clear(
        matrixBox,
        errorBox(error, () => void tick(true)),
      )
      return
    }
    // the error box stands where the matrix was: back in reach, the page is drawn again even if unchanged
    const redraw = force || unreachable
    unreachable = false
    matrix = next
    const text = JSON.stringify({ ...next, at: '' })
    const policyChanged = last !== '' && next.policyVersion !== version
    if (text !== last || redraw) {
      last = text
      clear(
        matrixBox,
        h('h2', { id: 'matrix-title', class: 'visually-hidden' }, 'Flows matrix'),
        matrixTable(next),
      )
    }
    const ordersDue = ordersStaleAt !== undefined && Date.parse(next.at) >= ordersStaleAt
    if (policyChanged || version === -1 || redraw || ordersDue) await refreshOrders()
    if (policyChanged) announce('Sharing policy changed: the flows matrix is updated.')
    version = next.policyVersion
    stamp.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`
  }

  const tick = async (force = false): Promise<void> => {
    clearTimeout(timer)
    if (stopped) return
    if (!document.hidden || force) await poll(force)
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS)
  }

  const issue = change
    ? h(
        'button',
        {
          type: 'button',
          class: 'primary',
          id: 'issue-order',
          onclick: () => {
            if (matrix) openSuspendDialog(matrix, undefined, () => void tick(true))
          },
        },
        'Issue an order…',
      )
    : null
  main.append(
    heading(
      'Flows',
      admin
        ? 'What this node sends to whom, right now. The matrix refreshes every few seconds.'
        : 'What your agency receives from this node, right now.',
    ),
    h('div', { class: 'toolbar' }, issue, stamp),
    legend(),
    matrixBox,
  )
  if (ordersBox) main.append(ordersBox)
  await tick(true)
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
