import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateObjects, writeBundle, writeJsonLines } from '../../bench/data/generate.js'
import { TLP_MARKING_IDS } from '../../src/demo/tlp.js'
import { readObjects } from '../../src/stix/bundle-reader.js'
import type { StixObject } from '../../src/stix/object.js'
import { validatePattern } from '../../src/stix/pattern/validate.js'
import { validateObject } from '../../src/stix/validate.js'

const sample = [...generateObjects(4000, 42)]

function refsOf(value: unknown, key = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => refsOf(v, key))
  if (typeof value === 'string') return key.endsWith('_ref') || key.endsWith('_refs') ? [value] : []
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => refsOf(v, k))
  return []
}

describe('bench data generator', () => {
  it('is deterministic per seed and yields exactly `count` objects', () => {
    expect(JSON.stringify([...generateObjects(4000, 42)])).toBe(JSON.stringify(sample))
    expect(JSON.stringify([...generateObjects(200, 43)])).not.toBe(JSON.stringify(sample.slice(0, 200)))
    for (const n of [0, 1, 7, 8, 9, 1000]) expect([...generateObjects(n, 1)]).toHaveLength(n)
  })

  it('mixes the promised types, about 1 KB or more on average, with every TLP level', () => {
    const types = new Set(sample.map((o) => o.type))
    for (const t of [
      'indicator',
      'observed-data',
      'relationship',
      'sighting',
      'intrusion-set',
      'report',
      'location',
      'note',
    ]) {
      expect(types).toContain(t)
    }
    const average = sample.reduce((sum, o) => sum + JSON.stringify(o).length, 0) / sample.length
    expect(average).toBeGreaterThan(900)
    expect(average).toBeLessThan(2048)
    const marks = new Set(sample.flatMap((o) => o.object_marking_refs ?? []))
    for (const id of Object.values(TLP_MARKING_IDS)) expect(marks).toContain(id)
  })

  it('only refers to objects generated earlier, and ids are unique', () => {
    const seen = new Set<string>()
    for (const o of sample) {
      expect(seen.has(o.id)).toBe(false)
      seen.add(o.id) // the first identity is its own author
      for (const ref of refsOf(o)) {
        if (ref.startsWith('marking-definition--')) continue
        expect(seen.has(ref), `${o.id} -> ${ref}`).toBe(true)
      }
    }
  })

  it('produces valid STIX 2.1 with documentation addresses and example.* domains only', () => {
    const patternChecker = (pattern: string) => validatePattern(pattern)?.message
    const failures = sample
      .map((o) => ({ id: o.id, issues: validateObject(o, { patternChecker }) }))
      .filter((r) => r.issues.length > 0)
    expect(failures).toEqual([])
    const text = JSON.stringify(sample)
    for (const ip of text.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? []) {
      expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./)
    }
    for (const host of text.match(/[a-z0-9-]+\.(com|net|org)\b/g) ?? []) expect(host).toMatch(/^example\./)
  })
})

describe('writeBundle / writeJsonLines', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-generate-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function readBack(path: string): Promise<StixObject[]> {
    const out: StixObject[] = []
    for await (const item of readObjects(createReadStream(path, { highWaterMark: 4096 })))
      out.push(item.value as StixObject)
    return out
  }

  it.each([
    ['bundle', writeBundle],
    ['JSON Lines', writeJsonLines],
  ] as const)('writes a %s that reads back to the generated objects', async (name, write) => {
    const path = join(dir, `${name}.json`)
    const result = await write(path, 3000, 42)
    expect(result.objects).toBe(3000)
    expect(await readBack(path)).toEqual(sample.slice(0, 3000))
  })

  it('writes empty outputs that read back as nothing', async () => {
    await writeBundle(join(dir, 'empty.json'), 0, 1)
    await writeJsonLines(join(dir, 'empty.jsonl'), 0, 1)
    expect(await readBack(join(dir, 'empty.json'))).toEqual([])
    expect(await readBack(join(dir, 'empty.jsonl'))).toEqual([])
  })
})
