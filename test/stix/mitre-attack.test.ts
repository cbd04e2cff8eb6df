import { describe, expect, it } from 'vitest'
import { validateBundle, validateObject } from '../../src/stix/validate.js'
import { readOracleJson } from '../oracles.js'

interface Bundle {
  type: string
  id: string
  objects: Record<string, unknown>[]
}

const bundle = readOracleJson<Bundle>('mitre-attack/mobile-attack-17.1.json')

describe('the MITRE ATT&CK mobile bundle (real data, custom x-mitre-* types)', () => {
  it('holds 2,148 objects, including custom x-mitre-* types', () => {
    expect(bundle.objects).toHaveLength(2148)
    expect(bundle.objects.some((o) => String(o.type).startsWith('x-mitre-'))).toBe(true)
  })

  it('is accepted with zero issues as a bundle', () => {
    expect(validateBundle(bundle)).toEqual([])
  })

  it('has every member accepted on its own', () => {
    const rejected = bundle.objects
      .map((o) => ({ id: o.id, issues: validateObject(o) }))
      .filter((r) => r.issues.length > 0)
    expect(rejected).toEqual([])
  })

  it('still catches a broken member (the test can fail)', () => {
    const objects = bundle.objects.map((o, i) => (i === 5 ? { ...o, created: 'yesterday' } : o))
    const issues = validateBundle({ ...bundle, objects })
    expect(issues).toEqual([
      expect.objectContaining({ path: '$.objects[5].created', rule: 'timestamp-format' }),
    ])
  })
})
