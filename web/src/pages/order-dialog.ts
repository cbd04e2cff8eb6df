import type { FlowsMatrix, MarkingLabel, OrderImpact } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { announce, clear, h } from '../dom.js'
import { errorBox } from '../ui.js'
import { impactView } from './impact-view.js'

const TLP_CHOICES = ['clear', 'green', 'amber', 'amber+strict']

function modal(title: string, body: HTMLElement): HTMLDialogElement {
  const dialog = h(
    'dialog',
    { class: 'modal', 'aria-labelledby': 'dialog-title' },
    h('h2', { id: 'dialog-title' }, title),
    body,
  )
  dialog.addEventListener('close', () => dialog.remove())
  document.body.append(dialog)
  dialog.showModal()
  return dialog
}

function localToIso(value: string): string | undefined {
  if (!value) return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

function list(value: string): string[] | undefined {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return items.length > 0 ? items : undefined
}

/** `required` takes blanks for an answer and the node does not: the form refuses them before the preview. */
function requireWords(field: HTMLTextAreaElement): HTMLTextAreaElement {
  const check = () =>
    field.setCustomValidity(field.value.trim() === '' ? 'Give a reason: it is recorded in the ledger.' : '')
  field.addEventListener('input', check)
  check()
  return field
}

/** Preview, then confirm: the confirm button only ever sends what was previewed. */
function previewThenConfirm(
  form: HTMLFormElement,
  preview: () => Promise<OrderImpact>,
  confirm: () => Promise<void>,
  collectionName: (id: string) => string,
) {
  const result = h(
    'div',
    { class: 'preview', 'aria-live': 'polite' },
    h('p', { class: 'hint' }, 'Preview the effect before confirming.'),
  )
  const previewButton = h('button', { type: 'button', id: 'preview-order' }, 'Preview effect')
  const confirmButton = h(
    'button',
    { type: 'submit', class: 'danger', id: 'confirm-order', disabled: true },
    'Confirm order',
  )
  const invalidate = () => {
    if (confirmButton.disabled) return
    confirmButton.disabled = true
    clear(result, h('p', { class: 'hint' }, 'The form changed: preview the effect again.'))
  }
  form.addEventListener('input', invalidate)
  form.addEventListener('change', invalidate)
  previewButton.addEventListener('click', async () => {
    if (!form.reportValidity()) return
    previewButton.disabled = true
    clear(result, h('p', { class: 'loading' }, 'Computing the effect…'))
    try {
      const impact = await preview()
      clear(result, impactView(impact, collectionName))
      confirmButton.disabled = false
      announce(impact.summary)
    } catch (error) {
      clear(result, errorBox(error))
    } finally {
      previewButton.disabled = false
    }
  })
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (confirmButton.disabled) return
    confirmButton.disabled = true
    try {
      await confirm()
    } catch (error) {
      clear(result, errorBox(error))
    }
  })
  return { result, previewButton, confirmButton }
}

/** The "issue an order" dialog: scope, time, reason; its effect is shown before it can be confirmed. */
export function openSuspendDialog(
  matrix: FlowsMatrix,
  partnerId: string | undefined,
  done: () => void,
): void {
  const collectionName = (id: string) => matrix.collections.find((c) => c.id === id)?.alias ?? id
  const partner = h(
    'select',
    { id: 'order-partner', name: 'partner', required: true },
    matrix.rows.map((r) =>
      h('option', { value: r.partner.id, selected: r.partner.id === partnerId }, r.partner.name),
    ),
  )
  const whole = h('input', { type: 'radio', name: 'scope', id: 'scope-whole', value: 'whole', checked: true })
  const part = h('input', { type: 'radio', name: 'scope', id: 'scope-part', value: 'part' })
  const collections = matrix.collections.map((c) =>
    h('input', { type: 'checkbox', name: 'collections', value: c.alias ?? c.id, id: `col-${c.id}` }),
  )
  const types = h('input', {
    id: 'order-types',
    name: 'object_types',
    placeholder: 'e.g. indicator, sighting',
  })
  const labels = h('input', { id: 'order-labels', name: 'labels', placeholder: 'e.g. source-sensitive' })
  const above = h(
    'select',
    { id: 'order-above', name: 'above_tlp' },
    h('option', { value: '' }, 'any TLP'),
    TLP_CHOICES.map((t) => h('option', { value: t }, `above TLP:${t.toUpperCase()}`)),
  )
  const markingsBox = h('div', { class: 'checks' })
  const when = h('input', {
    type: 'datetime-local',
    id: 'order-when',
    name: 'effective_from',
    'aria-describedby': 'when-help',
  })
  const reason = requireWords(h('textarea', { id: 'order-reason', name: 'reason', required: true, rows: 2 }))
  const reference = h('input', {
    id: 'order-reference',
    name: 'reference',
    placeholder: 'e.g. case or instrument number',
  })
  const narrowing = h(
    'fieldset',
    { class: 'narrow', disabled: true },
    h('legend', {}, 'Only what matches all of these'),
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'label', id: 'cols-label' }, 'Collections (none ticked: all)'),
      h(
        'div',
        { class: 'checks', role: 'group', 'aria-labelledby': 'cols-label' },
        collections.map((c, i) =>
          h('label', { for: c.id }, c, ` ${matrix.collections[i]!.alias ?? matrix.collections[i]!.title}`),
        ),
      ),
    ),
    h('div', { class: 'field' }, h('label', { for: 'order-above' }, 'TLP'), above),
    h('div', { class: 'field' }, h('label', { for: 'order-types' }, 'Object types (comma-separated)'), types),
    h('div', { class: 'field' }, h('label', { for: 'order-labels' }, 'Labels (comma-separated)'), labels),
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'label', id: 'marks-label' }, 'Caveat markings'),
      markingsBox,
    ),
  )
  const form = h(
    'form',
    { method: 'dialog' },
    h('div', { class: 'field' }, h('label', { for: 'order-partner' }, 'Partner'), partner),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Scope'),
      h('label', { for: 'scope-whole' }, whole, ' Suspend all sharing with this partner'),
      h('label', { for: 'scope-part' }, part, ' Suspend only part of it'),
    ),
    narrowing,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'order-when' }, 'Takes effect'),
      when,
      h('p', { id: 'when-help', class: 'hint' }, 'Your local time. Leave empty for now.'),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'order-reason' }, 'Reason (recorded in the ledger)'),
      reason,
    ),
    h('div', { class: 'field' }, h('label', { for: 'order-reference' }, 'Reference (optional)'), reference),
  )
  for (const r of [whole, part]) r.addEventListener('change', () => (narrowing.disabled = !part.checked))
  void api.get<MarkingLabel[]>('/console-api/markings').then((all) => {
    const caveats = all.filter((m) => m.kind !== 'tlp')
    clear(
      markingsBox,
      caveats.length === 0
        ? h('span', { class: 'hint' }, 'none known')
        : caveats.map((m, i) =>
            h(
              'label',
              { for: `mark-${i}` },
              h('input', { type: 'checkbox', id: `mark-${i}`, name: 'markings', value: m.id }),
              ` ${m.label}`,
            ),
          ),
    )
    markingsBox.setAttribute('role', 'group')
    markingsBox.setAttribute('aria-labelledby', 'marks-label')
  })
  const draft = () => {
    const narrowed = part.checked
    const picked = (name: string) =>
      [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((c) => c.value)
    return {
      partner: partner.value,
      ...(narrowed && picked('collections').length ? { collections: picked('collections') } : {}),
      ...(narrowed && list(types.value) ? { object_types: list(types.value) } : {}),
      ...(narrowed && list(labels.value) ? { labels: list(labels.value) } : {}),
      ...(narrowed && picked('markings').length ? { markings: picked('markings') } : {}),
      ...(narrowed && above.value ? { above_tlp: above.value } : {}),
      ...(localToIso(when.value) ? { effective_from: localToIso(when.value) } : {}),
    }
  }
  let dialog: HTMLDialogElement
  const flow = previewThenConfirm(
    form,
    () => {
      const d = draft()
      if (
        part.checked &&
        Object.keys(d).filter((k) => k !== 'partner' && k !== 'effective_from').length === 0
      )
        throw new Error('Choose at least one criterion, or suspend all sharing.')
      return api.post<OrderImpact>('/console-api/impact/suspend', d)
    },
    async () => {
      await api.post('/admin/orders/suspend', {
        ...draft(),
        reason: reason.value,
        ...(reference.value.trim() ? { reference: reference.value.trim() } : {}),
      })
      dialog.close()
      announce('Order issued.')
      done()
    },
    collectionName,
  )
  form.append(
    flow.result,
    actions(flow, () => dialog.close()),
  )
  dialog = modal('Issue a suspension order', form)
  partner.focus()
}

/** Lifting a suspension, with the same preview-then-confirm step. */
export function openResumeDialog(
  order: { id: string; partner: string; scope: string },
  done: () => void,
  collectionName: (id: string) => string = (id) => id,
): void {
  const when = h('input', {
    type: 'datetime-local',
    id: 'resume-when',
    'aria-describedby': 'resume-when-help',
  })
  const reason = requireWords(h('textarea', { id: 'resume-reason', required: true, rows: 2 }))
  const form = h(
    'form',
    { method: 'dialog' },
    h(
      'p',
      {},
      'Lift the suspension of ',
      h('strong', {}, order.scope),
      ' for ',
      h('strong', {}, order.partner),
      '.',
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'resume-when' }, 'Takes effect'),
      when,
      h('p', { id: 'resume-when-help', class: 'hint' }, 'Your local time. Leave empty for now.'),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'resume-reason' }, 'Reason (recorded in the ledger)'),
      reason,
    ),
  )
  let dialog: HTMLDialogElement
  const effective = () => (localToIso(when.value) ? { effective_from: localToIso(when.value) } : {})
  const flow = previewThenConfirm(
    form,
    () => api.post<OrderImpact>(`/console-api/impact/resume/${encodeURIComponent(order.id)}`, effective()),
    async () => {
      const answer = await api.post<{ status?: string; approval?: { id: string } }>(
        `/admin/orders/${encodeURIComponent(order.id)}/resume`,
        { reason: reason.value, ...effective() },
      )
      if (answer?.status === 'pending-approval') {
        // the four-eyes rule: lifting waits for a second officer
        clear(
          flow.result,
          h(
            'p',
            { class: 'summary', role: 'status' },
            `Recorded for approval (${answer.approval?.id ?? ''}): a second officer must approve before sharing resumes.`,
          ),
        )
        announce('Resumption waits for a second officer’s approval.')
        done()
        return
      }
      dialog.close()
      announce('Suspension lifted.')
      done()
    },
    collectionName,
  )
  flow.confirmButton.textContent = 'Confirm resumption'
  form.append(
    flow.result,
    actions(flow, () => dialog.close()),
  )
  dialog = modal('Resume sharing', form)
  reason.focus()
}

/** Preview, confirm and cancel, in that order, under both dialogs' forms. */
function actions(
  flow: { previewButton: HTMLElement; confirmButton: HTMLElement },
  close: () => void,
): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    flow.previewButton,
    flow.confirmButton,
    h('button', { type: 'button', onclick: close }, 'Cancel'),
  )
}
