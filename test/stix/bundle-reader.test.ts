import { createReadStream, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BundleReadError, type ReadItem, readObjects } from '../../src/stix/bundle-reader.js'
import { oraclePath } from '../oracles.js'

async function* chunks<T>(parts: readonly T[]): AsyncGenerator<T> {
  for (const part of parts) yield part
}

async function collect(
  parts: readonly (Buffer | string)[],
  options?: Parameters<typeof readObjects>[1],
): Promise<ReadItem[]> {
  const out: ReadItem[] = []
  for await (const item of readObjects(chunks(parts), options)) out.push(item)
  return out
}

/** Reads until the error, returning what was yielded before it and the error itself. */
async function collectError(
  parts: readonly (Buffer | string)[],
  options?: Parameters<typeof readObjects>[1],
): Promise<{ items: ReadItem[]; error: BundleReadError }> {
  const items: ReadItem[] = []
  try {
    for await (const item of readObjects(chunks(parts), options)) items.push(item)
  } catch (error) {
    expect(error).toBeInstanceOf(BundleReadError)
    return { items, error: error as BundleReadError }
  }
  throw new Error('expected a BundleReadError')
}

function splitAt(buf: Buffer, points: number[]): Buffer[] {
  const cuts = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b)
  const parts: Buffer[] = []
  let last = 0
  for (const cut of cuts) {
    parts.push(buf.subarray(last, cut))
    last = cut
  }
  parts.push(buf.subarray(last))
  return parts
}

const sample = [
  { type: 'indicator', id: 'indicator--1', pattern: "[ipv4-addr:value = '198.51.100.7']", n: [1, 2.5, -3e2] },
  { type: 'note', id: 'note--2', content: 'quote " backslash \\ brace } bracket ] é 漢 😀 \u0000 \u2028' },
  { type: 'x-custom', id: 'x-custom--3', nested: { a: [{ b: { c: [] } }], t: true, f: false, z: null } },
]

type Form = 'bundle' | 'bundle-objects-first' | 'array' | 'jsonl' | 'pretty-bundle'

function encode(objects: readonly unknown[], form: Form): string {
  switch (form) {
    case 'bundle':
      return JSON.stringify({ type: 'bundle', id: 'bundle--0a3f', objects })
    case 'bundle-objects-first':
      return JSON.stringify({ objects, id: 'bundle--0a3f', extra: { k: [1, '}'] }, type: 'bundle' })
    case 'pretty-bundle':
      return JSON.stringify({ type: 'bundle', id: 'bundle--0a3f', objects }, null, 2)
    case 'array':
      return JSON.stringify(objects, null, objects.length % 2 === 0 ? 1 : undefined)
    case 'jsonl':
      return objects.map((o) => JSON.stringify(o)).join('\n\n') + '\n'
  }
}

const forms: Form[] = ['bundle', 'bundle-objects-first', 'pretty-bundle', 'array', 'jsonl']

describe('readObjects: the three forms', () => {
  it.each(forms)('reads %s', async (form) => {
    const items = await collect([encode(sample, form)])
    expect(items.map((i) => i.value)).toEqual(sample)
    expect(items.map((i) => i.index)).toEqual([0, 1, 2])
    for (const item of items) expect(item.text).toBe(JSON.stringify(item.value))
  })

  // the jsonl encoding leaves a blank line between objects: the line is the one the object is on
  it.each([
    ['bundle', ['$.objects[0]', '$.objects[1]', '$.objects[2]']],
    ['bundle-objects-first', ['$.objects[0]', '$.objects[1]', '$.objects[2]']],
    ['array', ['$[0]', '$[1]', '$[2]']],
    ['jsonl', ['line 1: $', 'line 3: $', 'line 5: $']],
  ] as const)('says where each object of %s is, for messages', async (form, where) => {
    const items = await collect([encode(sample, form)])
    expect(items.map((i) => i.where)).toEqual(where)
  })

  it('reads JSON Lines with CRLF endings, blank lines and trailing blanks', async () => {
    const text = '\r\n' + sample.map((o) => JSON.stringify(o)).join(' \r\n\r\n\t') + '\r\n  \n'
    expect((await collect([text])).map((i) => i.value)).toEqual(sample)
  })

  it('reads a one-line JSON Lines file whose only object is not a bundle', async () => {
    expect((await collect(['{"type":"note","id":"note--1","content":"x"}'])).map((i) => i.value)).toEqual([
      { type: 'note', id: 'note--1', content: 'x' },
    ])
  })

  it('skips a UTF-8 byte-order mark, even split across chunks', async () => {
    const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(encode(sample, 'bundle'))])
    expect((await collect([buf.subarray(0, 1), buf.subarray(1, 2), buf.subarray(2)])).length).toBe(3)
  })

  it('reads empty inputs as nothing', async () => {
    expect(await collect([])).toEqual([])
    expect(await collect([' \n'])).toEqual([])
    expect(await collect(['[]'])).toEqual([])
    expect(await collect(['{"type":"bundle","id":"bundle--1","objects":[]}'])).toEqual([])
    expect(await collect(['{"type":"bundle","id":"bundle--1"}'])).toEqual([])
  })

  it('keeps own "__proto__" keys of a first JSON Lines object as data', async () => {
    const [item] = await collect(['{"__proto__":{"x":1},"type":"note"}\n'])
    expect(item!.text).toBe('{"__proto__":{"x":1},"type":"note"}')
  })
})

describe('readObjects: chunk boundaries', () => {
  const object = fc.dictionary(
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }),
    { maxKeys: 5 },
  )

  it('yields the same objects wherever the bytes are split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(object, { maxLength: 6 }),
        fc.constantFrom(...forms),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (objects, form, points) => {
          const buf = Buffer.from(encode(objects, form), 'utf8')
          const whole = await collect([buf])
          const split = await collect(splitAt(buf, points))
          expect(split).toEqual(whole)
          expect(whole.map((i) => i.text)).toEqual(
            objects.map((o) => JSON.stringify(JSON.parse(JSON.stringify(o)))),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('yields the same objects wherever a string input is split (including inside surrogate pairs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(object, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...forms),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (objects, form, points) => {
          const text = encode(objects, form)
          const cuts = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b)
          const parts: string[] = []
          let last = 0
          for (const cut of cuts) {
            parts.push(text.slice(last, cut))
            last = cut
          }
          parts.push(text.slice(last))
          expect(await collect(parts)).toEqual(await collect([text]))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('finds string ends through runs of backslashes and quotes split anywhere', async () => {
    const tricky = fc.string({ unit: fc.constantFrom('\\', '"', 'a', 'é', '}', ']'), maxLength: 12 })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: tricky, v: fc.array(tricky, { maxLength: 3 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom(...forms),
        fc.array(fc.nat(), { maxLength: 16 }),
        async (objects, form, points) => {
          const buf = Buffer.from(encode(objects, form), 'utf8')
          expect((await collect(splitAt(buf, points))).map((i) => i.value)).toEqual(objects)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('reads a bundle fed one byte at a time', async () => {
    const buf = Buffer.from(encode(sample, 'pretty-bundle'))
    const bytes = Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1))
    expect((await collect(bytes)).map((i) => i.value)).toEqual(sample)
  })
})

describe('readObjects: members that are not objects', () => {
  it('yields each JSON Lines line that is JSON but not an object as an item, and reads on', async () => {
    const text = '{"a":1}\n42\n"x"\n[1]\nnull\n{"b":2}'
    for (const parts of [[text], [...text]]) {
      const items = await collect(parts)
      expect(items.map((i) => i.value)).toEqual([{ a: 1 }, 42, 'x', [1], null, { b: 2 }])
      expect(items.map((i) => i.where)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `line ${n}: $`))
    }
  })

  it('yields each JSON value in a bundle or array as an item, for the caller to reject, and reads on', async () => {
    for (const text of [
      '[7, "x", {"a":1}, [1,2], null, true]',
      '{"type":"bundle","objects":[7,"x",{"a":1},[1,2],null,true]}',
    ])
      for (const parts of [[text], [...text].map((c) => c)])
        expect((await collect(parts)).map((i) => i.value)).toEqual([7, 'x', { a: 1 }, [1, 2], null, true])
  })
})

describe('readObjects: member names given twice', () => {
  it('names the repeated member of each object, at any depth and in every form, and reads on', async () => {
    const twice = '{"id":"x--1","a":1,"a":2}'
    const deep = '{"id":"x--2","n":{"b":[{"c":1,"c":1}]}}'
    const clean = '{"id":"x--3","a":{"a":1},"b":[{"a":1},{"a":2}]}'
    for (const text of [
      `[${twice},${deep},${clean}]`,
      `{"type":"bundle","objects":[${twice},${deep},${clean}]}`,
      `${twice}\n${deep}\n${clean}`,
      `${deep}\n${twice}\n${clean}`,
    ])
      for (const parts of [[text], [...text]]) {
        const items = await collect(parts)
        const byId = Object.fromEntries(items.map((i) => [(i.value as { id: string }).id, i.repeatedMember]))
        expect(byId, text).toEqual({ 'x--1': 'a', 'x--2': 'c', 'x--3': undefined })
      }
  })

  it('refuses a bundle whose envelope gives a member twice, before or after its objects', async () => {
    for (const text of [
      '{"type":"bundle","type":"bundle","objects":[{"id":"x--1"}]}',
      '{"type":"bundle","objects":[{"id":"x--1"}],"id":"bundle--1","id":"bundle--2"}',
      '{"objects":[{"id":"x--1"}],"x_meta":{"k":1,"k":2},"type":"bundle"}',
    ]) {
      const { error } = await collectError([text])
      expect(error.code, text).toBe('malformed')
      expect(error.message, text).toMatch(
        /^the member "(type|id|k)" is given twice in one object of the bundle's envelope/,
      )
    }
  })
})

describe('readObjects: errors', () => {
  it('malformed JSON inside an object, with the byte offset and line of the fault', async () => {
    const { items, error } = await collectError(['{"type":"bundle","objects":[{"a":1},\n{"a":1,}]}'])
    expect(items).toHaveLength(1)
    expect(error.code).toBe('malformed')
    expect(error.offset).toBe('{"type":"bundle","objects":[{"a":1},\n{"a":1,'.length)
    expect(error.line).toBe(2)
  })

  it('malformed structure between objects', async () => {
    const { error } = await collectError(['[{"a":1} {"b":2}]'])
    expect(error).toMatchObject({ code: 'malformed', offset: 9 })
    expect((await collectError(['[{"a":1}, 7 8]'])).error).toMatchObject({ code: 'malformed', offset: 12 })
    expect((await collectError(['[{"a":1}, nope]'])).error).toMatchObject({ code: 'malformed', offset: 10 })
    expect((await collectError(['{"type" "bundle"}'])).error).toMatchObject({ code: 'malformed', offset: 8 })
  })

  it('truncated input', async () => {
    const { items, error } = await collectError(['{"type":"bundle","objects":[{"a":1},{"b":'])
    expect(items).toHaveLength(1)
    expect(error.code).toBe('malformed')
    expect(error.message).toMatch(/unexpected end of input/)
  })

  it('JSON Lines: reports the line number', async () => {
    const text = '{"a":1}\n{"b":2}\n\n{"c":3,}\n{"d":4}\n'
    const { items, error } = await collectError([text])
    expect(items.map((i) => i.value)).toEqual([{ a: 1 }, { b: 2 }])
    expect(error).toMatchObject({ code: 'malformed', line: 4, offset: text.indexOf(',}') + 1 })
  })

  it('JSON Lines: two objects on one line, an object spanning lines, a line that is not JSON', async () => {
    expect((await collectError(['{"a":1}\n{"b":2} {"c":3}\n'])).error).toMatchObject({
      code: 'malformed',
      line: 2,
    })
    expect((await collectError(['{"a":1}\n{"b":\n2}\n'])).error).toMatchObject({ code: 'malformed', line: 2 })
    expect((await collectError(['{"a":1}\nnope\n'])).error).toMatchObject({ code: 'malformed', line: 2 })
    expect((await collectError(['{"a":1}\n[1,\n2]\n'])).error).toMatchObject({ code: 'malformed', line: 2 })
  })

  it('JSON Lines: a line that is broken JSON is a syntax error there, not an object spanning lines', async () => {
    const text = '{"a":1}\n{not json\n{"c":3}\n'
    // the same wherever the chunks are cut, the broken line included
    for (const parts of [[text], splitAt(Buffer.from(text), [10, 12])]) {
      const { items, error } = await collectError(parts)
      expect(items.map((i) => i.value)).toEqual([{ a: 1 }])
      expect(error).toMatchObject({ code: 'malformed', line: 2, offset: text.indexOf('not') })
      expect(error.message).toMatch(/^invalid JSON: Expected property name/)
    }
    const spans = await collectError(['{"a":1}\n{"b": 1,\n"c": 2}\n'])
    expect(spans.error.message).toMatch(/^a JSON Lines object must not span several lines/)
  })

  it('depth beyond maxDepth', async () => {
    const deep = (n: number) => '['.repeat(n - 1) + ']'.repeat(n - 1)
    const ok = `[{"a":${deep(64)}}]`
    expect(await collect([ok])).toHaveLength(1)
    const { error } = await collectError([`[{"a":${deep(65)}}]`])
    expect(error).toMatchObject({ code: 'too-deep', offset: 1 + 5 + 63 })
    expect(
      (await collectError(['{"type":"bundle","objects":[{"a":{"b":{}}}]}'], { maxDepth: 2 })).error.code,
    ).toBe('too-deep')
    // The first object of JSON Lines is read as an envelope: the same limit applies to it.
    expect((await collectError(['{"a":{"b":{}}}\n'], { maxDepth: 2 })).error.code).toBe('too-deep')
    expect(await collect(['{"a":{"b":1}}\n'], { maxDepth: 2 })).toHaveLength(1)
  })

  it('an object larger than maxObjectBytes, even when spread over many chunks', async () => {
    const big = JSON.stringify({ type: 'note', content: 'x'.repeat(5000) })
    const text = `{"type":"bundle","objects":[{"a":1},${big}]}`
    const parts = splitAt(Buffer.from(text), [100, 200, 300, 1000, 2000, 3000, 4000])
    const { items, error } = await collectError(parts, { maxObjectBytes: 4096 })
    expect(items).toHaveLength(1)
    expect(error).toMatchObject({ code: 'too-large', offset: text.indexOf(big) })
    expect(await collect(parts, { maxObjectBytes: big.length })).toHaveLength(2)
    expect((await collectError([`${big}\n`], { maxObjectBytes: 4096 })).error.code).toBe('too-large')
  })

  it('a top-level object that is not a bundle', async () => {
    expect((await collectError(['{"type":"collection","objects":[{"a":1}]}'])).error.code).toBe(
      'not-a-bundle',
    )
    const after = await collectError(['{"objects":[{"a":1}],"type":"report"}'])
    expect(after.items).toHaveLength(1)
    expect(after.error.code).toBe('not-a-bundle')
    expect((await collectError(['{"id":"bundle--1","objects":[]}'])).error.code).toBe('not-a-bundle')
    expect((await collectError(['{"type":"bundle","objects":{}}'])).error.code).toBe('not-a-bundle')
    expect((await collectError(['{\n  "type": "indicator",\n  "id": "indicator--1"\n}'])).error.code).toBe(
      'not-a-bundle',
    )
    expect((await collectError(['"bundle"'])).error).toMatchObject({ code: 'not-a-bundle', offset: 0 })
  })

  it('trailing garbage after a bundle or an array', async () => {
    const text = '{"type":"bundle","objects":[{"a":1}]}\n  x'
    const { items, error } = await collectError([text])
    expect(items).toHaveLength(1)
    expect(error).toMatchObject({ code: 'trailing-data', offset: text.length - 1, line: 2 })
    expect((await collectError(['[{"a":1}][]'])).error).toMatchObject({ code: 'trailing-data', offset: 9 })
  })
})

describe('readObjects: the MITRE ATT&CK Mobile bundle', () => {
  const path = oraclePath('mitre-attack/mobile-attack-17.1.json')
  const original = (JSON.parse(readFileSync(path, 'utf8')) as { objects: unknown[] }).objects

  it.each([65536, 1021])(
    'yields 2,148 objects equal to the parsed original (chunks of %i bytes)',
    async (size) => {
      const items: ReadItem[] = []
      for await (const item of readObjects(createReadStream(path, { highWaterMark: size }))) items.push(item)
      expect(items).toHaveLength(2148)
      expect(original).toHaveLength(2148)
      items.forEach((item, i) => {
        expect(item.index).toBe(i)
        expect(item.value).toEqual(original[i])
        expect(item.text).toBe(JSON.stringify(original[i]))
      })
    },
  )
})
