import type { FlowStatus, MarkingLabel } from '../../src/services/console-types.js'
import { ApiError } from './api.js'
import { h } from './dom.js'

export const STATUS_TEXT: Record<FlowStatus, string> = {
  allowed: 'Allowed',
  partial: 'Partially restricted',
  suspended: 'Suspended',
  'no-agreement': 'No agreement',
}

export function statusBadge(status: FlowStatus): HTMLElement {
  return h('span', { class: `badge status-${status}` }, STATUS_TEXT[status])
}

export function markingChip(m: MarkingLabel): HTMLElement {
  const tone = m.tlp ? `tlp-${m.tlp.replace('+', '-')}` : 'caveat'
  return h('span', { class: `chip ${tone}`, title: m.id }, m.label)
}

export function heading(text: string, sub?: string): HTMLElement {
  return h(
    'header',
    { class: 'page-head' },
    h('h1', { tabindex: '-1' }, text),
    sub ? h('p', { class: 'sub' }, sub) : null,
  )
}

export function loading(what = 'Loading'): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, `${what}…`)
}

export function empty(text: string, hint?: string): HTMLElement {
  return h('div', { class: 'empty' }, h('p', {}, text), hint ? h('p', { class: 'hint' }, hint) : null)
}

/**
 * A form the console itself refuses, before anything is sent: the officer has something to correct, not a
 * failure to report, and the error box says so.
 */
export class InputError extends Error {}

/** What heads an error that is not the node's answer: the node's own errors come with their title. */
function errorTitle(error: unknown): string {
  return error instanceof InputError ? 'Check the form' : 'Something went wrong'
}

/** An error the officer can act on: what failed, what the node said, and a retry when given. */
export function errorBox(error: unknown, retry?: () => void): HTMLElement {
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, errorTitle(error), error instanceof Error ? error.message : String(error))
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, h('strong', {}, e.title), e.status ? ` (HTTP ${e.status})` : ''),
    e.description ? h('p', {}, e.description) : null,
    retry ? h('button', { type: 'button', onclick: retry }, 'Try again') : null,
  )
}

/**
 * A confirmation at the top of the page, for a change made in a dialog. The dialog has closed and the list
 * that held its opener is redrawn, so focus would fall to the body: it goes to the message instead, which
 * stays until dismissed or the page changes (the main region is cleared on every route).
 */
export function showNotice(message: string): void {
  const main = document.getElementById('main')
  if (!main) return
  document.getElementById('notice')?.remove()
  const dismiss = () => {
    notice.remove()
    main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true })
  }
  const notice = h(
    'div',
    { id: 'notice', class: 'notice', role: 'status', tabindex: '-1' },
    h('p', {}, message),
    h('button', { type: 'button', onclick: dismiss }, 'Dismiss'),
  )
  main.prepend(notice)
  notice.focus()
}
