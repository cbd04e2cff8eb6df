/** What a peer answers is read up to a bound: a broken or hostile peer cannot fill the node's memory. */
import { describe, expect, it } from 'vitest'
import { TaxiiClient } from '../../src/federation/taxii-client.js'
import { PEER } from './helpers.js'

const TAXII = { 'Content-Type': 'application/taxii+json;version=2.1' }
const page = (n: number) => `{"more":false,"objects":[${Array(n).fill('{"type":"x-filler"}').join(',')}]}`

/** A body sent in chunks with no length, counting how many chunks the client pulled. */
function chunked(text: string, size: number) {
  const bytes = Buffer.from(text)
  const pulled = { chunks: 0 }
  let at = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close()
      pulled.chunks++
      controller.enqueue(bytes.subarray(at, at + size))
      at += size
    },
  })
  return { body, pulled }
}

const client = (respond: () => Response, maxResponseBytes = 1000) =>
  new TaxiiClient(PEER, { fetch: async () => respond(), maxResponseBytes })

describe('a response body', () => {
  it('within the bound is read, a UTF-8 byte-order mark dropped as Response.text() does', async () => {
    const text = `\ufeff${page(3)}`
    const { body } = chunked(text, 7)
    const read = await client(() => new Response(body, { status: 200, headers: TAXII })).objects({
      limit: 10,
    })
    expect(read.objects).toHaveLength(3)
  })

  it('past the bound is refused, and the rest is not pulled', async () => {
    const { body, pulled } = chunked(page(1000), 100)
    await expect(
      client(() => new Response(body, { status: 200, headers: TAXII })).objects({ limit: 10 }),
    ).rejects.toThrow('the server answered 200 with a body larger than 1000 bytes')
    expect(pulled.chunks).toBeLessThan(20)
  })

  it('that declares a length past the bound is refused before it is read', async () => {
    const { body, pulled } = chunked(page(1000), 100)
    const declared = new Response(body, {
      status: 200,
      headers: { ...TAXII, 'Content-Length': String(Buffer.byteLength(page(1000))) },
    })
    await expect(client(() => declared).objects({ limit: 10 })).rejects.toThrow(
      'with a body larger than 1000 bytes',
    )
    expect(pulled.chunks).toBeLessThanOrEqual(1)
  })
})
