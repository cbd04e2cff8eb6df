import './styles.css'
import type { ConsoleMe } from '../../src/services/console-types.js'
import { api, whenUnauthorized } from './api.js'
import { clear, h } from './dom.js'
import { closeModals } from './modal.js'
import { renderFederation } from './pages/federation.js'
import { renderFlows } from './pages/flows.js'
import { renderIntel } from './pages/intel.js'
import { renderLedger } from './pages/ledger.js'
import { renderMissing } from './pages/missing.js'
import { renderObject } from './pages/object.js'
import { renderPartner } from './pages/partner.js'
import { renderSignIn } from './pages/signin.js'
import { navigate, onNavigate, parseRoute, type Route } from './router.js'
import { session } from './session.js'
import { shell } from './shell.js'
import { empty, heading } from './ui.js'

export type Cleanup = () => void
export type Render = (main: HTMLElement, route: Route) => Promise<Cleanup | void>

const app = document.getElementById('app')!
let cleanup: Cleanup | undefined
let frame: ReturnType<typeof shell> | undefined

const PAGES: Record<Exclude<Route['page'], 'signin'>, [string, Render]> = {
  flows: ['Flows', renderFlows as Render],
  partner: ['Partner', renderPartner as Render],
  intel: ['Intelligence', renderIntel as Render],
  object: ['Object', renderObject as Render],
  ledger: ['Ledger', renderLedger as Render],
  federation: ['Federation', renderFederation as Render],
  missing: ['Not found', renderMissing as Render],
}

/** Pages a role may open; the node refuses the rest anyway, this only spares a page of errors. */
function mayOpen(route: Route): boolean {
  switch (route.page) {
    case 'flows':
      return session.can('readFlows')
    case 'partner':
      return session.can('readPolicy') || session.me()?.partner?.id === route.id
    case 'intel':
    case 'object':
      return session.can('readIntel')
    case 'ledger':
      return session.can('readLedger')
    case 'federation':
      return session.can('readFederation')
    default:
      return true
  }
}

function notForRole(role: string): HTMLElement {
  return h(
    'div',
    {},
    heading('Not available', `The ${role} role cannot open this page.`),
    empty('Use the links above: they are the pages your role may use.'),
  )
}

/** Why the last session ended, when the node ended it: said once on the sign-in page. */
let endedBecause: string | undefined
/** Counts page shows, so a render that finishes after the next show began is dropped. */
let shows = 0

function signOut(reason?: string): void {
  session.end()
  frame = undefined
  endedBecause = reason
  navigate('/signin')
}

async function show(): Promise<void> {
  closeModals()
  cleanup?.()
  cleanup = undefined
  const shown = ++shows
  const route = parseRoute(location)
  if (route.page === 'signin' || !session.me()) {
    frame = undefined
    document.title = 'Sign in · Sluice console'
    renderSignIn(
      app,
      async (key, me) => {
        session.start(key, me)
        navigate(route.page === 'signin' ? '/' : location.pathname + location.search, true)
      },
      endedBecause,
    )
    endedBecause = undefined
    return
  }
  if (!frame) {
    frame = shell(() => signOut())
    clear(app, frame.root)
  }
  // roles without the flows view (analysts) start on the intelligence page
  if (route.page === 'flows' && !session.can('readFlows')) {
    navigate(session.can('readIntel') ? '/intel' : session.can('readLedger') ? '/ledger' : '/missing', true)
    return
  }
  if (!mayOpen(route)) {
    frame.setCurrent('')
    document.title = 'Not available · Sluice console'
    clear(frame.main, notForRole(session.me()?.role ?? ''))
    frame.main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true })
    return
  }
  const [title, render] = PAGES[route.page]
  const current = frame
  current.setCurrent(route.page === 'object' ? 'intel' : route.page)
  document.title = `${title} · Sluice console`
  clear(current.main)
  const stop = (await render(current.main, route)) ?? undefined
  // signed out (a 401 while it loaded) or moved on meanwhile: the page is gone, so are its pollers
  if (shown !== shows || frame !== current) {
    stop?.()
    return
  }
  cleanup = stop
  // move focus to the new page's heading so keyboard and screen-reader users start there
  current.main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true })
}

async function boot(): Promise<void> {
  whenUnauthorized(() => {
    if (session.me())
      signOut('The node no longer accepts this key (revoked or expired). Sign in with a valid key.')
  })
  onNavigate(() => void show())
  const key = session.key()
  if (key) {
    try {
      session.restore(await api.get<ConsoleMe>('/console-api/me', key))
    } catch {
      session.end()
    }
  }
  await show()
}

void boot()
