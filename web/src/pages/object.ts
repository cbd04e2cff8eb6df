import type { ObjectDetail, ObjectGraph } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { clear, fmt, h } from '../dom.js'
import { graphView } from '../graph/view.js'
import { href, type Route } from '../router.js'
import { empty, errorBox, heading, loading, markingChip } from '../ui.js'

function versionsSection(detail: ObjectDetail): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'versions-title' },
    h('h2', { id: 'versions-title' }, `Versions (${detail.versions.length})`),
    detail.versions
      .slice()
      .reverse()
      .map((v, i) =>
        h(
          'details',
          { class: 'version', open: i === 0 },
          h(
            'summary',
            {},
            `${v.version ? fmt.time(v.version) : 'single version'} · added ${fmt.time(v.dateAdded)} · `,
            v.markings.map(markingChip),
          ),
          v.granular.length > 0
            ? h(
                'p',
                {},
                'Granular markings: ',
                v.granular.map((g) =>
                  h(
                    'span',
                    { class: 'granular' },
                    h('code', {}, g.selectors.join(', ')),
                    ' ',
                    markingChip(g.marking),
                  ),
                ),
              )
            : null,
          h(
            'pre',
            { class: 'json', tabindex: '0', 'aria-label': 'The object as JSON' },
            JSON.stringify(v.object, null, 2),
          ),
        ),
      ),
  )
}

function decisionsSection(detail: ObjectDetail): HTMLElement | null {
  if (!detail.decisions) return null
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'decisions-title' },
    h('h2', { id: 'decisions-title' }, 'Who receives it now'),
    h(
      'ul',
      { class: 'decisions' },
      detail.decisions.map((d) =>
        h(
          'li',
          {},
          h(
            'span',
            { class: `badge effect-${d.effect}` },
            d.effect === 'deny' ? 'withheld' : d.effect === 'redact' ? 'redacted' : 'shared',
          ),
          ' ',
          h('a', { href: href(`/partners/${encodeURIComponent(d.partner)}`) }, d.name),
          h('pre', { class: 'explain' }, d.lines.join('\n')),
        ),
      ),
    ),
  )
}

/** One object: its versions with markings, who receives it, and the graph around it. */
export async function renderObject(
  main: HTMLElement,
  route: Extract<Route, { page: 'object' }>,
): Promise<void> {
  const body = h('div', {}, loading('Loading the object'))
  main.append(body)
  try {
    const detail = await api.get<ObjectDetail>(`/console-api/objects/${encodeURIComponent(route.id)}`)
    const graphBox = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'graph-title' },
      h('h2', { id: 'graph-title' }, 'Relationships'),
      loading('Drawing the neighbourhood'),
    )
    clear(
      body,
      heading(detail.name, `${detail.type} · ${detail.id}`),
      graphBox,
      h('div', { class: 'grid two' }, versionsSection(detail), decisionsSection(detail)),
    )
    try {
      const graph = await api.get<ObjectGraph>(`/console-api/objects/${encodeURIComponent(route.id)}/graph`)
      clear(
        graphBox,
        h('h2', { id: 'graph-title' }, 'Relationships'),
        graph.edges.length === 0
          ? empty('No relationship, sighting or report links this object.')
          : graphView(graph),
      )
    } catch (error) {
      clear(graphBox, h('h2', { id: 'graph-title' }, 'Relationships'), errorBox(error))
    }
  } catch (error) {
    clear(
      body,
      heading('Object'),
      errorBox(error),
      h('p', {}, h('a', { href: href('/intel') }, 'Back to the search')),
    )
  }
}
