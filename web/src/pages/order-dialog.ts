import type { FlowsMatrix, MarkingLabel, OrderImpact } from '../../../src/services/console-types.js'
// the node's own rules: text over them would preview fine and only be refused at Confirm
import {
  NAME_MAX,
  PROSE_MAX,
  UNPRINTABLE_IN_NAME,
  UNPRINTABLE_IN_PROSE,
} from '../../../src/services/text-rules.js'
import { api } from '../api.js'
import { announce, clear, fmt, h } from '../dom.js'
import { modal } from '../modal.js'
import { errorBox, InputError, showNotice } from '../ui.js'
import { impactView } from './impact-view.js'
import { scopeText } from './order-scope.js'

const TLP_CHOICES = ['clear', 'green', 'amber', 'amber+strict']

/** A datetime-local value Date can read: it parses a four-digit year only, a longer one is an Invalid Date. */
const LOCAL_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$/

/** The instant a filled-in "takes effect" field names, or undefined when Date cannot read it. */
function localToIso(value: string): string | undefined {
  if (!LOCAL_DATE_TIME.test(value)) return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/**
 * A "takes effect" field. Empty means now, so a time the browser accepts but Date cannot read (a year of
 * five or six digits) must be refused: dropped silently, it would turn an order for later into one for now.
 */
function whenField(id: string, describedBy: string): HTMLInputElement {
  const field = h('input', {
    type: 'datetime-local',
    id,
    name: 'effective_from',
    'aria-describedby': describedBy,
  })
  const check = () => {
    const unreadable = field.value !== '' && localToIso(field.value) === undefined
    field.setCustomValidity(
      unreadable ? 'Give a date and time with a four-digit year, or leave the field empty for now.' : '',
    )
  }
  field.addEventListener('input', check)
  field.addEventListener('change', check)
  return field
}

/** `effective_from` for a request: absent when the field is empty, which the node reads as now. */
function effectiveFrom(field: HTMLInputElement): { effective_from?: string } {
  const iso = localToIso(field.value)
  return iso ? { effective_from: iso } : {}
}

function list(value: string): string[] | undefined {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return items.length > 0 ? items : undefined
}

/**
 * `required` takes blanks for an answer and the node does not; nor does it take control characters other
 * than line breaks. The form refuses both before the preview, not at Confirm.
 */
function reasonField(id: string): HTMLTextAreaElement {
  const field = h('textarea', { id, name: 'reason', required: true, rows: 2, maxlength: PROSE_MAX })
  const check = () =>
    field.setCustomValidity(
      field.value.trim() === ''
        ? 'Give a reason: it is recorded in the ledger.'
        : UNPRINTABLE_IN_PROSE.test(field.value.replaceAll('\n', ''))
          ? 'The reason must be printable text: no control characters other than line breaks.'
          : '',
    )
  field.addEventListener('input', check)
  check()
  return field
}

/** The reference is printed on one line in lists and histories, so the node takes nothing that breaks one. */
function referenceField(): HTMLInputElement {
  const field = h('input', {
    id: 'order-reference',
    name: 'reference',
    maxlength: NAME_MAX,
    placeholder: 'e.g. case or instrument number',
  })
  field.addEventListener('input', () =>
    field.setCustomValidity(
      UNPRINTABLE_IN_NAME.test(field.value)
        ? 'The reference must be one line of printable characters: no tabs, line breaks or other control characters.'
        : '',
    ),
  )
  return field
}

/** What a preview shows, and the sentence read out to screen readers. */
interface Preview {
  view: HTMLElement
  summary: string
}

function impactPreview(impact: OrderImpact, collectionName: (id: string) => string): Preview {
  return { view: impactView(impact, collectionName), summary: impact.summary }
}

/**
 * Preview, then confirm: the confirm button only ever sends what was previewed. Enter in a field submits
 * the form, so Preview is its submit button and Confirm is not: no order goes out without a press of Confirm.
 */
function previewThenConfirm(
  form: HTMLFormElement,
  preview: () => Promise<Preview>,
  confirm: () => Promise<void>,
) {
  const result = h(
    'div',
    { class: 'preview', 'aria-live': 'polite' },
    h('p', { class: 'hint' }, 'Preview the effect before confirming.'),
  )
  const previewButton = h('button', { type: 'submit', id: 'preview-order' }, 'Preview effect')
  const confirmButton = h(
    'button',
    { type: 'button', class: 'danger', id: 'confirm-order', disabled: true },
    'Confirm order',
  )
  const invalidate = () => {
    if (confirmButton.disabled) return
    confirmButton.disabled = true
    clear(result, h('p', { class: 'hint' }, 'The form changed: preview the effect again.'))
  }
  form.addEventListener('input', invalidate)
  form.addEventListener('change', invalidate)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (previewButton.disabled || !form.reportValidity()) return
    previewButton.disabled = true
    confirmButton.disabled = true
    clear(result, h('p', { class: 'loading' }, 'Computing the effect…'))
    try {
      const { view, summary } = await preview()
      clear(result, view)
      confirmButton.disabled = false
      announce(summary)
    } catch (error) {
      clear(result, errorBox(error))
    } finally {
      previewButton.disabled = false
    }
  })
  confirmButton.addEventListener('click', async () => {
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

/**
 * Opened for one partner, the dialog names it; opened from the flows page, it names none, so that no order
 * goes to whichever partner happens to be listed first: the placeholder leaves the required select unanswered.
 */
function partnerSelect(matrix: FlowsMatrix, partnerId: string | undefined): HTMLSelectElement {
  return h(
    'select',
    { id: 'order-partner', name: 'partner', required: true },
    partnerId === undefined
      ? h('option', { value: '', disabled: true, selected: true }, 'Choose a partner')
      : null,
    matrix.rows.map((r) =>
      h('option', { value: r.partner.id, selected: r.partner.id === partnerId }, r.partner.name),
    ),
  )
}

/** When a confirmed order takes effect, in words: nothing when it does so now. */
function fromText(effective: { effective_from?: string }): string {
  return effective.effective_from ? `, from ${fmt.time(effective.effective_from)}` : ''
}

/** The "issue an order" dialog: scope, time, reason; its effect is shown before it can be confirmed. */
export function openSuspendDialog(
  matrix: FlowsMatrix,
  partnerId: string | undefined,
  done: () => void,
): void {
  const collectionName = (id: string) => matrix.collections.find((c) => c.id === id)?.alias ?? id
  const partner = partnerSelect(matrix, partnerId)
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
  const when = whenField('order-when', 'when-help')
  const reason = reasonField('order-reason')
  const reference = referenceField()
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
      ...effectiveFrom(when),
    }
  }
  let dialog: HTMLDialogElement
  const flow = previewThenConfirm(
    form,
    async () => {
      const d = draft()
      if (
        part.checked &&
        Object.keys(d).filter((k) => k !== 'partner' && k !== 'effective_from').length === 0
      )
        throw new InputError('Choose at least one criterion, or suspend all sharing.')
      return impactPreview(await api.post<OrderImpact>('/console-api/impact/suspend', d), collectionName)
    },
    async () => {
      const order = draft()
      await api.post('/admin/orders/suspend', {
        ...order,
        reason: reason.value,
        ...(reference.value.trim() ? { reference: reference.value.trim() } : {}),
      })
      dialog.close()
      const { partner: id, effective_from: _from, ...scope } = order
      const name = matrix.rows.find((r) => r.partner.id === id)?.partner.name ?? id
      showNotice(`Order issued: ${name}, ${scopeText(scope, matrix)}${fromText(order)}.`)
      done()
    },
  )
  form.append(
    flow.result,
    actions(flow, () => dialog.close()),
  )
  dialog = modal('Issue a suspension order', form)
  partner.focus()
}

/** A suspension to lift. `scheduledFrom` is its start when it is not yet in force: lifting it then cancels it. */
export interface LiftTarget {
  id: string
  partner: string
  scope: string
  scheduledFrom?: string
}

const LIFT_WORDS = {
  resume: {
    title: 'Resume sharing',
    confirm: 'Confirm resumption',
    done: 'Suspension lifted',
    waits: 'sharing resumes',
  },
  cancel: {
    title: 'Cancel the scheduled order',
    confirm: 'Confirm cancellation',
    done: 'Scheduled order cancelled',
    waits: 'the order is cancelled',
  },
}

/**
 * The node previews a cancellation as a lift at the order's start, and so says the partner "regains" what
 * it never lost: for an order not yet in force, what it receives now does not change at all.
 */
function cancellationPreview(partner: string, start: string): Preview {
  const summary = `The order has not taken effect: cancelling it changes nothing ${partner} receives now, and it will not come into force at ${fmt.time(start)}.`
  return {
    view: h('div', { class: 'impact' }, h('p', { class: 'summary', id: 'impact-summary' }, summary)),
    summary,
  }
}

function liftIntro(target: LiftTarget): HTMLElement {
  const what = [h('strong', {}, target.scope), ' for ', h('strong', {}, target.partner)]
  return target.scheduledFrom === undefined
    ? h('p', {}, 'Lift the suspension of ', what, '.')
    : h(
        'p',
        {},
        'Cancel the suspension of ',
        what,
        ` scheduled from ${fmt.time(target.scheduledFrom)}: it will never come into force.`,
      )
}

/** Lifting a suspension, or cancelling one not yet in force, with the same preview-then-confirm step. */
export function openResumeDialog(
  target: LiftTarget,
  done: () => void,
  collectionName: (id: string) => string = (id) => id,
): void {
  const scheduledFrom = target.scheduledFrom
  const words = LIFT_WORDS[scheduledFrom === undefined ? 'resume' : 'cancel']
  // a lift given no time cancels a scheduled order; given a later one it would lift it once begun instead
  const when = scheduledFrom === undefined ? whenField('resume-when', 'resume-when-help') : undefined
  const reason = reasonField('resume-reason')
  const form = h(
    'form',
    { method: 'dialog' },
    liftIntro(target),
    when &&
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
  const effective = () => (when ? effectiveFrom(when) : {})
  const flow = previewThenConfirm(
    form,
    async () => {
      const impact = await api.post<OrderImpact>(
        `/console-api/impact/resume/${encodeURIComponent(target.id)}`,
        effective(),
      )
      // it came into force since the dialog opened: the lift takes effect now, as the node's preview says
      const cancels = scheduledFrom !== undefined && Date.parse(impact.at) === Date.parse(scheduledFrom)
      return cancels ? cancellationPreview(target.partner, impact.at) : impactPreview(impact, collectionName)
    },
    async () => {
      const answer = await api.post<{ status?: string; approval?: { id: string } }>(
        `/admin/orders/${encodeURIComponent(target.id)}/resume`,
        { reason: reason.value, ...effective() },
      )
      if (answer?.status === 'pending-approval') {
        // the four-eyes rule: lifting waits for a second officer
        clear(
          flow.result,
          h(
            'p',
            { class: 'summary', role: 'status' },
            `Recorded for approval (${answer.approval?.id ?? ''}): a second officer must approve before ${words.waits}.`,
          ),
        )
        announce(`A second officer must approve before ${words.waits}.`)
        done()
        return
      }
      dialog.close()
      showNotice(`${words.done}: ${target.partner}, ${target.scope}${fromText(effective())}.`)
      done()
    },
  )
  flow.confirmButton.textContent = words.confirm
  form.append(
    flow.result,
    actions(flow, () => dialog.close()),
  )
  dialog = modal(words.title, form)
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
