import { describe, expect, expectTypeOf, it } from 'vitest'
import type { StixObject } from '../../src/stix/object.js'
import type { Bundle, Indicator, Ipv4Addr, KnownStixObject, Tlp2Marking } from '../../src/stix/types/index.js'
import { validateObject } from '../../src/stix/validate.js'

describe('the typed model', () => {
  it('types a valid indicator and keeps object.ts compatible', () => {
    const indicator = {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2024-03-01T10:00:00.000Z',
      modified: '2024-03-01T10:00:00.000Z',
      pattern: "[ipv4-addr:value = '203.0.113.7']",
      pattern_type: 'stix',
      valid_from: '2024-03-01T10:00:00Z',
    } satisfies Indicator
    expectTypeOf(indicator).toExtend<StixObject>()
    expectTypeOf<KnownStixObject>().toExtend<StixObject>()
    expectTypeOf<Ipv4Addr['created']>().toBeUndefined()
    expectTypeOf<Tlp2Marking['type']>().toEqualTypeOf<'marking-definition'>()
    expectTypeOf<Bundle['id']>().toEqualTypeOf<`bundle--${string}`>()
    expect(validateObject(indicator)).toEqual([])
  })
})
