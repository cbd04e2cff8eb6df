import type { ConsoleCollection, MarkingLabel, ObjectPage } from '../../../src/services/console-types.js'
import { api, query } from '../api.js'
import { clear, fmt, h } from '../dom.js'
import { href, type Route } from '../router.js'
import { empty, errorBox, heading, loading, markingChip } from '../ui.js'

const TYPES = [
  'intrusion-set',
  'threat-actor',
  'relationship',
  'report',
  'location',
  'infrastructure',
  'observed-data',
  'sighting',
  'indicator',
  'identity',
  'marking-definition',
]
const SIZES = [25, 50, 100]
const FILTERS = ['q', 'collection', 'type', 'label', 'marking'] as const

function select(id: string, label: string, options: [string, string][], value: string | null): HTMLElement[] {
  return [
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: id.replace('f-', '') },
      options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text)),
    ),
  ]
}

/** Search and filter the intelligence the signed-in principal may see; pages come from the server. */
export async function renderIntel(
  main: HTMLElement,
  route: Extract<Route, { page: 'intel' }>,
): Promise<void> {
  const params = route.params
  const results = h('section', { 'aria-labelledby': 'results-title' })
  const [collections, markings] = await Promise.all([
    api.get<ConsoleCollection[]>('/console-api/collections').catch(() => []),
    api.get<MarkingLabel[]>('/console-api/markings').catch(() => []),
  ])
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    h(
      'div',
      { class: 'field grow' },
      h('label', { for: 'f-q' }, 'Text'),
      h('input', {
        id: 'f-q',
        name: 'q',
        type: 'search',
        value: params.get('q') ?? '',
        placeholder: 'e.g. heron, port, 198.51.100',
      }),
    ),
    h(
      'div',
      { class: 'field' },
      ...select(
        'f-collection',
        'Collection',
        [['', 'all'], ...collections.map((c): [string, string] => [c.alias ?? c.id, c.alias ?? c.title])],
        params.get('collection'),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      ...select(
        'f-type',
        'Type',
        [['', 'all'], ...TYPES.map((t): [string, string] => [t, t])],
        params.get('type'),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-label' }, 'Label'),
      h('input', { id: 'f-label', name: 'label', value: params.get('label') ?? '' }),
    ),
    h(
      'div',
      { class: 'field' },
      ...select(
        'f-marking',
        'Marking',
        [['', 'any'], ...markings.map((m): [string, string] => [m.label, m.label])],
        params.get('marking'),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      ...select(
        'f-limit',
        'Per page',
        SIZES.map((n): [string, string] => [String(n), String(n)]),
        params.get('limit') ?? '50',
      ),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  )
  // cursors of the pages before the current one, for "Previous"
  const cursors: (string | undefined)[] = []
  let current: string | undefined

  const values = () => {
    const data = new FormData(form)
    const v: Record<string, string> = {}
    for (const k of [...FILTERS, 'limit']) {
      const x = String(data.get(k) ?? '').trim()
      if (x) v[k] = x
    }
    return v
  }

  const load = async (cursor: string | undefined) => {
    clear(results, loading('Searching'))
    const v = values()
    try {
      const page = await api.get<ObjectPage>(
        `/console-api/objects${query({ ...v, limit: v.limit ?? '50', cursor })}`,
      )
      current = cursor
      const pageNo = cursors.length + 1
      const nav = h(
        'nav',
        { class: 'pager', 'aria-label': 'Result pages' },
        h(
          'button',
          { type: 'button', disabled: cursors.length === 0, onclick: () => void load(cursors.pop()) },
          '← Previous',
        ),
        h('span', {}, `Page ${pageNo}`),
        h(
          'button',
          {
            type: 'button',
            disabled: !page.next,
            onclick: () => {
              cursors.push(current)
              void load(page.next)
            },
          },
          'Next →',
        ),
      )
      clear(
        results,
        h('h2', { id: 'results-title', class: 'visually-hidden' }, 'Results'),
        page.items.length === 0
          ? empty(
              pageNo === 1 ? 'No object matches these filters.' : 'No further objects match.',
              pageNo === 1 ? 'Try fewer filters or another word.' : undefined,
            )
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'objects', id: 'objects-table' },
                h(
                  'caption',
                  {},
                  `Page ${pageNo}: ${page.items.length} objects (${fmt.int(page.scanned)} versions examined)`,
                ),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['Name', 'Type', 'Collection', 'Markings', 'Labels', 'Modified'].map((t) =>
                      h('th', { scope: 'col' }, t),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  page.items.map((o) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, h('a', { href: href(`/objects/${encodeURIComponent(o.id)}`) }, o.name)),
                      h('td', {}, o.type),
                      h(
                        'td',
                        {},
                        collections.find((c) => c.id === o.collectionId)?.alias ?? fmt.short(o.collectionId),
                      ),
                      h('td', {}, o.markings.map(markingChip)),
                      h('td', {}, o.labels.join(', ')),
                      h('td', {}, o.modified ? fmt.time(o.modified) : '—'),
                    ),
                  ),
                ),
              ),
            ),
        nav,
      )
    } catch (error) {
      clear(
        results,
        errorBox(error, () => void load(cursor)),
      )
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    cursors.length = 0
    history.replaceState(null, '', href(`/intel${query(values())}`))
    void load(undefined)
  })
  main.append(
    heading(
      'Intelligence',
      'Every object shown here is screened by the same policy as TAXII; for a partner, what is shown is recorded in the ledger.',
    ),
    form,
    results,
  )
  await load(undefined)
}
