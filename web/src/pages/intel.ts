import type {
  ConsoleCollection,
  MarkingLabel,
  ObjectPage,
  ObjectRow,
} from '../../../src/services/console-types.js'
import { api, query } from '../api.js'
import { clear, fmt, h } from '../dom.js'
import { href, type Route } from '../router.js'
import { session } from '../session.js'
import { empty, errorBox, heading, loading, markingChip } from '../ui.js'
import { type RowSource, virtualTable } from '../virtual-table.js'

const SIZES = [25, 50, 100]

/**
 * The search's rows, fetched one server page at a time as the table asks for more. A page may come back short
 * or empty when the server's per-request window ran out before the page filled (a selective search on a big
 * node); after an empty one the source pauses and the page offers "Continue searching" instead of asking again
 * by itself, so scrolling never turns into a silent loop over the whole node.
 */
class SearchSource implements RowSource<ObjectRow> {
  readonly rows: ObjectRow[] = []
  next: string | undefined
  started = false
  paused = false
  loading = false
  searched = 0
  total = 0
  error: unknown
  onChange: () => void = () => {}
  #pending: Promise<void> | undefined

  constructor(readonly filters: Record<string, string>) {}

  get length(): number {
    return this.rows.length
  }
  get complete(): boolean {
    return this.started && this.next === undefined
  }
  get(index: number): ObjectRow | undefined {
    return this.rows[index]
  }
  load(): Promise<void> {
    return this.more(false)
  }

  /** The next page, unless one is on its way, the search is done, or it paused (and `resume` is false). */
  more(resume: boolean): Promise<void> {
    if (this.#pending) return this.#pending
    if (this.complete || (this.paused && !resume) || (this.error !== undefined && !resume))
      return Promise.resolve()
    this.paused = false
    this.error = undefined
    this.loading = true
    this.onChange()
    this.#pending = api
      .get<ObjectPage>(
        `/console-api/objects${query({ ...this.filters, limit: this.filters.limit ?? '50', cursor: this.next })}`,
      )
      .then((page) => {
        this.started = true
        this.rows.push(...page.items)
        this.next = page.next
        this.searched = page.searched
        this.total = page.total
        this.paused = page.items.length === 0 && page.next !== undefined
      })
      .catch((error: unknown) => {
        this.error = error
      })
      .finally(() => {
        this.loading = false
        this.#pending = undefined
        this.onChange()
      })
    return this.#pending
  }
}
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
  const [collections, markings, stixTypes] = await Promise.all([
    api.get<ConsoleCollection[]>('/console-api/collections').catch(() => []),
    api.get<MarkingLabel[]>('/console-api/markings').catch(() => []),
    api.get<string[]>('/console-api/types').catch((): string[] => []),
  ])
  // a custom type from the URL (x-…) is offered too, so the filter shows what the search is for
  const asked = params.get('type')
  const types = asked && !stixTypes.includes(asked) ? [asked, ...stixTypes] : stixTypes
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
        [['', 'all'], ...types.map((t): [string, string] => [t, t])],
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
  const values = () => {
    const data = new FormData(form)
    const v: Record<string, string> = {}
    for (const k of [...FILTERS, 'limit']) {
      const x = String(data.get(k) ?? '').trim()
      if (x) v[k] = x
    }
    return v
  }

  const collectionName = (id: string) => collections.find((c) => c.id === id)?.alias ?? fmt.short(id)

  /** A new search: rows load page by page from the server as the table scrolls. */
  const load = () => {
    const source = new SearchSource(values())
    const status = h('div', { class: 'search-status', role: 'status', id: 'search-status' })
    const table = virtualTable<ObjectRow>({
      id: 'objects-table',
      caption: 'Objects matching the filters',
      source,
      columns: [
        {
          header: 'Name',
          width: '30%',
          cell: (o) => h('a', { href: href(`/objects/${encodeURIComponent(o.id)}`), tabindex: -1 }, o.name),
        },
        { header: 'Type', width: '13%', cell: (o) => o.type },
        { header: 'Collection', width: '14%', cell: (o) => collectionName(o.collectionId) },
        { header: 'Markings', width: '15%', cell: (o) => o.markings.map(markingChip) },
        { header: 'Labels', width: '14%', cell: (o) => o.labels.join(', ') },
        { header: 'Modified', width: '14%', cell: (o) => (o.modified ? fmt.time(o.modified) : '—') },
      ],
    })
    const showStatus = () => {
      const found = `${fmt.int(source.length)} object${source.length === 1 ? '' : 's'}`
      // a partner's counts are of the rows it was shown (the node does not tell it what is withheld), so
      // "searched N of M" would only repeat the row count
      const searched = session.isPartner()
        ? 'more may follow'
        : `searched ${fmt.int(source.searched)} of ${fmt.int(source.total)} versions`
      table.setCaption(
        source.complete ? `${found} match these filters` : `${found} so far (${searched}); scroll for more`,
      )
      clear(
        status,
        source.error ? errorBox(source.error, () => void source.more(true).then(table.refresh)) : null,
        source.complete
          ? h('span', {}, session.isPartner() ? `${found}.` : `${found}; ${searched}.`)
          : h('span', {}, source.loading ? `Searching… ${found}, ${searched}.` : `${found}, ${searched}.`),
        !source.complete && source.paused && !source.loading
          ? h(
              'button',
              {
                type: 'button',
                id: 'search-continue',
                onclick: () => void source.more(true).then(table.refresh),
              },
              'Continue searching',
            )
          : null,
      )
    }
    source.onChange = showStatus
    clear(results, loading('Searching'))
    void source.more(false).then(() => {
      if (source.length === 0 && source.complete) {
        clear(
          results,
          h('h2', { id: 'results-title', class: 'visually-hidden' }, 'Results'),
          empty('No object matches these filters.', 'Try fewer filters or another word.'),
          status,
        )
      } else {
        clear(
          results,
          h('h2', { id: 'results-title', class: 'visually-hidden' }, 'Results'),
          table.element,
          status,
        )
      }
      showStatus()
      table.refresh()
    })
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    history.replaceState(null, '', href(`/intel${query(values())}`))
    load()
  })
  main.append(
    heading(
      'Intelligence',
      'Every object shown here is screened by the same policy as TAXII; for a partner, what is shown is recorded in the ledger.',
    ),
    form,
    results,
  )
  load()
}
