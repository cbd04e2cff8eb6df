import { h } from './dom.js'

const open = new Set<HTMLDialogElement>()

/** A modal dialog over the page; it belongs to the page it was opened on (see `closeModals`). */
export function modal(title: string, body: HTMLElement): HTMLDialogElement {
  const dialog = h(
    'dialog',
    { class: 'modal', 'aria-labelledby': 'dialog-title' },
    h('h2', { id: 'dialog-title' }, title),
    body,
  )
  dialog.addEventListener('close', () => {
    open.delete(dialog)
    dialog.remove()
  })
  open.add(dialog)
  document.body.append(dialog)
  dialog.showModal()
  return dialog
}

/** A dialog left open over another page would block it and act on a partner no longer shown. */
export function closeModals(): void {
  for (const dialog of [...open]) dialog.close()
}
