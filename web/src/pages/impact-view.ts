import type { OrderImpact } from '../../../src/services/console-types.js'
import { fmt, h } from '../dom.js'

/** The effect of an order before it is confirmed: one sentence, then the numbers per partner. */
export function impactView(impact: OrderImpact, collectionName: (id: string) => string): HTMLElement {
  return h(
    'div',
    { class: 'impact' },
    h('p', { class: 'summary', id: 'impact-summary' }, impact.summary),
    h(
      'table',
      { class: 'compact' },
      h('caption', {}, `Effect at ${fmt.time(impact.at)}, over ${fmt.int(impact.total)} objects`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Partner', 'Receives now', 'After', 'Change'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        impact.partners.map((p) =>
          h(
            'tr',
            { class: p.affected ? 'affected' : '' },
            h('th', { scope: 'row' }, p.partner.name),
            h('td', {}, p.visibleBefore === undefined ? '—' : fmt.int(p.visibleBefore)),
            h('td', {}, p.visibleAfter === undefined ? '—' : fmt.int(p.visibleAfter)),
            h(
              'td',
              {},
              p.affected
                ? [
                    p.lost
                      ? `−${fmt.int(p.lost)} (${Object.entries(p.lostByCollection)
                          .map(([c, n]) => `${collectionName(c)}: ${fmt.int(n)}`)
                          .join(', ')})`
                      : '',
                    p.gained
                      ? ` +${fmt.int(p.gained)} (${Object.entries(p.gainedByCollection)
                          .map(([c, n]) => `${collectionName(c)}: ${fmt.int(n)}`)
                          .join(', ')})`
                      : '',
                    p.newlyRedacted ? ` ${fmt.int(p.newlyRedacted)} more redacted` : '',
                    p.unredacted ? ` ${fmt.int(p.unredacted)} less redacted` : '',
                  ].join('')
                : 'unaffected',
            ),
          ),
        ),
      ),
    ),
  )
}
