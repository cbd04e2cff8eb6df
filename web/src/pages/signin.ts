import type { ConsoleMe } from '../../../src/services/console-types.js'
import { api } from '../api.js'
import { clear, h } from '../dom.js'
import { errorBox } from '../ui.js'

/** Sign-in with an API key: an admin key shows the whole node, a partner key only that partner's view. */
/** `ended`: why the node ended the last session, shown until the next attempt. */
export function renderSignIn(
  root: HTMLElement,
  done: (key: string, me: ConsoleMe) => void,
  ended?: string,
): void {
  const input = h('input', {
    id: 'key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'key-help',
  })
  const problem = h('div', {}, ended ? h('div', { class: 'error', role: 'alert' }, h('p', {}, ended)) : null)
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in')
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault()
        const key = input.value.trim()
        if (!key) return
        button.disabled = true
        clear(problem)
        try {
          done(key, await api.get<ConsoleMe>('/console-api/me', key))
        } catch (error) {
          clear(problem, errorBox(error))
          input.focus()
        } finally {
          button.disabled = false
        }
      },
    },
    h('h1', { tabindex: '-1' }, 'Sluice console'),
    h('p', { class: 'sub' }, 'Meridia National Police — Maritime Intelligence Unit (fictional demo node)'),
    h('label', { for: 'key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'key-help', class: 'hint' },
      'Paste an admin key to manage sharing, or a partner key to see what that partner receives. The key stays in this tab only.',
    ),
    problem,
    button,
  )
  clear(root, h('main', { id: 'main', class: 'signin-page' }, form))
  input.focus()
}
