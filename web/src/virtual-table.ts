import { type Child, h } from './dom.js'

/**
 * A table that renders only the rows in view (plus a few either side), for lists of 10^5 rows. Rows have a
 * fixed height, so the scroll position alone says which rows to draw; two spacer rows keep the scrollbar true.
 *
 * For assistive technology the table states its full size (`aria-rowcount`, -1 while more may load) and each
 * drawn row its position (`aria-rowindex`). Rows are focusable with one tab stop (roving tabindex): arrow keys,
 * Page Up/Down, Home and End move between rows, drawing and loading them as needed; Enter follows the row's
 * first link or button.
 */

/** Where the rows come from: what is loaded so far, and how to load more. */
export interface RowSource<T> {
  /** Rows that exist so far (loaded or not: a source of known size may leave gaps). */
  readonly length: number
  /** True when `length` is final. */
  readonly complete: boolean
  /** A loaded row, or undefined while it is not. */
  get(index: number): T | undefined
  /**
   * Asked when rows [from, to) are about to be shown (to may exceed length: load the next page). Resolves
   * when done; the table then draws again. Should be cheap to call again while a load is running.
   */
  load(from: number, to: number): Promise<void>
}

export interface VirtualColumn<T> {
  header: string
  cell(row: T, index: number): Child
  /** Width, e.g. '30%' (the table uses a fixed layout so columns do not jump while scrolling). */
  width?: string
}

export interface VirtualTableOptions<T> {
  id: string
  caption: string
  columns: VirtualColumn<T>[]
  source: RowSource<T>
  /** Pixels; must match the CSS for `.vtable tbody tr`. */
  rowHeight?: number
  /** Height of the scrolling area in pixels. */
  height?: number
  /** Extra rows drawn above and below the visible ones. */
  overscan?: number
}

export interface VirtualTable {
  element: HTMLElement
  /** Draws again (after the source changed). */
  refresh(): void
  setCaption(text: string): void
}

export function virtualTable<T>(options: VirtualTableOptions<T>): VirtualTable {
  const { id, columns, source } = options
  let rowHeight = options.rowHeight ?? 36
  const height = options.height ?? 560
  const overscan = options.overscan ?? 8
  const span = columns.length

  const caption = h('caption', {}, options.caption)
  const top = h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: span }))
  const bottom = h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: span }))
  const tbody = h('tbody', {}, top, bottom)
  const table = h(
    'table',
    { class: 'vtable', id, 'aria-rowcount': -1 },
    caption,
    h('colgroup', {}, ...columns.map(column)),
    h(
      'thead',
      {},
      h(
        'tr',
        { 'aria-rowindex': 1 },
        columns.map((c) => h('th', { scope: 'col' }, c.header)),
      ),
    ),
    tbody,
  )
  const scroller = h('div', { class: 'vscroll', id: `${id.replace(/-table$/, '')}-scroll` }, table)
  scroller.style.maxHeight = `${height}px`

  /** The row that holds the table's one tab stop. */
  let active = 0
  let drawn: { from: number; to: number } = { from: 0, to: 0 }
  let frame = 0

  /** Where the first row (the top spacer's start) lies in the scrolled content. */
  const bodyTop = () =>
    tbody.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop
  const headHeight = () => table.tHead?.getBoundingClientRect().height ?? 0
  /** Rows are drawn at the height CSS gives them; measured once, so positions never drift over 10^5 rows. */
  let measured = false

  const rowFor = (index: number): HTMLTableRowElement => {
    const row = source.get(index)
    const attrs = {
      'aria-rowindex': index + 2,
      'data-index': index,
      tabindex: index === active ? 0 : -1,
    }
    if (row === undefined)
      return h(
        'tr',
        { ...attrs, class: 'placeholder', 'aria-busy': 'true' },
        h('td', { colspan: span }, 'Loading…'),
      )
    return h(
      'tr',
      attrs,
      columns.map((c) => h('td', {}, c.cell(row, index))),
    )
  }

  const draw = () => {
    frame = 0
    const n = source.length
    table.setAttribute('aria-rowcount', source.complete ? String(n + 1) : '-1')
    table.setAttribute('data-loaded', String(n))
    const y = Math.max(0, scroller.scrollTop - bodyTop())
    const visible = Math.ceil(height / rowHeight)
    const from = Math.max(0, Math.min(n, Math.floor(y / rowHeight) - overscan))
    const to = Math.min(n, Math.floor(y / rowHeight) + visible + overscan)
    const hadFocus = tbody.contains(document.activeElement)
    if (from !== drawn.from || to !== drawn.to || hadFocus || needsRedraw) {
      needsRedraw = false
      const rows: HTMLTableRowElement[] = []
      for (let i = from; i < to; i++) rows.push(rowFor(i))
      tbody.replaceChildren(top, ...rows, bottom)
      drawn = { from, to }
      const sample = rows.find((r) => !r.classList.contains('placeholder'))
      if (!measured && sample) {
        const real = sample.getBoundingClientRect().height
        if (real > 0) {
          measured = true
          if (Math.abs(real - rowHeight) > 0.01) {
            rowHeight = real
            needsRedraw = true
            schedule()
          }
        }
      }
      if (hadFocus) focusRow(active, false)
    }
    ;(top.firstChild as HTMLElement).style.height = `${from * rowHeight}px`
    ;(bottom.firstChild as HTMLElement).style.height = `${(n - to) * rowHeight}px`
    top.hidden = from === 0
    bottom.hidden = to === n
    // rows in view that are not loaded yet, or the end of a list that may go on
    const wantTo = Math.floor(y / rowHeight) + visible + overscan
    let gap = -1
    for (let i = from; i < to && gap < 0; i++) if (source.get(i) === undefined) gap = i
    if (gap >= 0 || (!source.complete && wantTo >= n)) {
      // draw again only when the load brought something, so a paused or failing source is not asked in a loop
      void source.load(from, Math.max(to, wantTo)).then(() => {
        if (source.length !== n || source.complete || (gap >= 0 && source.get(gap) !== undefined)) {
          needsRedraw = true
          schedule()
        }
      })
    }
  }
  let needsRedraw = false

  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(draw)
  }

  /** Scrolls `index` into view (drawing it) and gives it the tab stop and, when asked, focus. */
  const focusRow = (index: number, scroll = true) => {
    const n = source.length
    if (n === 0) return
    active = Math.max(0, Math.min(n - 1, index))
    if (scroll) {
      const rowTop = bodyTop() + active * rowHeight
      const viewTop = scroller.scrollTop + headHeight()
      if (rowTop < viewTop) scroller.scrollTop = rowTop - headHeight()
      else if (rowTop + rowHeight > scroller.scrollTop + scroller.clientHeight)
        scroller.scrollTop = rowTop + rowHeight - scroller.clientHeight
      if (active < drawn.from || active >= drawn.to) {
        needsRedraw = true
        draw()
      }
    }
    for (const tr of tbody.querySelectorAll<HTMLTableRowElement>('tr[data-index]')) {
      const mine = Number(tr.dataset.index) === active
      tr.tabIndex = mine ? 0 : -1
      if (mine && document.activeElement !== tr) tr.focus({ preventScroll: true })
    }
  }

  tbody.addEventListener('keydown', (event) => {
    const tr = (event.target as HTMLElement).closest('tr[data-index]') as HTMLTableRowElement | null
    if (!tr || event.target !== tr) return
    const at = Number(tr.dataset.index)
    const page = Math.max(1, Math.floor(scroller.clientHeight / rowHeight) - 1)
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: source.length - 1,
    }
    if (event.key in moves) {
      event.preventDefault()
      focusRow(moves[event.key]!)
    } else if (event.key === 'Enter') {
      const target = tr.querySelector<HTMLElement>('a, button')
      if (target) {
        event.preventDefault()
        target.click()
      }
    }
  })
  tbody.addEventListener('focusin', (event) => {
    const tr = (event.target as HTMLElement).closest('tr[data-index]') as HTMLTableRowElement | null
    if (tr && Number(tr.dataset.index) !== active) {
      active = Number(tr.dataset.index)
      for (const r of tbody.querySelectorAll<HTMLTableRowElement>('tr[data-index]'))
        r.tabIndex = r === tr ? 0 : -1
    }
  })
  scroller.addEventListener('scroll', schedule, { passive: true })
  // the first draw once the table is in the document (offsets are 0 before)
  requestAnimationFrame(() => {
    needsRedraw = true
    draw()
  })

  return {
    element: scroller,
    refresh: () => {
      needsRedraw = true
      schedule()
    },
    setCaption: (text) => {
      caption.textContent = text
    },
  }
}

/**
 * A column's width set through the CSSOM: the node's Content-Security-Policy (style-src 'self') blocks a
 * style attribute, and the width with it.
 */
function column(c: { width?: string }): HTMLElement {
  const col = h('col', {})
  if (c.width) col.style.width = c.width
  return col
}
