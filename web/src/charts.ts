import type { DayCount, PartnerPage } from '../../src/services/console-types.js'
import { fmt, h, s } from './dom.js'

const W = 1000
const H = 180
const PAD = { left: 44, right: 12, top: 12, bottom: 28 }

/**
 * A bar chart of counts per time bucket, as plain SVG. The bars are for the eye; the same numbers are in a
 * table inside a disclosure widget for screen readers and anyone who wants exact values.
 */
export function barChart(
  series: DayCount[],
  title: string,
  tick: (iso: string) => string,
  every: number,
): HTMLElement {
  const max = Math.max(1, ...series.map((b) => b.count))
  const innerW = W - PAD.left - PAD.right
  const innerH = H - PAD.top - PAD.bottom
  const bw = innerW / series.length
  const total = series.reduce((n, b) => n + b.count, 0)
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      class: 'chart',
      role: 'img',
      'aria-label': `${title}: ${fmt.int(total)} in total, at most ${fmt.int(max)} in one bucket`,
    },
    s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: 'axis' }),
    [0, max].map((v) =>
      s('text', { x: PAD.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, fmt.int(v)),
    ),
    series.map((b, i) =>
      s(
        'rect',
        {
          x: PAD.left + i * bw + 1,
          y: y(b.count),
          width: Math.max(1, bw - 2),
          height: Math.max(0, y(0) - y(b.count)),
          class: b.count > 0 ? 'bar' : 'bar zero',
        },
        s('title', {}, `${tick(b.start)}: ${fmt.int(b.count)}`),
      ),
    ),
    series.map((b, i) =>
      i % every === 0
        ? s(
            'text',
            { x: PAD.left + i * bw + bw / 2, y: H - 8, class: 'tick', 'text-anchor': 'middle' },
            tick(b.start),
          )
        : null,
    ),
  )
  return h(
    'figure',
    { class: 'chart-box' },
    h('figcaption', {}, title),
    svg,
    h(
      'details',
      {},
      h('summary', {}, 'Show the numbers'),
      h(
        'table',
        { class: 'compact' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'From'), h('th', { scope: 'col' }, 'Disclosures')),
        ),
        h(
          'tbody',
          {},
          series
            .filter((b) => b.count > 0)
            .map((b) => h('tr', {}, h('td', {}, fmt.time(b.start)), h('td', {}, fmt.int(b.count)))),
        ),
      ),
    ),
  )
}

/** Orders as bars on a time axis: from effective to lifted (or open-ended), coloured by status. */
export function orderTimeline(orders: PartnerPage['orders'], now: string): HTMLElement {
  const nowMs = Date.parse(now)
  const starts = orders.map((o) => Date.parse(o.effective_from))
  const ends = orders.map((o) => (o.lifted_at ? Date.parse(o.lifted_at) : nowMs))
  const from = Math.min(nowMs - 3 * 86400_000, ...starts)
  const to = Math.max(nowMs + 86400_000, ...ends, ...starts) + 3600_000
  const rowH = 26
  const height = PAD.top + orders.length * rowH + PAD.bottom
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * (W - PAD.left - PAD.right)
  const days: number[] = []
  for (let d = Math.ceil(from / 86400_000) * 86400_000; d <= to; d += 86400_000) days.push(d)
  const step = Math.max(1, Math.ceil(days.length / 10))
  return h(
    'figure',
    { class: 'chart-box' },
    h('figcaption', {}, 'Order timeline'),
    s(
      'svg',
      {
        viewBox: `0 0 ${W} ${height}`,
        class: 'chart timeline',
        role: 'img',
        'aria-label': `Timeline of ${orders.length} orders; the list below gives each one in words`,
      },
      days.map((d, i) =>
        i % step === 0
          ? [
              s('line', { x1: x(d), x2: x(d), y1: PAD.top - 4, y2: height - PAD.bottom, class: 'grid' }),
              s(
                'text',
                { x: x(d), y: height - 8, class: 'tick', 'text-anchor': 'middle' },
                new Date(d).toISOString().slice(5, 10),
              ),
            ]
          : null,
      ),
      s('line', { x1: x(nowMs), x2: x(nowMs), y1: PAD.top - 6, y2: height - PAD.bottom, class: 'now' }),
      s('text', { x: x(nowMs) + 4, y: PAD.top + 2, class: 'tick now-label' }, 'now'),
      orders.map((o, i) => {
        const a = x(Date.parse(o.effective_from))
        const b = x(
          o.lifted_at
            ? Date.parse(o.lifted_at)
            : o.status === 'cancelled'
              ? Date.parse(o.effective_from)
              : o.status === 'lifted'
                ? nowMs
                : to,
        )
        return s(
          'rect',
          {
            x: a,
            y: PAD.top + i * rowH + 4,
            width: Math.max(3, b - a),
            height: rowH - 10,
            rx: 3,
            class: `span order-${o.status}`,
          },
          s(
            'title',
            {},
            `${o.scope}: ${o.status}, from ${fmt.time(o.effective_from)}${o.lifted_at ? ` to ${fmt.time(o.lifted_at)}` : ''}`,
          ),
        )
      }),
    ),
  )
}
