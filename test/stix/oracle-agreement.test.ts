/**
 * Oracle agreement: every STIX object in the OASIS example files gets the same
 * verdict from validateObject as from the OASIS JSON schemas.
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateObject } from '../../src/stix/validate.js'
import { oraclePath, readOracleJson } from '../oracles.js'
import { oasisValidate } from './oasis-schemas.js'

function jsonFiles(relativeDir: string): string[] {
  const dir = oraclePath(relativeDir)
  return readdirSync(dir).flatMap((name) => {
    const relative = `${relativeDir}/${name}`
    if (statSync(join(dir, name)).isDirectory()) return jsonFiles(relative)
    return name.endsWith('.json') ? [relative] : []
  })
}

type Json = Record<string, unknown>

/** The STIX objects a file holds: a bundle's members, a lone object, or none for a JSON schema. */
function stixObjects(file: Json): Json[] {
  if (typeof file.$schema === 'string') return []
  if (file.type === 'bundle') return (file.objects as Json[] | undefined) ?? []
  return typeof file.type === 'string' ? [file] : []
}

const files = [...jsonFiles('stix2-json-schemas/examples'), ...jsonFiles('stix2-json-schemas/interop')]
const cases = files.flatMap((file) => {
  const objects = stixObjects(readOracleJson<Json>(file))
  return objects.map((object, index) => ({
    name: `${file} #${index} ${String(object.type)} ${String(object.id)}`,
    object,
  }))
})

describe('oracle agreement with the OASIS JSON schemas', () => {
  it('finds the example objects (and reads interop/ files, which are JSON schemas holding no objects)', () => {
    expect(files.filter((f) => f.includes('/examples/')).length).toBeGreaterThanOrEqual(8)
    expect(files.filter((f) => f.includes('/interop/')).length).toBeGreaterThan(0)
    for (const f of files.filter((f) => f.includes('/interop/')))
      expect(stixObjects(readOracleJson<Json>(f))).toEqual([])
    expect(cases.length).toBeGreaterThan(250)
  })

  it.each(cases)('same verdict: $name', ({ object }) => {
    const oasis = oasisValidate(object)
    const ours = validateObject(object)
    expect({ valid: ours.length === 0, ours }).toEqual({
      valid: oasis.valid,
      ours: oasis.valid ? [] : expect.anything(),
    })
  })

  it('agrees on all 2,148 MITRE ATT&CK objects too (custom types checked against core.json)', () => {
    const bundle = readOracleJson<{ objects: Json[] }>('mitre-attack/mobile-attack-17.1.json')
    const disagreements = bundle.objects
      .map((o) => ({ id: o.id, oasis: oasisValidate(o).valid, ours: validateObject(o).length === 0 }))
      .filter((r) => r.oasis !== r.ours)
    expect(disagreements).toEqual([])
  })
})
