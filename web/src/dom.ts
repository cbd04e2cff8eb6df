/** Building DOM without innerHTML: text is always text, so data from the node can never become markup. */

export type Child = Node | string | number | null | undefined | false | Child[]
type Attr = string | number | boolean | null | undefined | ((event: never) => void)

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

function apply(el: Element, attrs: Record<string, Attr>): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value as EventListener)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  apply(el, attrs)
  append(el, children)
  return el
}

const SVG = 'http://www.w3.org/2000/svg'

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag)
  apply(el, attrs)
  append(el, children)
  return el
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

/** Announces a message to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const region = document.getElementById('announcer')
  if (!region) return
  region.textContent = ''
  // a separate task, so the same message twice is still read out
  setTimeout(() => {
    region.textContent = message
  }, 50)
}

export const fmt = {
  int: (n: number) => n.toLocaleString('en-GB'),
  time: (iso: string) => {
    const d = new Date(iso)
    return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  },
  short: (id: string) => (id.length > 24 ? `${id.slice(0, 20)}…${id.slice(-4)}` : id),
}
