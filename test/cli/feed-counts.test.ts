import { describe, expect, it } from 'vitest'
import { feedCountsText } from '../../src/cli/commands/feed-counts.js'

describe('a feed line', () => {
  it('says what was received, and nothing more when nothing was refused', () => {
    expect(feedCountsText({})).toBe('received 0')
    expect(feedCountsText({ added: 27, pages: 3, rejected: 0 })).toBe('received 27')
  })

  it('says how many objects were not stored and where to see why', () => {
    expect(feedCountsText({ added: 27, rejected: 13 })).toBe(
      'received 27, rejected 13 ("feeds list --json" says why)',
    )
    expect(feedCountsText({ added: 1, bounced: 2, rejected: 3 })).toBe(
      'received 1, rejected 3, bounced 2 ("feeds list --json" says why)',
    )
  })
})
