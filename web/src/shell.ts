import { h } from './dom.js'
import { href } from './router.js'
import { session } from './session.js'

/** Header, navigation, the main region and the live region every page shares. */
export function shell(onSignOut: () => void): {
  root: HTMLElement
  main: HTMLElement
  setCurrent(page: string): void
} {
  const me = session.me()
  const links: [string, string, string][] = []
  if (session.can('readFlows')) links.push(['flows', 'Flows', href('/')])
  if (me?.partner)
    links.push(['partner', 'Our agreement', href(`/partners/${encodeURIComponent(me.partner.id)}`)])
  if (session.can('readIntel')) links.push(['intel', 'Intelligence', href('/intel')])
  if (session.can('readLedger')) links.push(['ledger', 'Ledger', href('/ledger')])
  if (session.can('readFederation')) links.push(['federation', 'Federation', href('/federation')])
  const anchors = links.map(([page, label, url]) => h('a', { href: url, 'data-page': page }, label))
  const main = h('main', { id: 'main' })
  const root = h(
    'div',
    { class: 'shell' },
    h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, '≋'),
        h('span', {}, 'Sluice'),
        h('span', { class: 'node' }, 'Meridia MIU sharing node'),
      ),
      h(
        'nav',
        { 'aria-label': 'Main' },
        h(
          'ul',
          {},
          anchors.map((a) => h('li', {}, a)),
        ),
      ),
      h(
        'div',
        { class: 'who' },
        h('span', {}, me?.partner ? `${me.partner.name} (partner)` : `${me?.name ?? ''} (${me?.role ?? ''})`),
        h('button', { type: 'button', class: 'link', onclick: onSignOut }, 'Sign out'),
      ),
    ),
    main,
    h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' }),
  )
  return {
    root,
    main,
    setCurrent(page) {
      for (const a of anchors) {
        if (a.dataset.page === page) a.setAttribute('aria-current', 'page')
        else a.removeAttribute('aria-current')
      }
    },
  }
}
