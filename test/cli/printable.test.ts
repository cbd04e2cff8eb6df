import { describe, expect, it } from 'vitest'
import { printable } from '../../src/cli/printable.js'

describe('printable', () => {
  it('shows control characters and direction overrides as their codes, and leaves other text alone', () => {
    expect(printable('ok\u001b[2J\nforged line')).toBe('ok\\u001b[2J\\u000aforged line')
    expect(printable('evil\u202edesk')).toBe('evil\\u202edesk')
    expect(printable('Garde côtière — نگهبان\u200c')).toBe('Garde côtière — نگهبان\u200c')
  })
})
