/** Client-side routes under /console/ (the node serves index.html for any of them). */

export const BASE = '/console'

export type Route =
  | { page: 'flows' }
  | { page: 'partner'; id: string }
  | { page: 'intel'; params: URLSearchParams }
  | { page: 'object'; id: string }
  | { page: 'ledger'; params: URLSearchParams }
  | { page: 'federation' }
  | { page: 'signin' }
  | { page: 'missing'; path: string }

/** The path's segments, or undefined when one is not valid percent-encoding (no page has such a name). */
function decodedSegments(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent)
  } catch (error) {
    if (error instanceof URIError) return undefined
    throw error
  }
}

export function parseRoute(location: Location | URL): Route {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname
  const parts = decodedSegments(path)
  if (parts === undefined) return { page: 'missing', path }
  const params = new URLSearchParams(location.search)
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'flows')) return { page: 'flows' }
  if (parts[0] === 'partners' && parts.length === 2) return { page: 'partner', id: parts[1]! }
  if (parts[0] === 'intel' && parts.length === 1) return { page: 'intel', params }
  if (parts[0] === 'objects' && parts.length === 2) return { page: 'object', id: parts[1]! }
  if (parts[0] === 'ledger' && parts.length === 1) return { page: 'ledger', params }
  if (parts[0] === 'federation' && parts.length === 1) return { page: 'federation' }
  if (parts[0] === 'signin') return { page: 'signin' }
  return { page: 'missing', path }
}

export function href(path: string): string {
  return `${BASE}${path.startsWith('/') ? path : `/${path}`}`
}

let listener: () => void = () => {}

export function onNavigate(fn: () => void): void {
  listener = fn
  window.addEventListener('popstate', () => listener())
  // same-origin links inside the console navigate without a reload
  document.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return
    const a = (event.target as Element | null)?.closest('a')
    if (!a || a.target || a.hasAttribute('download')) return
    const url = new URL(a.href, location.href)
    if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`)) return
    event.preventDefault()
    navigate(url.pathname + url.search)
  })
}

export function navigate(path: string, replace = false): void {
  const target = path.startsWith(BASE) ? path : href(path)
  if (replace) history.replaceState(null, '', target)
  else history.pushState(null, '', target)
  listener()
}
