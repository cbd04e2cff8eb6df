import type { ObjectGraph } from '../../../src/services/console-types.js'
import { h, s } from '../dom.js'
import { href, navigate } from '../router.js'
import { forceLayout } from './layout.js'

const W = 1000
const H = 560
/** Above this many nodes, only the centre and named objects carry a label (all are in the list below). */
const LABEL_ALL = 14
const QUIET_TYPES = new Set(['sighting', 'observed-data', 'indicator', 'relationship'])

const TYPE_CLASS: Record<string, string> = {
  'intrusion-set': 'n-actor',
  'threat-actor': 'n-actor',
  report: 'n-report',
  grouping: 'n-report',
  location: 'n-place',
  infrastructure: 'n-place',
  indicator: 'n-indicator',
  sighting: 'n-event',
  'observed-data': 'n-event',
}

const LEGEND: Record<string, string> = {
  'n-actor': 'networks and actors',
  'n-report': 'reports',
  'n-place': 'places and infrastructure',
  'n-indicator': 'indicators',
  'n-event': 'sightings and observations',
  'n-other': 'other',
}

/**
 * The neighbourhood of an object as SVG. Each node is a link (Tab to reach, Enter to open); the edge list under
 * the drawing says the same in words.
 */
export function graphView(graph: ObjectGraph): HTMLElement {
  const pos = forceLayout(graph.nodes, graph.edges, graph.center, W, H)
  const crowded = graph.nodes.length > LABEL_ALL
  const centre = pos.get(graph.center)!
  const name = new Map(graph.nodes.map((n) => [n.id, n.name]))
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      class: 'graph',
      role: 'group',
      'aria-label': `Relationship graph: ${graph.nodes.length} objects, ${graph.edges.length} links`,
    },
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: '22',
          refY: '5',
          markerWidth: '7',
          markerHeight: '7',
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }),
      ),
    ),
    graph.edges.map((e) => {
      const a = pos.get(e.source)!
      const b = pos.get(e.target)!
      return s(
        'g',
        { class: 'edge' },
        s('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, 'marker-end': 'url(#arrow)' }),
        graph.edges.length <= LABEL_ALL
          ? s('text', { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, 'text-anchor': 'middle' }, e.label)
          : s('title', {}, e.label),
      )
    }),
    graph.nodes.map((n) => {
      const p = pos.get(n.id)!
      const url = href(`/objects/${encodeURIComponent(n.id)}`)
      const label = n.name.length > 24 ? `${n.name.slice(0, 22)}…` : n.name
      const showLabel = !crowded || n.id === graph.center || !QUIET_TYPES.has(n.type)
      // labels sit outside the ring, on the side away from the centre
      const right = p.x >= centre.x
      const text =
        n.id === graph.center
          ? s('text', { x: p.x, y: p.y + 30, 'text-anchor': 'middle', class: 'center-label' }, label)
          : s(
              'text',
              { x: p.x + (right ? 14 : -14), y: p.y + 4, 'text-anchor': right ? 'start' : 'end' },
              label,
            )
      const node = s(
        'a',
        {
          href: url,
          class: `node ${TYPE_CLASS[n.type] ?? 'n-other'}${n.id === graph.center ? ' center' : ''}`,
          'aria-label': `${n.type}: ${n.name}`,
        },
        s('circle', { cx: p.x, cy: p.y, r: n.id === graph.center ? 14 : 10 }),
        showLabel ? text : null,
        s('title', {}, `${n.type}: ${n.name}`),
      )
      node.addEventListener('click', (event) => {
        event.preventDefault()
        navigate(url)
      })
      return node
    }),
  )
  return h(
    'figure',
    { class: 'graph-box' },
    svg,
    h(
      'figcaption',
      {},
      h(
        'ul',
        { class: 'graph-legend', 'aria-label': 'Node colours' },
        [...new Set(graph.nodes.map((n) => TYPE_CLASS[n.type] ?? 'n-other'))].map((c) =>
          h('li', {}, h('span', { class: `dot ${c}`, 'aria-hidden': 'true' }), LEGEND[c] ?? 'other'),
        ),
      ),
      h(
        'details',
        {},
        h('summary', {}, 'Links in words'),
        h(
          'ul',
          {},
          graph.edges.map((e) =>
            h('li', {}, `${name.get(e.source) ?? e.source} — ${e.label} → ${name.get(e.target) ?? e.target}`),
          ),
        ),
      ),
      graph.truncated ? h('p', { class: 'hint' }, 'Only part of the neighbourhood is drawn.') : null,
    ),
  )
}
