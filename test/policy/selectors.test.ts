import { describe, expect, it } from 'vitest'
import { formatSelector, isValidSelector, parseSelector, removeSelected } from '../../src/policy/index.js'
import type { StixObject } from '../../src/stix/object.js'

const base: StixObject = {
  type: 'report',
  spec_version: '2.1',
  id: 'report--00000000-0000-4000-8000-000000000001',
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  name: 'Saltpan brokers',
  description: 'secret',
  external_references: [
    { source_name: 'a', url: 'https://example.org/a', hashes: { 'SHA-256': '00' } },
    { source_name: 'b', url: 'https://example.org/b' },
    { source_name: 'c', url: 'https://example.org/c' },
  ],
  granular_markings: [
    { marking_ref: 'marking-definition--r', selectors: ['description', 'external_references.[0]'] },
    {
      marking_ref: 'marking-definition--g',
      selectors: ['external_references.[2].url', 'external_references.[0].url', 'name'],
    },
    { lang: 'fr', selectors: ['external_references.[1].source_name'] },
  ],
}

describe('selectors', () => {
  it('parses and formats the STIX selector syntax', () => {
    expect(parseSelector('external_references.[0].url')).toEqual(['external_references', 0, 'url'])
    expect(formatSelector(['external_references', 12, 'url'])).toBe('external_references.[12].url')
    expect(isValidSelector('external_references.[0].url')).toBe(true)
    expect(isValidSelector('id')).toBe(true)
    expect(isValidSelector('x.[a]')).toBe(false)
  })

  it('removes list elements and shifts later indexes in the remaining granular markings', () => {
    const out = removeSelected(base, ['description', 'external_references.[0]'])
    expect(out).not.toHaveProperty('description')
    expect(out.external_references).toEqual([
      { source_name: 'b', url: 'https://example.org/b' },
      { source_name: 'c', url: 'https://example.org/c' },
    ])
    expect(out.granular_markings).toEqual([
      { marking_ref: 'marking-definition--g', selectors: ['external_references.[1].url', 'name'] },
      { lang: 'fr', selectors: ['external_references.[0].source_name'] },
    ])
    expect((base.external_references as unknown[]).length).toBe(3) // not mutated
  })

  it('removes nested paths before the elements that contain them', () => {
    const out = removeSelected(base, [
      'external_references.[2].url',
      'external_references.[1]',
      'external_references.[0].hashes',
    ])
    expect(out.external_references).toEqual([
      { source_name: 'a', url: 'https://example.org/a' },
      { source_name: 'c' },
    ])
  })

  it('drops a list emptied by redaction and every selector into it', () => {
    const out = removeSelected(base, [
      'external_references.[0]',
      'external_references.[1]',
      'external_references.[2]',
    ])
    expect(out).not.toHaveProperty('external_references')
    expect(out.granular_markings).toEqual([
      { marking_ref: 'marking-definition--r', selectors: ['description'] },
      { marking_ref: 'marking-definition--g', selectors: ['name'] },
    ])
  })

  it('drops granular_markings entirely when nothing is left', () => {
    const o: StixObject = {
      ...base,
      granular_markings: [{ marking_ref: 'marking-definition--r', selectors: ['description'] }],
    }
    expect(removeSelected(o, ['description'])).not.toHaveProperty('granular_markings')
  })
})
