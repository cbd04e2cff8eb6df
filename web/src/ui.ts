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

/** An error the officer can act on: what failed, what the node said, and a retry when given. */
export function errorBox(error: unknown, retry?: () => void): HTMLElement {
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, 'Something went wrong', error instanceof Error ? error.message : String(error))
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, h('strong', {}, e.title), e.status ? ` (HTTP ${e.status})` : ''),
    e.description ? h('p', {}, e.description) : null,
    retry ? h('button', { type: 'button', onclick: retry }, 'Try again') : null,
  )
}
