/**
 * A posted number a double cannot hold would be stored changed and served so: 1e999999 as null, a 30-digit
 * integer rounded. The node refuses the envelope instead (I-JSON, RFC 7493 §2.2), as it does a repeated member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollection } from '../../src/services/collections.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { indicator } from './fixtures.js'

let t: TestNode
let collectionId: string
beforeAll(async () => {
  t = await startTestNode()
  collectionId = (
    await createCollection(t.node.services.store, { apiRoot: 'intel', title: 'Numbers (fictional)' })
  ).id
})
afterAll(async () => t?.stop())

const objectsPath = () => `/intel/collections/${collectionId}/objects/`

/** An envelope of `object` with `"x_n": <number>` spliced in as written, which JSON.stringify cannot do. */
const withNumber = (object: { id: string }, number: string) =>
  JSON.stringify({ objects: [{ ...object, x_n: '@' }] }).replace('"@"', number)

describe('a TAXII POST holding a number a double cannot hold exactly', () => {
  it.each([
    ['1e999999', 8401],
    ['123456789012345678901234567890', 8402],
    ['-9007199254740993', 8403],
  ])('is refused whole for %s, and nothing of it is stored', async (number, n) => {
    const object = indicator(n)
    const other = indicator(n + 50)
    const text = withNumber(object, number).replace(/]}$/, `,${JSON.stringify(other)}]}`)
    const res = await t.post(objectsPath(), text)
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error_code: string; description: string }
    expect(body.error_code).toBe('inexact-number')
    expect(body.description).toBe(
      `the number ${number} in "x_n" cannot be held exactly (I-JSON, RFC 7493 §2.2): send it as a string`,
    )
    for (const id of [object.id, other.id]) expect((await t.get(`${objectsPath()}${id}/`)).status).toBe(404)
  })

  it('stores and serves one that fits, a long fraction rounded to its double, and a big one sent as a string', async () => {
    for (const [n, number, served] of [
      [8410, '9007199254740991', 9007199254740991],
      [8411, '0.1000000000000000055', 0.1],
      [8412, '"123456789012345678901234567890"', '123456789012345678901234567890'],
    ] as const) {
      const object = indicator(n)
      expect((await t.post(objectsPath(), withNumber(object, number))).status).toBe(202)
      const res = await t.get(`${objectsPath()}${object.id}/`)
      expect(((await res.json()) as { objects: { x_n: unknown }[] }).objects[0]!.x_n).toBe(served)
    }
  })
})
