import './styles.css'
import type { ConsoleMe } from '../../src/services/console-types.js'
import { api, whenUnauthorized } from './api.js'
import { clear } from './dom.js'
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
  missing: ['Not found', renderMissing as Render],
}

function signOut(): void {
  session.end()
  frame = undefined
  navigate('/signin')
}

async function show(): Promise<void> {
  cleanup?.()
  cleanup = undefined
  const route = parseRoute(location)
  if (route.page === 'signin' || !session.me()) {
    frame = undefined
    document.title = 'Sign in · Sluice console'
    renderSignIn(app, async (key, me) => {
      session.start(key, me)
      navigate(route.page === 'signin' ? '/' : location.pathname + location.search, true)
    })
    return
  }
  if (!frame) {
    frame = shell(signOut)
    clear(app, frame.root)
  }
  // roles without the flows view (analysts) start on the intelligence page
  if (route.page === 'flows' && !session.can('readPolicy') && !session.isPartner()) {
    navigate(session.can('readIntel') ? '/intel' : '/ledger', true)
    return
  }
  const [title, render] = PAGES[route.page]
  frame.setCurrent(route.page === 'object' ? 'intel' : route.page)
  document.title = `${title} · Sluice console`
  clear(frame.main)
  cleanup = (await render(frame.main, route)) ?? undefined
  // move focus to the new page's heading so keyboard and screen-reader users start there
  frame.main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true })
}

async function boot(): Promise<void> {
  whenUnauthorized(() => {
    if (session.me()) signOut()
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
