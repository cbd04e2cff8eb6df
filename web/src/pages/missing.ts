import { h } from '../dom.js'
import type { Route } from '../router.js'
import { href } from '../router.js'
import { empty, heading } from '../ui.js'

export async function renderMissing(
  main: HTMLElement,
  route: Extract<Route, { page: 'missing' }>,
): Promise<void> {
  main.append(
    heading('Page not found'),
    empty(`There is no console page at ${route.path}.`),
    h('p', {}, h('a', { href: href('/') }, 'Go to the flows matrix')),
  )
}
